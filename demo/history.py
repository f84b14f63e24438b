"""Step 3 of the demo data: each app's history as real objects with the events their services
record (deals, enrollments, certificates, checklist steps, company profiles)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import reset_queries, transaction

from accounts.models import User
from demo.records import Reference, SeededPartner
from demo.reference import _TYPES, ACME_DOMAIN, MANAGERS, _days, _rng, _sec
from events.choices import EventKind as K
from events.services import NewEvent, record_events
from partners.choices import PartnerStatus as S
from partners.models import (
    Offering,
    Partner,
)

# --- 3. Domain history: checklists, courses, deals (a demo module per app) ------------------------


@dataclass(frozen=True)
class DomainPartner:
    """What the other apps' demo builders need to know about one demo partner."""

    partner_id: int
    key: str  # stable across databases (the domain): seeds the builders' generators
    tier_id: int
    tier_rank: int
    type_slug: str
    country: str
    currency: str
    owner_id: int | None
    joined_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None  # churned
    phases: list[tuple[datetime, datetime, str]]  # (start, end, status), churn left out
    members: list[tuple[int, datetime, float, str]]  # (user id, since, weight, full name)
    adoptions: list[tuple[datetime, str]]
    engagement: float
    deal_scale: float


def domain_partners(
    seeded: list[SeededPartner], *, ref: Reference, staff: dict[str, User], now: datetime
) -> list[DomainPartner]:
    out = []
    for s in seeded:
        plan = s.plan
        timeline = [(plan.status, plan.joined_at), *plan.transitions]
        phases = [
            (since, timeline[i + 1][1] if i + 1 < len(timeline) else now, str(status))
            for i, (status, since) in enumerate(timeline)
            if status != S.CHURNED
        ]
        members = [
            (uid, person.joined_at, weight, person.full_name)
            for (uid, _, weight), person in zip(s.members, plan.people, strict=True)
        ]
        owner = staff.get(plan.owner_email) if plan.owner_email else None
        out.append(
            DomainPartner(
                partner_id=s.partner_id,
                key=plan.domain,
                tier_id=ref.tiers[plan.tier_rank].pk,
                tier_rank=plan.tier_rank,
                type_slug=plan.type_slug,
                country=plan.country,
                currency=plan.currency,
                owner_id=owner.pk if owner else None,
                joined_at=plan.joined_at,
                activated_at=plan.activated_at,
                ended_at=plan.transitions[-1][1] if plan.final_status == S.CHURNED else None,
                phases=phases,
                members=members,
                adoptions=plan.adoptions,
                engagement=plan.engagement,
                deal_scale=_TYPES[plan.type_slug].deal_scale,
            )
        )
    return out


def _profiles(partners: list[DomainPartner], *, seed: int, now: datetime) -> list[NewEvent]:
    """Company profiles completed by the partner admin (an activation step): every partner that
    activated did it before activating, others sometimes. The profile is stored as of today and
    ``partner.profile_updated`` carries ``partner_update_profile``'s key and properties."""
    events, updates = [], []
    for p in partners:
        if not p.phases or p.phases[0][2] != S.ONBOARDING:
            continue
        rng = _rng("prm-demo-profile", seed, p.key)
        if p.activated_at is not None:
            at = p.joined_at + (p.activated_at - p.joined_at) * rng.uniform(0.05, 0.4)
        else:
            at = p.joined_at + _days(rng.uniform(1, 12))
            if rng.random() >= 0.55 or at >= (p.ended_at or now):
                continue
        at = _sec(at)
        partner = Partner(pk=p.partner_id, domain=p.key)
        partner.website = f"https://www.{p.key}"
        partner.phone = f"+1 555 01{rng.randint(0, 99):02d}"
        partner.address = f"{rng.randint(1, 400)} Market Street"
        partner.description = f"{_TYPES[p.type_slug].name} of cloud and data solutions."
        partner.updated_at = at
        updates.append(partner)
        events.append(
            NewEvent(
                kind=K.PROFILE_UPDATED,
                key=f"partner.profile_updated:{p.partner_id}:{at.isoformat()}",
                partner_id=p.partner_id,
                user_id=p.members[0][0],
                occurred_at=at,
                subject_type="partners.partner",
                subject_id=str(p.partner_id),
                properties={"fields": list(Partner.PROFILE_FIELDS), "complete": True},
            )
        )
    Partner.objects.bulk_update(updates, [*Partner.PROFILE_FIELDS, "updated_at"], batch_size=500)
    return events


@dataclass
class DomainSetup:
    """What the apps need before the partners exist (configuration a vendor admin does)."""

    agreement: object
    catalog: object
    protection: dict[int, int]
    offerings: dict[str, int]


def prepare_domain(*, ref: Reference, now: datetime) -> DomainSetup:
    """Deal policies, the learning catalog, the agreement and activation paths. Run before the
    partners are created: onboarding gives each partner entering onboarding its checklist."""
    from demo.deals import ensure_policies
    from demo.enablement_activity import ensure_catalog
    from demo.onboarding_progress import ensure_paths

    since = _sec(now - _days(400)).replace(hour=9, minute=0, second=0)
    return DomainSetup(
        agreement=ensure_paths(
            program=ref.program, referral_type=ref.types.get("referral"), since=since
        ),
        catalog=ensure_catalog(program=ref.program, since=since),
        protection=ensure_policies(program=ref.program, tiers=ref.tiers),
        offerings=dict(Offering.objects.values_list("slug", "pk")),
    )


def build_domain(
    seeded: list[SeededPartner],
    *,
    setup: DomainSetup,
    ref: Reference,
    staff: dict[str, User],
    seed: int,
    now: datetime,
    batch_size: int,
    progress: Callable[[str], None],
    chunk: int = 250,
) -> int:
    """Each app's real objects for the partners, ``chunk`` partners at a time (memory follows the
    chunk), and their events recorded in time order, so onboarding's receiver completes the
    checklist steps they stand for at the right moments. Returns the events recorded."""
    from demo.deals import build_deals, taken_customer_domains
    from demo.enablement_activity import build_learning
    from demo.onboarding_progress import build_onboarding, complete_steps, flag_stalls, owner_rules
    from onboarding.services.checklists import colleague_steps_recount

    taken = taken_customer_domains()
    managers = {email: user.pk for email, user in staff.items()}
    fallback = managers[MANAGERS[0][0]]
    recorded = 0
    for start in range(0, len(seeded), chunk):
        partners = domain_partners(seeded[start : start + chunk], ref=ref, staff=staff, now=now)
        with transaction.atomic():
            events, kickoffs = build_onboarding(
                partners, seed=seed, now=now, agreement=setup.agreement
            )
            events += _profiles(partners, seed=seed, now=now)
            events += build_learning(partners, seed=seed, now=now, catalog=setup.catalog)
            events += build_deals(
                partners,
                seed=seed,
                now=now,
                offerings=setup.offerings,
                protection=setup.protection,
                managers={p.partner_id: p.owner_id for p in partners if p.owner_id},
                fallback_manager=fallback,
                taken=taken,
                showcase_key=ACME_DOMAIN,
            )
            events.sort(key=lambda e: (e.occurred_at, e.key))
            events += complete_steps(partners, events=events, kickoffs=kickoffs)
            events.sort(key=lambda e: (e.occurred_at, e.key))
            for i in range(0, len(events), batch_size):
                recorded += record_events(events[i : i + batch_size], batch_size=batch_size)
            # Teams were bulk-created: their colleagues steps count the people, as live.
            colleague_steps_recount(partner_ids=[p.partner_id for p in partners])
        reset_queries()
        progress(f"  history {min(start + chunk, len(seeded)):,}/{len(seeded):,} partners")
    owner_rules()
    flag_stalls(now=now)
    return recorded
