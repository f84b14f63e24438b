"""Vendor staff managed in the product (issue 18): vendor admins change roles, deactivate,
reactivate and invite; channel managers read the list; partner users see nothing."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from accounts import selectors, services
from accounts.choices import VendorRole
from accounts.models import User
from accounts.tests.factories import (
    PASSWORD,
    ChannelManagerFactory,
    UserFactory,
    VendorAdminFactory,
)
from audit.choices import AuditAction
from audit.models import AuditEntry
from events.choices import EventKind
from events.models import Event
from kernel.models import OutboundEmail

pytestmark = pytest.mark.django_db
STAFF_URL = reverse("staff")


def _reload(user):
    return User.objects.get(pk=user.pk)


# --- services ------------------------------------------------------------------------------------


def test_an_admin_promotes_and_demotes_a_channel_manager(world):
    admin, manager = world.users["vendor_admin"], world.users["manager_other"]
    services.staff_change_role(actor=admin, user=manager, role=VendorRole.ADMIN)
    manager = _reload(manager)
    assert manager.vendor_role == VendorRole.ADMIN and manager.is_staff and manager.is_vendor_admin
    services.staff_change_role(actor=admin, user=manager, role=VendorRole.CHANNEL_MANAGER)
    manager = _reload(manager)
    assert manager.vendor_role == VendorRole.CHANNEL_MANAGER
    assert not (manager.is_staff or manager.is_superuser or manager.is_vendor_admin)
    assert manager.is_channel_manager


def test_a_demoted_superuser_is_no_vendor_admin_any_more(world):
    other = VendorAdminFactory()  # is_superuser, like createsuperuser's admins
    services.staff_change_role(
        actor=world.users["vendor_admin"], user=other, role=VendorRole.CHANNEL_MANAGER
    )
    other = _reload(other)
    assert not (other.is_superuser or other.is_staff or other.is_vendor_admin)
    assert other.is_channel_manager


def test_a_role_outside_vendor_staff_is_refused(world):
    with pytest.raises(services.StaffError, match="Choose"):
        services.staff_change_role(
            actor=world.users["vendor_admin"], user=world.users["manager_other"], role=""
        )


def test_an_admin_cannot_change_their_own_role(world):
    admin = world.users["vendor_admin"]
    VendorAdminFactory()  # not the last admin: the self rule is what refuses
    with pytest.raises(services.StaffError, match="your own role"):
        services.staff_change_role(actor=admin, user=admin, role=VendorRole.CHANNEL_MANAGER)
    assert _reload(admin).is_vendor_admin


def test_the_last_active_admin_cannot_be_demoted(world):
    admin = world.users["vendor_admin"]
    VendorAdminFactory(is_active=False)  # a deactivated admin does not count
    with pytest.raises(services.StaffError, match="last active vendor admin"):
        services.staff_change_role(actor=admin, user=admin, role=VendorRole.CHANNEL_MANAGER)
    assert _reload(admin).is_vendor_admin


def test_channel_managers_cannot_manage_staff(world):
    manager = world.users["manager_owner"]
    with pytest.raises(services.StaffError, match="Only vendor admins"):
        services.staff_change_role(
            actor=manager, user=world.users["manager_other"], role=VendorRole.ADMIN
        )
    with pytest.raises(services.StaffError, match="Only vendor admins"):
        services.staff_deactivate(actor=manager, user=world.users["manager_other"])
    with pytest.raises(services.StaffError, match="Only vendor admins"):
        services.staff_invite(
            actor=manager, email="new@vendor.example", full_name="New", role=VendorRole.ADMIN
        )
    assert _reload(world.users["manager_other"]).is_active


def test_partner_users_are_not_managed_here(world):
    with pytest.raises(services.StaffError, match="not vendor staff"):
        services.staff_deactivate(
            actor=world.users["vendor_admin"], user=world.users["partner_a_user"]
        )
    assert _reload(world.users["partner_a_user"]).is_active


def test_a_deactivated_user_cannot_sign_in_until_reactivated(world):
    admin, manager = world.users["vendor_admin"], world.users["manager_other"]
    services.staff_deactivate(actor=admin, user=manager)
    assert not _reload(manager).is_active
    assert not Client().login(email=manager.email, password=PASSWORD)
    response = Client().post(
        reverse("account_login"), {"login": manager.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in response.wsgi_request.session
    services.staff_reactivate(actor=admin, user=manager)
    assert _reload(manager).is_active
    assert Client().login(email=manager.email, password=PASSWORD)


def test_a_deactivated_user_is_signed_out_of_open_sessions(client_as, world):
    client = client_as("manager_other")
    assert client.get(STAFF_URL).status_code == 200
    services.staff_deactivate(actor=world.users["vendor_admin"], user=world.users["manager_other"])
    response = client.get(STAFF_URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_an_admin_cannot_deactivate_themselves(world):
    admin = world.users["vendor_admin"]
    VendorAdminFactory()
    with pytest.raises(services.StaffError, match="deactivate yourself"):
        services.staff_deactivate(actor=admin, user=admin)
    assert _reload(admin).is_active


def test_the_last_active_admin_cannot_be_deactivated(world):
    admin = world.users["vendor_admin"]
    with pytest.raises(services.StaffError, match="last active vendor admin"):
        services.staff_deactivate(actor=admin, user=admin)
    assert _reload(admin).is_active


def test_an_invitation_creates_a_passwordless_account_and_emails_a_set_password_link(world):
    admin = world.users["vendor_admin"]
    user = services.staff_invite(
        actor=admin, email=" New.Person@Vendor.example ", full_name="Nia  Park", role="admin"
    )
    assert (user.email, user.full_name, user.vendor_role) == (
        "new.person@vendor.example",
        "Nia Park",
        VendorRole.ADMIN,
    )
    assert not user.has_usable_password() and user.is_active
    assert selectors.staff_list().get(pk=user.pk).invited
    email = OutboundEmail.objects.get(key=f"accounts.staff_invitation:{user.pk}")
    assert email.to == ["new.person@vendor.example"] and email.secret
    assert admin.display_name in email.body and "vendor admin" in email.body
    path = re.search(r"https?://[^/\s]+(/\S+)", email.body).group(1)

    client = Client()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "a-New-passw0rd-here", "password2": "a-New-passw0rd-here"},
    )
    assert response.status_code == 302
    user = _reload(user)
    assert user.check_password("a-New-passw0rd-here")
    assert client.get(path).context["token_fail"]  # the link works once


def test_an_invitation_not_taken_up_can_be_sent_again(world):
    admin = world.users["vendor_admin"]
    user = services.staff_invite(
        actor=admin, email="nia@vendor.example", full_name="Nia Park", role="channel_manager"
    )
    services.staff_resend_invitation(actor=admin, user=user)
    keys = OutboundEmail.objects.filter(key__startswith=f"accounts.staff_invitation:{user.pk}")
    assert keys.count() == 2


def test_an_invitation_and_its_resending_are_audited_with_who_invited_whom_and_the_role(world):
    admin = world.users["vendor_admin"]
    user = services.staff_invite(
        actor=admin, email="nia@vendor.example", full_name="Nia Park", role="channel_manager"
    )
    services.staff_resend_invitation(actor=admin, user=user)
    first, again = AuditEntry.objects.filter(action=AuditAction.STAFF_INVITED).order_by("id")
    for entry in (first, again):
        assert entry.actor == admin
        assert (entry.target_id, entry.target_repr) == (str(user.pk), "Nia Park")
    assert first.details == {"role": "Channel manager"}
    assert again.details == {"role": "Channel manager", "resent": True}


def test_an_invitation_and_its_resending_are_recorded_as_staff_invited_events(world):
    admin = world.users["vendor_admin"]
    user = services.staff_invite(
        actor=admin, email="nia@vendor.example", full_name="Nia Park", role="admin"
    )
    services.staff_resend_invitation(actor=admin, user=user)
    first, again = Event.objects.filter(kind=EventKind.STAFF_INVITED).order_by("id")
    for event in (first, again):
        assert (event.user_id, event.partner_id, event.subject_id) == (admin.pk, None, str(user.pk))
    assert first.properties == {"role": "admin", "resent": False}
    assert again.properties == {"role": "admin", "resent": True}  # its own key: not deduplicated


def test_a_refused_invitation_is_neither_audited_nor_evented(world):
    with pytest.raises(services.StaffError):
        services.staff_invite(
            actor=world.users["manager_owner"],
            email="nia@vendor.example",
            full_name="Nia Park",
            role="admin",
        )
    with pytest.raises(services.StaffError, match="already accepted"):
        services.staff_resend_invitation(
            actor=world.users["vendor_admin"], user=world.users["manager_other"]
        )
    assert not AuditEntry.objects.filter(action=AuditAction.STAFF_INVITED).exists()
    assert not Event.objects.filter(kind=EventKind.STAFF_INVITED).exists()


def test_an_accepted_invitation_is_not_sent_again(world):
    with pytest.raises(services.StaffError, match="already accepted"):
        services.staff_resend_invitation(
            actor=world.users["vendor_admin"], user=world.users["manager_other"]
        )


def test_a_deactivated_invitee_is_not_sent_the_invitation_again(world):
    admin = world.users["vendor_admin"]
    user = services.staff_invite(
        actor=admin, email="nia@vendor.example", full_name="Nia Park", role="channel_manager"
    )
    services.staff_deactivate(actor=admin, user=user)
    with pytest.raises(services.StaffError, match="Reactivate"):
        services.staff_resend_invitation(actor=admin, user=user)


def test_an_invitation_to_an_existing_account_is_refused(world):
    with pytest.raises(services.StaffError, match="already has an account"):
        services.staff_invite(
            actor=world.users["vendor_admin"],
            email="ADMIN@alpha.example",
            full_name="Someone",
            role=VendorRole.CHANNEL_MANAGER,
        )


@pytest.mark.parametrize(
    ("email", "full_name", "role", "message"),
    [
        ("not-an-address", "Nia Park", VendorRole.ADMIN, "valid email"),
        ("nia@vendor.example", "  ", VendorRole.ADMIN, "name"),
        ("nia@vendor.example", "Nia Park", "", "Choose"),
    ],
)
def test_an_invitation_needs_an_address_a_name_and_a_staff_role(
    world, email, full_name, role, message
):
    with pytest.raises(services.StaffError, match=message):
        services.staff_invite(
            actor=world.users["vendor_admin"], email=email, full_name=full_name, role=role
        )
    assert not User.objects.filter(email="nia@vendor.example").exists()


# --- pages ---------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(STAFF_URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["partner_a_admin", "partner_a_user", "partner_b_admin"])
def test_partner_users_get_404(client_as, world, persona):
    client = client_as(persona)
    assert client.get(STAFF_URL).status_code == 404
    pk = world.users["manager_other"].pk
    assert client.post(reverse("staff_deactivate", args=[pk])).status_code == 404


def test_channel_managers_read_the_list_without_actions(client_as, world):
    client = client_as("manager_owner")
    response = client.get(STAFF_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert world.users["vendor_admin"].full_name in page
    assert "Deactivate" not in page and "Send invitation" not in page
    pk = world.users["manager_other"].pk
    for name in ("staff_deactivate", "staff_reactivate", "staff_resend_invitation"):
        assert client.post(reverse(name, args=[pk])).status_code == 403
    assert client.post(reverse("staff_role", args=[pk]), {"role": "admin"}).status_code == 403
    assert client.post(STAFF_URL, {"email": "x@vendor.example"}).status_code == 403
    assert _reload(world.users["manager_other"]).vendor_role == VendorRole.CHANNEL_MANAGER


def test_the_list_shows_names_roles_status_mfa_and_last_sign_in(client_as, world):
    admin = world.users["vendor_admin"]
    TOTP.activate(admin, generate_totp_secret())
    ChannelManagerFactory(full_name="Gone Person", is_active=False)
    nameless = ChannelManagerFactory(full_name="", email="nameless@vendor.example")
    UserFactory(full_name="Partnerless Person")  # no vendor role: not staff
    page = client_as("vendor_admin").get(STAFF_URL).content.decode()
    assert admin.full_name in page and "(you)" in page
    assert "Gone Person" in page and "Deactivated" in page and "Reactivate" in page
    assert nameless.email in page  # no name: the address is all there is
    assert "Partnerless Person" not in page
    assert "Vendor admin" in page and "Channel manager" in page
    assert "Set up" in page and "Not set up" in page
    rows = {row.pk: row for row in selectors.staff_list()}
    assert rows[admin.pk].has_totp and not rows[nameless.pk].has_totp


def test_an_admin_invites_promotes_deactivates_and_reactivates_through_the_page(client_as, world):
    client = client_as("vendor_admin")
    manager = world.users["manager_other"]
    response = client.post(
        STAFF_URL,
        {"full_name": "Nia Park", "email": "nia@vendor.example", "role": "channel_manager"},
    )
    assert response.status_code == 302 and response["Location"] == STAFF_URL
    invitee = User.objects.get(email="nia@vendor.example")
    assert invitee.vendor_role == VendorRole.CHANNEL_MANAGER
    page = client.get(STAFF_URL).content.decode()
    assert "Invited" in page and "Resend invitation" in page
    response = client.post(reverse("staff_resend_invitation", args=[invitee.pk]))
    assert response.status_code == 302

    response = client.post(reverse("staff_role", args=[manager.pk]), {"role": "admin"})
    assert response.status_code == 302 and _reload(manager).is_vendor_admin
    response = client.post(reverse("staff_deactivate", args=[manager.pk]))
    assert response.status_code == 302 and not _reload(manager).is_active
    response = client.post(reverse("staff_reactivate", args=[manager.pk]))
    assert response.status_code == 302 and _reload(manager).is_active

    # every change is audited with the acting admin (audit's receivers on the User model)
    entries = AuditEntry.objects.filter(action=AuditAction.STAFF_ROLE_CHANGED, target_id=manager.pk)
    assert entries.count() == 3
    assert set(entries.values_list("actor_id", flat=True)) == {world.users["vendor_admin"].pk}
    # the invitation and its resending too, shown on the audit log with the role
    invited = AuditEntry.objects.filter(action=AuditAction.STAFF_INVITED, target_id=invitee.pk)
    assert invited.count() == 2
    log = client.get(reverse("audit:log")).content.decode()
    assert "Vendor staff invited" in log and "Nia Park" in log and "Channel manager" in log


def test_refusals_are_shown_on_the_page(client_as, world):
    client = client_as("vendor_admin")
    admin = world.users["vendor_admin"]
    response = client.post(reverse("staff_deactivate", args=[admin.pk]), follow=True)
    assert "last active vendor admin" in response.content.decode()
    assert _reload(admin).is_active
    response = client.post(
        STAFF_URL, {"full_name": "X", "email": "user@alpha.example", "role": "admin"}
    )
    assert response.status_code == 400 and "already has an account" in response.content.decode()
    response = client.post(
        reverse("staff_role", args=[world.users["manager_other"].pk]), {"role": "boss"}
    )
    assert response.status_code == 400
    partner_user = world.users["partner_a_user"]
    assert client.post(reverse("staff_deactivate", args=[partner_user.pk])).status_code == 404


def test_the_list_page_queries_do_not_grow_with_the_staff(
    client_as, world, django_assert_max_num_queries
):
    client = client_as("vendor_admin")
    for n in range(15):
        user = ChannelManagerFactory(full_name=f"Staffer {n}")
        if n % 2:
            TOTP.activate(user, generate_totp_secret())
    with django_assert_max_num_queries(5):
        response = client.get(STAFF_URL)
    assert response.status_code == 200 and "Staffer 14" in response.content.decode()
