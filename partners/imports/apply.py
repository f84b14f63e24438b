"""Write one planned chunk (``plan.ChunkPlan``) in batches: a constant number of statements for
the chunk's new partners, people and events, whatever its size. Updates of existing partners
(rare: a re-run of an edited file) go through the partner services one by one, so each status,
tier and owner change records its own event as everywhere else.

Metric treatment of imported partners (docs/metrics.md, "Cohorts"): a partner created in
*onboarding* joins at its joined date (default: now) and is in that month's activation cohort;
one created *active* or *inactive* was approved before the program tracked it, so it gets
``activated_at = joined_at`` and the activation cohort leaves it out; a *churned* one with a
joined date likewise; a churned one without, and an applicant, never joined (no ``joined_at``).
"""

import datetime
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.choices import EventKind
from events.services import NewEvent, record_events
from kernel.outbox import emails_queue
from kernel.setup_log import CHANGED, log_setup_change, snapshot
from partners import services
from partners.choices import PartnerStatus
from partners.imports.plan import ChunkPlan, NewPartner
from partners.models import Partner, PartnerImport, PartnerInvitation
from partners.selectors import token_hash

UPDATE_FIELDS = ("name", "partner_type", "country", "region", "tier", "owner", "status")
PLAIN_FIELDS = ("name", "partner_type", "country", "region")
# Imported in these statuses, a partner's activation (if any) happened before the program
# tracked it: ``activated_at = joined_at`` keeps it out of the activation cohort.
PRE_TRACKED = {PartnerStatus.ACTIVE, PartnerStatus.INACTIVE, PartnerStatus.CHURNED}


def join_moment(day: datetime.date | None, now: datetime.datetime) -> datetime.datetime:
    """A joined date as the start of that day in the site's time zone; no date: ``now``."""
    if day is None:
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _build(new: NewPartner, now) -> Partner:
    fields = new.fields
    status = fields["status"]
    if status == PartnerStatus.APPLICANT or (status == PartnerStatus.CHURNED and not new.joined_on):
        joined_at = None
    else:
        joined_at = join_moment(new.joined_on, now)
    return Partner(
        **fields,
        joined_at=joined_at,
        activated_at=joined_at if status in PRE_TRACKED and joined_at else None,
        created_at=now,
        updated_at=now,
    )


def apply_chunk(*, plan: ChunkPlan, job: PartnerImport, actor) -> dict[str, int]:
    """Write the chunk in one transaction; returns the domain → partner id of what it created.
    The caller runs chunks in order; a failure rolls back this chunk only (a re-run of the file
    skips what earlier chunks wrote: the import is idempotent by domain)."""
    now = timezone.now()
    with transaction.atomic():
        created = _create_partners(plan, job=job, actor=actor, now=now)
        for update in plan.updates:
            _update_partner(update.partner, update.changes, actor=actor, job=job)
        _invite(plan, created, actor=actor, now=now)
    return created


def _create_partners(plan: ChunkPlan, *, job, actor, now) -> dict[str, int]:
    if not plan.creates:
        return {}
    partners = [_build(new, now) for new in plan.creates]
    Partner.objects.bulk_create(partners, batch_size=500)
    if any(p.pk is None for p in partners):  # a backend without RETURNING: read the ids back
        ids = dict(
            Partner.objects.filter(domain__in=[p.domain for p in partners]).values_list(
                "domain", "pk"
            )
        )
        for partner in partners:
            partner.pk = ids[partner.domain]
    record_events(
        [
            services.partner_created_event(
                partner=p, actor=actor, at=p.joined_at or now, import_id=job.pk
            )
            for p in partners
        ]
    )
    return {p.domain: p.pk for p in partners}


def _update_partner(partner: Partner, changes: dict, *, actor, job) -> None:
    before = snapshot(partner, UPDATE_FIELDS)
    plain = [name for name in PLAIN_FIELDS if name in changes]
    if plain:
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for name in plain:
            setattr(partner, name, changes[name])
        partner.save(update_fields=[*plain, "updated_at"])
    if "status" in changes:
        partner = services.partner_set_status(
            partner=partner, status=changes["status"], actor=actor
        )
    if "tier" in changes:
        partner = services.partner_set_tier(partner=partner, tier=changes["tier"], actor=actor)
    if "owner" in changes:
        partner = services.partner_assign_owner(
            partner=partner, owner=changes["owner"], actor=actor
        )
    partner.refresh_from_db()
    log_setup_change(
        actor=actor,
        obj=partner,
        action=CHANGED,
        before=before,
        after=snapshot(partner, UPDATE_FIELDS),
        summary=f"Partner updated by the import of {job.file_name} (#{job.pk})",
    )


def _invite(plan: ChunkPlan, created: dict[str, int], *, actor, now) -> None:
    if not plan.invitations:
        return
    domains = {i.domain for i in plan.invitations}
    ids = dict(created)
    missing = domains - ids.keys()
    if missing:
        ids.update(Partner.objects.filter(domain__in=missing).values_list("domain", "pk"))
    partners = {p.pk: p for p in Partner.objects.filter(pk__in=[ids[d] for d in domains])}
    expires = now + timedelta(days=settings.PRM_INVITATION_TTL_DAYS)
    invitations, tokens = [], []
    for new in plan.invitations:
        token = secrets.token_urlsafe(32)
        tokens.append(token)
        invitations.append(
            PartnerInvitation(
                partner=partners[ids[new.domain]],
                email=new.email,
                full_name=new.full_name,
                role=new.role,
                token_hash=token_hash(token),
                invited_by=actor,
                created_at=now,
                expires_at=expires,
            )
        )
    PartnerInvitation.objects.bulk_create(invitations, batch_size=500)
    if any(i.pk is None for i in invitations):
        by_hash = dict(
            PartnerInvitation.objects.filter(
                token_hash__in=[i.token_hash for i in invitations]
            ).values_list("token_hash", "pk")
        )
        for invitation in invitations:
            invitation.pk = by_hash[invitation.token_hash]
    record_events(
        NewEvent(
            kind=EventKind.USER_INVITED,
            key=f"user.invited:{invitation.pk}",
            partner_id=invitation.partner_id,
            user_id=actor.pk if actor is not None else None,
            occurred_at=now,
            subject_type=invitation._meta.label_lower,
            subject_id=str(invitation.pk),
            properties={"role": invitation.role},
        )
        for invitation in invitations
    )
    emails_queue(
        services.invitation_email(invitation=invitation, token=token)
        for invitation, token in zip(invitations, tokens, strict=True)
    )
