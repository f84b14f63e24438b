"""Every security-relevant action leaves exactly one audit row with who, what, when and where
(RELIABILITY.md F1, F2), and only vendor admins can read the log (F4)."""

import json
import logging

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import VendorRole
from accounts.tests.factories import PASSWORD, UserFactory
from audit.choices import AuditAction
from audit.models import AuditEntry
from audit.services import audit_record
from deals.tests.factories import make_deal
from partners import services as partner_services
from partners.choices import MemberRole
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db


def only(action) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, entries
    return entries[0]


def test_a_login_and_a_logout_are_recorded_with_the_client_address():
    user = UserFactory(email="who@alpha.example")
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_logout"))
    login, logout = only(AuditAction.LOGIN), only(AuditAction.LOGOUT)
    assert login.actor == user and login.ip == "203.0.113.7"
    assert logout.actor == user


def test_a_failed_login_keeps_the_typed_address_and_never_the_password(caplog):
    UserFactory(email="who@alpha.example")
    with caplog.at_level(logging.INFO, logger="prm.audit"):
        Client().post(
            reverse("account_login"),
            {"login": "who@alpha.example", "password": "S3cret-guess-123"},
        )
    entry = only(AuditAction.LOGIN_FAILED)
    assert entry.actor is None and entry.actor_email == "who@alpha.example"
    stored = json.dumps([entry.details, entry.target_repr, entry.actor_email])
    assert "S3cret-guess-123" not in stored
    assert "S3cret-guess-123" not in caplog.text


def test_user_input_cannot_forge_a_line_in_the_audit_logger(caplog):
    with caplog.at_level(logging.INFO, logger="prm.audit"):
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_email="x@y.example\r\nINFO forged admin login",
        )
    messages = [r.getMessage() for r in caplog.records if r.name == "prm.audit"]
    assert len(messages) == 1 and "\n" not in messages[0] and "\r" not in messages[0]
    assert json.loads(messages[0])["actor"].endswith("forged admin login")


def test_team_changes_are_recorded_for_the_partner(world):
    a_admin, a_user = world.users["partner_a_admin"], world.users["partner_a_user"]
    partner_services.invitation_create(
        partner=world.partner_a, email="new@alpha.example", invited_by=a_admin
    )
    partner_services.membership_set_role(
        membership=a_user.membership, role=MemberRole.ADMIN, actor=a_admin
    )
    invited, role = only(AuditAction.MEMBER_INVITED), only(AuditAction.MEMBER_ROLE_CHANGED)
    assert invited.partner == world.partner_a and invited.actor == a_admin
    assert role.partner == world.partner_a and role.details == {"from": "user", "to": "admin"}


def test_api_tokens_are_recorded_when_created_and_revoked_but_their_secret_is_not(world):
    user = world.users["partner_a_admin"]
    issued = account_services.api_token_create(user=user, name="CRM sync", scope="write")
    account_services.api_token_revoke(token=issued.token)
    created, revoked = only(AuditAction.TOKEN_CREATED), only(AuditAction.TOKEN_REVOKED)
    assert created.actor == user and revoked.target_id == str(issued.token.pk)
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert issued.raw not in everything
    account_services.api_token_touch(token=issued.token)
    assert AuditEntry.objects.filter(action__startswith="api.").count() == 2


def test_a_csv_export_is_recorded_whichever_view_made_it(client_as, world):
    make_deal(user=world.users["partner_a_user"], submit=True)
    client_as("partner_a_admin").get(reverse("deals:export"))
    client_as("manager_owner").get(reverse("deals:manager_export") + "?status=submitted")
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    assert {e.actor_email for e in exports} == {"admin@alpha.example", "owner@vendor.example"}
    assert exports.get(actor_email="owner@vendor.example").details["query"] == "status=submitted"


def test_adding_a_two_factor_method_is_recorded(world):
    user = world.users["vendor_admin"]
    authenticator = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    authenticator_added.send(
        sender=Authenticator, request=None, user=user, authenticator=authenticator
    )
    assert only(AuditAction.MFA_ADDED).details == {"type": "totp"}


def test_staff_role_changes_and_admin_edits_are_recorded(client_as, world):
    manager = world.users["manager_other"]
    manager.vendor_role = VendorRole.ADMIN
    manager.save()
    assert only(AuditAction.STAFF_ROLE_CHANGED).details["vendor_role"] == [
        VendorRole.CHANNEL_MANAGER,
        VendorRole.ADMIN,
    ]
    response = client_as("vendor_admin").post(
        reverse("admin:partners_partnertype_add"), {"name": "Distributor", "slug": "distributor"}
    )
    assert response.status_code == 302
    entry = only(AuditAction.ADMIN_CHANGE)
    assert entry.actor == world.users["vendor_admin"] and entry.details["flag"] == "added"
    assert entry.target_repr == "Distributor"


def test_last_login_updates_are_not_staff_changes(world):
    user = world.users["manager_owner"]
    Client().post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert not AuditEntry.objects.filter(action=AuditAction.STAFF_ROLE_CHANGED).exists()


def test_the_audit_log_is_for_vendor_admins_only(client_as):
    assert_role_matrix(
        client_as,
        reverse("audit:log"),
        {
            "anonymous": LOGIN,
            "partner_a_admin": 404,
            "partner_a_user": 404,
            "partner_b_admin": 404,
            "manager_owner": 404,
            "manager_other": 404,
            "vendor_admin": 200,
        },
    )


def test_the_audit_log_filters_and_pages_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    for i in range(60):
        audit_record(action=AuditAction.LOGIN_FAILED, actor_email=f"guess{i}@x.example")
    audit_record(action=AuditAction.LOGIN, actor=world.users["partner_a_admin"])
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("audit:log"))
    rows = page.content.decode().split("<tbody>")[1].count("<tr>")
    assert page.status_code == 200 and rows == 50
    filtered = client.get(reverse("audit:log"), {"action": AuditAction.LOGIN, "partner": "Alpha"})
    body = filtered.content.decode()
    assert "admin@alpha.example" in body and "guess" not in body
    bad = client.get(reverse("audit:log"), {"since": "2026-12-01", "until": "2026-01-01"})
    assert bad.status_code == 400


def test_the_admin_shows_the_audit_log_read_only(client_as):
    entry = audit_record(action=AuditAction.LOGIN_FAILED, actor_email="x@y.example")
    admin = client_as("vendor_admin")
    assert admin.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert admin.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert admin.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
