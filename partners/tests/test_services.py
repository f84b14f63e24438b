import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from events.models import Event
from kernel.models import OutboundEmail
from partners import services
from partners.choices import MemberRole, PartnerStatus
from partners.models import PartnerInvitation, PartnerMembership
from partners.selectors import invitation_get_open
from partners.tests.factories import (
    MembershipFactory,
    PartnerFactory,
    PartnerTypeFactory,
    ProgramFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


def kinds(partner):
    return list(Event.objects.filter(partner=partner).order_by("id").values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("https://www.Example.com/path", "example.com"),
        ("example.com:8443", "example.com"),
        ("", ""),
    ],
)
def test_domains_are_normalized(raw, normalized):
    assert services.normalize_domain(raw) == normalized


def test_partner_create_starts_at_the_entry_tier_and_records_an_event():
    program = ProgramFactory()
    TierFactory(program=program, rank=2, name="Silver")
    entry = TierFactory(program=program, rank=1, name="Registered")
    partner = services.partner_create(
        name=" Acme ",
        program=program,
        partner_type=PartnerTypeFactory(),
        country="US",
        region="na",
        domain="https://www.acme.example/",
    )
    assert (partner.name, partner.domain, partner.tier) == ("Acme", "acme.example", entry)
    assert kinds(partner) == ["partner.created"]


def test_partner_create_refuses_a_duplicate_domain_with_a_message():
    partner = PartnerFactory(domain="dup.example")
    with pytest.raises(services.PartnerError, match=r"dup\.example already exists"):
        services.partner_create(
            name="Other",
            program=partner.program,
            partner_type=partner.partner_type,
            country="US",
            region="na",
            domain="www.dup.example",
        )


def test_first_activation_sets_activated_at_and_records_partner_activated():
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING)
    services.partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE and partner.activated_at is not None
    assert kinds(partner) == ["partner.status_changed", "partner.activated"]


def test_reactivation_keeps_the_first_activation_date_and_is_not_a_second_activation():
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING)
    services.partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)
    first = PartnerFactory._meta.model.objects.get(pk=partner.pk).activated_at
    services.partner_set_status(partner=partner, status=PartnerStatus.INACTIVE)
    services.partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)
    partner.refresh_from_db()
    assert partner.activated_at == first
    assert kinds(partner).count("partner.activated") == 1


def test_illegal_lifecycle_move_is_refused():
    partner = PartnerFactory(status=PartnerStatus.APPLICANT)
    with pytest.raises(services.PartnerError, match="cannot go from Applicant to Active"):
        services.partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.APPLICANT


def test_tier_change_records_direction_and_refuses_a_foreign_tier():
    partner = PartnerFactory()
    silver = TierFactory(program=partner.program, rank=2)
    services.partner_set_tier(partner=partner, tier=silver)
    event = Event.objects.get(partner=partner, kind="tier.changed")
    assert event.properties["direction"] == "up"
    with pytest.raises(services.PartnerError, match="another program"):
        services.partner_set_tier(
            partner=partner, tier=TierFactory(program=ProgramFactory(), rank=1)
        )


def test_only_channel_managers_can_own_partners(world):
    with pytest.raises(services.PartnerError, match="not a channel manager"):
        services.partner_assign_owner(partner=world.partner_a, owner=world.users["partner_a_user"])
    services.partner_assign_owner(partner=world.partner_a, owner=world.users["manager_other"])
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == world.users["manager_other"]


def test_only_a_vendor_admin_or_the_current_owner_may_reassign_a_partner(world):
    owner, other = world.users["manager_owner"], world.users["manager_other"]
    admin = world.users["vendor_admin"]
    for actor in (other, world.users["partner_a_admin"]):
        with pytest.raises(services.PartnerError, match="vendor admin or the partner's owner"):
            services.partner_assign_owner(partner=world.partner_a, owner=other, actor=actor)
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == owner
    # an unassigned partner is assigned by a vendor admin, not claimed by a manager
    unowned = PartnerFactory(owner=None)
    with pytest.raises(services.PartnerError):
        services.partner_assign_owner(partner=unowned, owner=other, actor=other)
    services.partner_assign_owner(partner=unowned, owner=other, actor=admin)
    # the owner hands over; then the former owner can no longer take it back
    services.partner_assign_owner(partner=world.partner_a, owner=other, actor=owner)
    with pytest.raises(services.PartnerError):
        services.partner_assign_owner(partner=world.partner_a, owner=owner, actor=owner)
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == other


def test_invitation_emails_a_link_once_committed_and_stores_only_a_hash(
    world, django_capture_on_commit_callbacks
):
    admin = world.users["partner_a_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            partner=world.partner_a, email="New.Person@Alpha.example", invited_by=admin
        )
    assert invitation.email == "new.person@alpha.example"
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    # the one-time link is a secret: the outbox row keeps no copy of it once sent
    email = OutboundEmail.objects.get(key=f"partners.invitation:{invitation.pk}")
    assert email.status == "sent" and token not in email.body
    assert invitation_get_open(token=token) == invitation
    assert invitation_get_open(token="wrong") is None


def test_reinviting_replaces_the_open_invitation(world):
    admin = world.users["partner_a_admin"]
    first, first_token = services.invitation_create(
        partner=world.partner_a, email="x@a.example", invited_by=admin
    )
    second, _ = services.invitation_create(
        partner=world.partner_a, email="x@a.example", invited_by=admin
    )
    assert invitation_get_open(token=first_token) is None
    assert PartnerInvitation.objects.get(pk=first.pk).revoked_at is not None
    assert second.is_open


def test_members_of_the_team_cannot_be_invited_again(world):
    with pytest.raises(services.PartnerError, match="already on your team"):
        services.invitation_create(
            partner=world.partner_a,
            email="user@alpha.example",
            invited_by=world.users["partner_a_admin"],
        )
    # other accounts: partners/tests/test_invitation_privacy.py


def test_accepting_an_invitation_creates_the_membership_once(world):
    invitation, _ = services.invitation_create(
        partner=world.partner_a,
        email="joiner@alpha.example",
        role=MemberRole.ADMIN,
        invited_by=world.users["partner_a_admin"],
    )
    joiner = UserFactory(email="joiner@alpha.example")
    membership = services.invitation_accept(invitation=invitation, user=joiner)
    assert (membership.partner, membership.role) == (world.partner_a, MemberRole.ADMIN)
    assert Event.objects.filter(kind="user.joined", user=joiner).count() == 1
    with pytest.raises(services.PartnerError, match="expired or was already used"):
        services.invitation_accept(invitation=invitation, user=joiner)


def test_an_invitation_is_for_its_own_address_only(world):
    invitation, _ = services.invitation_create(
        partner=world.partner_a,
        email="right@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    with pytest.raises(services.PartnerError, match="another email address"):
        services.invitation_accept(
            invitation=invitation, user=UserFactory(email="wrong@alpha.example")
        )


def test_expired_invitations_are_closed_by_the_scheduled_job(world):
    from partners.tasks import expire_invitations

    invitation, token = services.invitation_create(
        partner=world.partner_a,
        email="late@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    PartnerInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert invitation_get_open(token=token) is None
    assert expire_invitations.delay().get() == 1
    assert PartnerInvitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_the_last_partner_admin_can_be_neither_demoted_nor_removed(world):
    admin_membership = world.users["partner_a_admin"].membership
    with pytest.raises(services.PartnerError, match="at least one partner admin"):
        services.membership_set_role(
            membership=admin_membership, role=MemberRole.USER, actor=world.users["partner_a_admin"]
        )
    with pytest.raises(services.PartnerError, match="at least one partner admin"):
        services.membership_remove(membership=admin_membership, actor=world.users["vendor_admin"])
    MembershipFactory(partner=world.partner_a, role=MemberRole.ADMIN)
    services.membership_set_role(
        membership=admin_membership, role=MemberRole.USER, actor=world.users["partner_a_admin"]
    )
    admin_membership.refresh_from_db()
    assert admin_membership.role == MemberRole.USER


def test_removing_a_colleague_deactivates_the_account_and_keeps_history(world):
    user = world.users["partner_a_user"]
    services.membership_remove(membership=user.membership, actor=world.users["partner_a_admin"])
    user.refresh_from_db()
    assert not user.is_active
    assert not PartnerMembership.objects.filter(user=user).exists()
    assert Event.objects.filter(kind="user.removed", partner=world.partner_a).count() == 1


def test_an_admin_cannot_remove_themselves(world):
    admin = world.users["partner_a_admin"]
    with pytest.raises(services.PartnerError, match="yourself"):
        services.membership_remove(membership=admin.membership, actor=admin)


def test_partner_create_refuses_an_unknown_country():
    program = ProgramFactory()
    TierFactory(program=program, rank=1)
    with pytest.raises(services.PartnerError, match="Unknown country"):
        services.partner_create(
            name="Nowhere Ltd",
            program=program,
            partner_type=PartnerTypeFactory(),
            country="XX",
            region="na",
        )
