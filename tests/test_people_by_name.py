"""People are shown by their name wherever they are named (queues, histories, team, exports,
the audit log); the email address is used only for someone who has not given a name."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import User
from audit.choices import AuditAction
from audit.models import AuditEntry
from deals.tests.factories import make_deal
from events.services import record_event
from events.tests.payloads import payload
from incentives.tests.factories import mdf_request, rule

pytestmark = pytest.mark.django_db

NAMES = {
    "partner_a_admin": "Ada Admin",
    "partner_a_user": "Uma User",
    "manager_owner": "Olive Owner",
}


@pytest.fixture
def named(world):
    for persona, name in NAMES.items():
        user = world.users[persona]
        user.full_name = name
        user.save(update_fields=["full_name"])
    return world


def test_mdf_queue_names_the_owning_manager(client_as, named):
    mdf_request(world=named)
    page = client_as("vendor_admin").get(reverse("incentives:manager_mdf")).content.decode()
    assert "Olive Owner" in page and "owner@vendor.example" not in page


def test_mdf_request_pages_name_the_requester_and_the_decider(client_as, named):
    request = mdf_request(world=named)
    manager_page = client_as("manager_other").get(
        reverse("incentives:manager_mdf_detail", args=[request.pk])
    )
    body = manager_page.content.decode()
    assert "by Ada Admin" in body and "Olive Owner decides this request" in body
    assert "admin@alpha.example" not in body and "owner@vendor.example" not in body
    partner_page = client_as("partner_a_admin").get(
        reverse("incentives:mdf_detail", args=[request.pk])
    )
    assert "by Ada Admin" in partner_page.content.decode()


def test_points_history_names_the_person_who_earned_them(client_as, named):
    rule(kind="deal.won", points=10)
    record_event(
        kind="deal.won",
        key="won-1",
        user=named.users["partner_a_user"],
        properties=payload("deal.won"),
    )
    page = client_as("partner_a_admin").get(reverse("incentives:points")).content.decode()
    assert "Uma User" in page and "user@alpha.example" not in page


def test_team_actions_and_messages_name_the_colleague(client_as, named):
    member = named.users["partner_a_user"].membership
    client = client_as("partner_a_admin")
    page = client.get(reverse("partners:team")).content.decode()
    assert "Role of Uma User" in page and 'Remove<span class="visually-hidden"> Uma User' in page
    response = client.post(
        reverse("partners:member_role", args=[member.pk]), {"role": "admin"}, follow=True
    )
    assert "Uma User is now" in response.content.decode()
    response = client.post(reverse("partners:member_remove", args=[member.pk]), follow=True)
    assert "Uma User was removed from the team" in response.content.decode()


def test_deal_export_names_who_registered_the_deal(client_as, named):
    make_deal(user=named.users["partner_a_user"], submit=True)
    response = client_as("partner_a_admin").get(reverse("deals:export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["registered_by"] == "Uma User"
    assert rows[0]["registered_by_email"] == "user@alpha.example"


def test_audit_log_names_the_actor_and_keeps_the_address_beside_it(client_as, named):
    make_deal(user=named.users["partner_a_user"], submit=True)
    client_as("partner_a_admin").get(reverse("deals:export"))
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    page = client_as("vendor_admin").get(reverse("audit:log")).content.decode()
    rows = page.split("<tbody>", 1)[1].split("<tr>")
    export_row = next(row for row in rows if "Data exported" in row)
    assert "Ada Admin" in export_row and "admin@alpha.example" in export_row


def test_a_person_without_a_name_is_shown_by_their_email(client_as, named):
    User.objects.filter(pk=named.users["manager_owner"].pk).update(full_name="")
    mdf_request(world=named)
    page = client_as("vendor_admin").get(reverse("incentives:manager_mdf")).content.decode()
    assert "owner@vendor.example" in page


def test_owner_picker_names_managers_and_adds_the_address_only_beside_a_name(client_as, named):
    User.objects.filter(pk=named.users["manager_other"].pk).update(full_name="")
    page = client_as("vendor_admin").get(
        reverse("partners:manager_partner", args=[named.partner_a.pk])
    )
    options = page.content.decode().split('id="id_owner"', 1)[1].split("</select>", 1)[0]
    assert "Olive Owner (owner@vendor.example)</option>" in options
    assert ">other@vendor.example</option>" in options


def test_invitation_email_names_the_inviter_and_their_address_once(
    named, mailoutbox, django_capture_on_commit_callbacks
):
    from partners import services as partner_services

    inviter = named.users["partner_a_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.invitation_create(
            partner=named.partner_a, email="new1@alpha.example", invited_by=inviter
        )
    User.objects.filter(pk=inviter.pk).update(full_name="")
    inviter.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.invitation_create(
            partner=named.partner_a, email="new2@alpha.example", invited_by=inviter
        )
    named_mail, unnamed_mail = (m.body for m in mailoutbox[-2:])
    assert "Ada Admin (admin@alpha.example) has invited you" in named_mail
    assert "admin@alpha.example has invited you" in unnamed_mail
    assert "(admin@alpha.example)" not in unnamed_mail
