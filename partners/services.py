"""Writes for partners, tiers and teams. One function per transition; each records its event."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User
from events.choices import EventKind
from events.services import NewEvent, record_event, record_events
from kernel.outbox import Email, email_queue, emails_queue
from partners.choices import PARTNER_STATUS_TRANSITIONS, MemberRole, PartnerStatus
from partners.models import Partner, PartnerInvitation, PartnerMembership, SavedPartnerView, Tier
from partners.permissions import can_reassign_owner
from partners.selectors import token_hash


class PartnerError(Exception):
    """A refused domain operation; the message is shown to the user as is."""


def normalize_domain(value: str) -> str:
    """``https://www.Example.com/path`` → ``example.com``."""
    value = (value or "").strip().lower()
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    value = value.split("/", 1)[0].split(":", 1)[0]
    return value.removeprefix("www.")


@transaction.atomic
def partner_create(
    *,
    name: str,
    program,
    partner_type,
    country: str,
    region: str,
    domain: str = "",
    tier: Tier | None = None,
    owner: User | None = None,
    status: str = PartnerStatus.APPLICANT,
    joined_at=None,
    actor: User | None = None,
) -> Partner:
    """Create a partner. ``joined_at`` (default now) is when it was approved into the program,
    or, for an applicant, when it applied: an applicant's ``joined_at`` stays empty until its
    approval (``partner_set_status`` to onboarding), so it is in no cohort. A partner created
    already active (an import) gets ``activated_at = joined_at``: it was active before the
    program tracked it, so activation metrics leave it out (docs/metrics.md, "Cohorts")."""
    tier = tier or program.tiers.order_by("rank").first()
    at = joined_at or timezone.now()
    partner = Partner(
        name=name.strip(),
        domain=normalize_domain(domain),
        program=program,
        partner_type=partner_type,
        tier=tier,
        country=country,
        region=region,
        owner=owner,
        status=status,
        joined_at=None if status == PartnerStatus.APPLICANT else at,
        activated_at=at if status == PartnerStatus.ACTIVE else None,
    )
    # Constraints are left to the database (race-safe); the IntegrityError becomes a clear message.
    # The country is checked against the code list directly: the field's own validation builds
    # and sorts the translated names of ~250 countries on every call (8-20 ms).
    if partner.country.code not in countries:
        raise PartnerError(f"Unknown country code {country!r}.")
    partner.full_clean(exclude=["country"], validate_constraints=False)
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError as exc:
        raise PartnerError(f"A partner with the domain {partner.domain} already exists.") from exc
    record_events([partner_created_event(partner=partner, actor=actor, at=at)])
    return partner


def partner_created_event(*, partner: Partner, actor: User | None, at, import_id=None) -> NewEvent:
    """The ``partner.created`` event of a new partner (one key per partner, so a retry counts
    once), for ``partner_create`` and the import's batch (``import_id``: the ``PartnerImport``).
    Onboarding starts the checklist of a partner created in *onboarding* from it."""
    properties = {"status": partner.status}
    if import_id is not None:
        properties["import"] = import_id
    return NewEvent(
        kind=EventKind.PARTNER_CREATED,
        key=f"partner.created:{partner.pk}",
        partner_id=partner.pk,
        user_id=actor.pk if actor is not None else None,
        occurred_at=at,
        subject_type=partner._meta.label_lower,
        subject_id=str(partner.pk),
        properties=properties,
    )


@transaction.atomic
def partner_set_status(
    *, partner: Partner, status: str, actor: User | None = None, at=None
) -> Partner:
    """Move a partner along its lifecycle. The first approval (a move to ``onboarding`` of a
    partner that never joined) sets ``joined_at``, the join moment of the cohorts; a partner
    churned and taken back keeps its first one. The first move to ``active`` sets
    ``activated_at`` and records ``partner.activated``; later re-activations keep the first
    date."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if status == partner.status:
        return partner
    if status not in PARTNER_STATUS_TRANSITIONS.get(partner.status, set()):
        raise PartnerError(
            f"A partner cannot go from {partner.get_status_display()} to "
            f"{PartnerStatus(status).label}."
        )
    at = at or timezone.now()
    previous = partner.status
    partner.status = status
    if status == PartnerStatus.ONBOARDING and partner.joined_at is None:
        partner.joined_at = at
    first_activation = status == PartnerStatus.ACTIVE and partner.activated_at is None
    if first_activation:
        partner.activated_at = at
    partner.save(update_fields=["status", "joined_at", "activated_at", "updated_at"])
    record_event(
        kind=EventKind.PARTNER_STATUS_CHANGED,
        key=f"partner.status_changed:{partner.pk}:{previous}:{status}:{at.isoformat()}",
        partner=partner,
        user=actor,
        subject=partner,
        occurred_at=at,
        properties={"from": previous, "to": status},
    )
    if first_activation:
        record_event(
            kind=EventKind.PARTNER_ACTIVATED,
            key=f"partner.activated:{partner.pk}",
            partner=partner,
            user=actor,
            subject=partner,
            occurred_at=at,
            properties={"days_to_activation": (at - partner.joined_at).days},
        )
    return partner


@transaction.atomic
def partner_set_tier(*, partner: Partner, tier: Tier, actor: User | None = None) -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if tier.program_id != partner.program_id:
        raise PartnerError(f"The tier {tier.name} belongs to another program.")
    if tier.pk == partner.tier_id:
        return partner
    previous = partner.tier
    partner.tier = tier
    partner.save(update_fields=["tier", "updated_at"])
    now = timezone.now()
    record_event(
        kind=EventKind.TIER_CHANGED,
        key=f"tier.changed:{partner.pk}:{tier.pk}:{now.isoformat()}",
        partner=partner,
        user=actor,
        subject=partner,
        properties={
            "from": previous.name if previous else None,
            "to": tier.name,
            "direction": "up" if previous is None or tier.rank > previous.rank else "down",
        },
    )
    return partner


@transaction.atomic
def partner_assign_owner(
    *, partner: Partner, owner: User | None, actor: User | None = None
) -> Partner:
    """Give the partner to ``owner``. A person (``actor``) must be allowed to
    (``permissions.can_reassign_owner``: a vendor admin, or the current owner handing over);
    ``actor=None`` is the system (seeding, management commands). Checked on the locked row, so
    the owner read is the one being replaced."""
    if owner is not None and not owner.is_channel_manager:
        raise PartnerError(f"{owner} is not a channel manager.")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if actor is not None and not can_reassign_owner(actor, partner):
        raise PartnerError(
            _("Only a vendor admin or the partner's owner can give the partner to someone else.")
        )
    if partner.owner_id == (owner.pk if owner else None):
        return partner
    previous_owner_id = partner.owner_id
    partner.owner = owner
    partner.save(update_fields=["owner", "updated_at"])
    now = timezone.now()
    record_event(
        kind=EventKind.PARTNER_OWNER_CHANGED,
        key=f"partner.owner_changed:{partner.pk}:{owner.pk if owner else 0}:{now.isoformat()}",
        partner=partner,
        user=actor,
        subject=partner,
        properties={"owner_id": owner.pk if owner else None, "from_owner_id": previous_owner_id},
    )
    return partner


@transaction.atomic
def partner_update_profile(*, partner: Partner, actor: User, **fields: str) -> Partner:
    """Update the company profile (website, phone, description, address) and record
    ``partner.profile_updated`` with which fields changed and whether the profile is now complete."""
    unknown = set(fields) - set(Partner.PROFILE_FIELDS)
    if unknown:
        raise PartnerError(f"Not profile fields: {', '.join(sorted(unknown))}.")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    changed = []
    for name, value in fields.items():
        value = (value or "").strip()
        if getattr(partner, name) != value:
            setattr(partner, name, value)
            changed.append(name)
    if not changed:
        return partner
    try:
        partner.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise PartnerError(" ".join(exc.messages)) from exc
    partner.save(update_fields=[*changed, "updated_at"])
    now = timezone.now()
    record_event(
        kind=EventKind.PROFILE_UPDATED,
        key=f"partner.profile_updated:{partner.pk}:{now.isoformat()}",
        partner=partner,
        user=actor,
        subject=partner,
        occurred_at=now,
        properties={"fields": changed, "complete": not partner.profile_missing},
    )
    return partner


# --- Team ----------------------------------------------------------------------------------------


def invitation_email(*, invitation: PartnerInvitation, token: str) -> Email:
    """The invitation with its one-time link (a secret: blanked in the outbox once sent)."""
    url = settings.SITE_URL.rstrip("/") + reverse("partners:invitation_accept", args=[token])
    return Email(
        key=f"partners.invitation:{invitation.pk}",
        to=[invitation.email],
        subject=lambda: (
            _("You are invited to join %(partner)s") % {"partner": invitation.partner.name}
        ),
        template="partner_invitation",
        context={"invitation": invitation, "url": url},
        secret=True,
    )


def _queue_invitation_email(*, invitation: PartnerInvitation, token: str) -> None:
    emails_queue([invitation_email(invitation=invitation, token=token)])


def _queue_existing_account_notice(*, invitation: PartnerInvitation) -> None:
    email_queue(
        key=f"partners.invitation:{invitation.pk}",
        to=[invitation.email],
        subject=lambda: (
            _("An invitation to join %(partner)s") % {"partner": invitation.partner.name}
        ),
        template="partner_invitation_existing_account",
        context={"invitation": invitation},
    )


@transaction.atomic
def invitation_create(
    *,
    partner: Partner,
    email: str,
    role: str = MemberRole.USER,
    invited_by: User,
    refuse_existing_accounts: bool = False,
) -> tuple[PartnerInvitation, str]:
    """Invite ``email`` to the partner's team; returns the invitation and the one-time token
    (only its hash is stored). Re-inviting an address replaces its open invitation.

    The answer does not say whether the address has an account elsewhere (another partner's
    user, vendor staff): a partner admin must not learn that. Such an address gets a pending
    invitation like any other, but its email carries no link, only a notice that the address
    already has an account (the token is never sent, and ``invitation_accept`` refuses accounts
    that belong to an organization). Only the team's own members are refused, which the team
    page shows anyway. ``refuse_existing_accounts`` is for vendor staff (the application review),
    who may know: there an existing account refuses the invitation, so no partner is created whose
    admin could never join."""
    email = User.objects.normalize_email(email).strip().lower()
    existing_user = User.objects.filter(email__iexact=email).select_related("membership").first()
    if existing_user is not None:
        membership = getattr(existing_user, "membership", None)
        if membership is not None and membership.partner_id == partner.pk:
            raise PartnerError(f"{email} is already on your team.")
        if refuse_existing_accounts:
            raise PartnerError(f"{email} already has an account and cannot be invited.")
    PartnerInvitation.objects.filter(
        partner=partner, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = PartnerInvitation.objects.create(
        partner=partner,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.PRM_INVITATION_TTL_DAYS),
    )
    record_event(
        kind=EventKind.USER_INVITED,
        key=f"user.invited:{invitation.pk}",
        partner=partner,
        user=invited_by,
        subject=invitation,
        properties={"role": role},
    )
    if existing_user is None:
        _queue_invitation_email(invitation=invitation, token=token)
    else:
        _queue_existing_account_notice(invitation=invitation)
    return invitation, token


@transaction.atomic
def invitation_accept(*, invitation: PartnerInvitation, user: User) -> PartnerMembership:
    invitation = PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise PartnerError("This invitation has expired or was already used.")
    if user.email.lower() != invitation.email.lower():
        raise PartnerError("This invitation was sent to another email address.")
    if PartnerMembership.objects.filter(user=user).exists() or user.vendor_role:
        raise PartnerError("Your account already belongs to an organization.")
    membership = PartnerMembership.objects.create(
        user=user, partner=invitation.partner, role=invitation.role
    )
    if invitation.full_name and not user.full_name.strip():
        # The name the inviter gave (an import), so the person is shown by name from the start.
        user.full_name = invitation.full_name
        user.save(update_fields=["full_name"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _record_joined(
        membership=membership,
        via=JOINED_VIA_INVITATION,
        invited_by_id=invitation.invited_by_id,
        subject=invitation,
    )
    return membership


JOINED_VIA_INVITATION = "invitation"
JOINED_VIA_ADDED = "added"
JOINED_VIA_SSO = "sso"  # just-in-time through the partner's identity provider (partners.sso)


def _record_joined(
    *, membership: PartnerMembership, via: str, invited_by_id: int | None = None, subject=None
) -> None:
    """The one place a ``user.joined`` event is recorded, whichever way the person was added to
    the team: onboarding's colleagues step, the audit log and the metrics count on it.
    Properties: ``role``, ``invited_by`` (the inviter or the person who added them, may be null),
    ``via`` ("invitation", "added" or "sso")."""
    record_event(
        kind=EventKind.USER_JOINED,
        key=f"user.joined:{membership.user_id}:{membership.partner_id}",
        partner=membership.partner,
        user=membership.user,
        subject=subject if subject is not None else membership.user,
        occurred_at=membership.created_at,
        properties={"role": membership.role, "invited_by": invited_by_id, "via": via},
    )


@transaction.atomic
def invitation_revoke(*, invitation: PartnerInvitation, actor: User) -> PartnerInvitation:
    invitation = PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise PartnerError("This invitation was already accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _other_admins_exist(membership: PartnerMembership) -> bool:
    return (
        PartnerMembership.objects.filter(
            partner_id=membership.partner_id, role=MemberRole.ADMIN, user__is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_add(
    *,
    partner: Partner,
    user: User,
    role: str = MemberRole.USER,
    actor: User | None = None,
    created_at=None,
    via: str = JOINED_VIA_ADDED,
) -> PartnerMembership:
    """Attach an existing account to a partner (the Django admin, imports, demo data; users
    also join through invitations). Records ``user.joined`` like an accepted invitation, so the
    team counts the same however a person was added. ``created_at`` back-dates an import."""
    if user.vendor_role:
        raise PartnerError("Vendor staff cannot be members of a partner.")
    if PartnerMembership.objects.filter(user=user).exists():
        raise PartnerError(f"{user.email} already belongs to a partner.")
    membership = PartnerMembership.objects.create(
        user=user, partner=partner, role=role, created_at=created_at or timezone.now()
    )
    _record_joined(
        membership=membership,
        via=via,
        invited_by_id=actor.pk if actor is not None else None,
    )
    return membership


@transaction.atomic
def membership_set_role(
    *, membership: PartnerMembership, role: str, actor: User
) -> PartnerMembership:
    # Lock every admin row of the partner so two admins demoting each other cannot leave none.
    list(PartnerMembership.objects.select_for_update().filter(partner_id=membership.partner_id))
    membership = PartnerMembership.objects.select_related("user").get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == MemberRole.ADMIN and not _other_admins_exist(membership):
        raise PartnerError("A team needs at least one partner admin.")
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    now = timezone.now()
    record_event(
        kind=EventKind.USER_ROLE_CHANGED,
        key=f"user.role_changed:{membership.pk}:{role}:{now.isoformat()}",
        partner=membership.partner,
        user=actor,
        subject=membership.user,
        properties={"from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: PartnerMembership, actor: User) -> None:
    """Remove a colleague: the membership goes and the account is deactivated (a partner user
    without a partner has nothing to see). Their past events stay attributed."""
    list(PartnerMembership.objects.select_for_update().filter(partner_id=membership.partner_id))
    membership = PartnerMembership.objects.select_related("user", "partner").get(pk=membership.pk)
    if membership.user_id == actor.pk:
        raise PartnerError("You cannot remove yourself from the team.")
    if membership.role == MemberRole.ADMIN and not _other_admins_exist(membership):
        raise PartnerError("A team needs at least one partner admin.")
    user, partner = membership.user, membership.partner
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_event(
        kind=EventKind.USER_REMOVED,
        key=f"user.removed:{user.pk}:{partner.pk}",
        partner=partner,
        user=actor,
        subject=user,
    )


def invitation_expire_stale(*, now=None) -> int:
    """Revoke invitations past their expiry so they leave the team page's pending list."""
    now = now or timezone.now()
    return PartnerInvitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).update(revoked_at=now)


# --- Saved views of the partner list ---------------------------------------------------------------


@transaction.atomic
def saved_view_save(*, owner: User, name: str, query: str, shared: bool = False):
    """Save the partner list's current filter (``query``: its query string, already checked by
    ``partners.list_query``) under ``name``; a view of the same name of ``owner`` is replaced.
    Only vendor staff keep views."""
    if not owner.is_channel_manager:
        raise ValidationError({"name": _("Only vendor staff save views of the partner list.")})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name to 80 characters.")})
    if len(query) > 2000:
        raise ValidationError({"query": _("This filter is too long to save.")})
    view, _created = SavedPartnerView.objects.update_or_create(
        owner=owner, name=name, defaults={"query": query, "shared": bool(shared)}
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view) -> None:
    """Delete a saved view: its owner, or a vendor admin (a shared view nobody wants)."""
    if view.owner_id != actor.pk and not actor.is_vendor_admin:
        raise ValidationError({"view": _("Only its owner or a vendor admin can delete this view.")})
    view.delete()
