"""Deal registrations for the demo data set (called by ``demo.seed.seed_demo``).

The services stamp "now" and send emails, so the demo history is written with the ORM instead:
deals, their line items and transition history, backdated, in bulk. Every transition a service
would have recorded an event for gets that event here, with the service's key
(``f"{kind}:{deal.pk}"``), subject and ``deal.*`` property contract; the caller stores them
through ``events.services.record_events``. Drafts have no event (the services record none).

Only partners that activated register deals; their first deal comes before the activation (it is
a step of the activation checklist), the rest while they are active (rarely once inactive).
Deterministic: every partner draws from its own generator seeded by ``(seed, partner key)``.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from deals.choices import DEFAULT_PROTECTION_DAYS, DealStage, DealStatus
from deals.matching import normalize_company_name
from deals.models import Deal, DealLineItem, DealTransition, RegistrationPolicy
from events.choices import EventKind as K
from events.services import NewEvent

# Protection per tier rank: the "Deal protection" benefit the demo tiers advertise.
PROTECTION_DAYS = {1: 60, 2: 90, 3: 120}
WARNING_DAYS = 14
MAX_DEALS_PER_PARTNER = 60
DEALS_PER_ACTIVE_MONTH = 1.3  # times the partner's engagement

CUSTOMER_A = [
    "Harbor", "Summit", "Northgate", "Bluewater", "Redwood", "Lakeside", "Ironbridge", "Westfield",
    "Silverline", "Crescent", "Pioneer", "Evergreen", "Highland", "Meridian", "Oakridge", "Beacon",
    "Sterling", "Riverside", "Golden", "Union", "Coastal", "Granite", "Horizon", "Liberty",
]  # fmt: skip
CUSTOMER_B = [
    "Retail", "Logistics", "Health", "Foods", "Energy", "Bank", "Insurance", "Motors", "Pharma",
    "Media", "Telecom", "Airlines", "Hotels", "Steel", "Textiles", "Labs", "Utilities", "Freight",
]  # fmt: skip
CUSTOMER_SUFFIX = ["Inc.", "Ltd", "GmbH", "S.A.", "Group", "AG", "Co.", "plc", "B.V."]
CONTACT_FIRST = ["Anna", "Ben", "Clara", "Diego", "Eva", "Farid", "Greta", "Hiro", "Ines", "Jon"]
CONTACT_LAST = ["Adler", "Brooks", "Castillo", "Dahl", "Ek", "Ferreira", "Grant", "Holm", "Ito"]
REJECTION_REASONS = [
    "The customer is already managed directly by our enterprise team.",
    "Another partner registered this opportunity first.",
    "Not enough detail on the opportunity: please add the project scope and resubmit.",
    "The customer is outside your contracted territory.",
]
LOST_REASONS = [
    "Customer chose a competitor on price.",
    "Project postponed to next fiscal year.",
    "No budget approved.",
    "Customer stayed with their incumbent provider.",
]
QUANTITIES = [1, 2, 5, 10, 20, 25, 50, 100]
SECOND = timedelta(seconds=1)


@dataclass
class _Planned:
    deal: Deal
    lines: list[tuple[int, str, int, Decimal]]  # (offering id, slug, quantity, unit amount)
    moves: list[tuple[str, str, int | None, datetime, str]] = field(default_factory=list)
    events: list[tuple[str, datetime, int | None, Decimal | None]] = field(default_factory=list)


def ensure_policies(*, program, tiers: dict[int, object]) -> dict[int, int]:
    """One registration policy per demo tier (the protection its benefits promise); existing
    policies are kept. Returns protection days by tier id."""
    days = {}
    for rank, tier in tiers.items():
        policy, _ = RegistrationPolicy.objects.get_or_create(
            program=program,
            tier=tier,
            defaults={
                "protection_days": PROTECTION_DAYS.get(rank, DEFAULT_PROTECTION_DAYS),
                "warning_days": WARNING_DAYS,
            },
        )
        days[tier.pk] = policy.protection_days
    return days


def taken_customer_domains() -> set[str]:
    """Customer domains already registered (a ``--force`` run adds new customers)."""
    return set(Deal.objects.values_list("customer_domain_normalized", flat=True))


def _customer(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    for attempt in range(10_000):
        a, b = rng.choice(CUSTOMER_A), rng.choice(CUSTOMER_B)
        domain = f"{a}{b}{attempt // 40 or ''}.example".lower()
        if domain not in taken:
            taken.add(domain)
            return f"{a} {b} {rng.choice(CUSTOMER_SUFFIX)}", domain
    raise RuntimeError("Ran out of demo customer names.")


def _level(partner, at: datetime) -> float:
    """How likely the partner registers a deal at this moment of its life."""
    for start, end, status in partner.phases:
        if start <= at < end:
            return {"active": 1.0, "inactive": 0.1}.get(status, 0.0)
    return 0.0


def _moments(rng: random.Random, partner, now: datetime) -> list[datetime]:
    """Submission moments: one before activation, then a thinned Poisson process."""
    span = partner.activated_at - partner.joined_at
    moments = [partner.joined_at + span * rng.uniform(0.55, 0.95)]
    rate = DEALS_PER_ACTIVE_MONTH * partner.engagement / 30  # per day at full activity
    t, end = partner.activated_at, partner.ended_at or now
    while rate > 0 and len(moments) < MAX_DEALS_PER_PARTNER:
        t += timedelta(days=rng.expovariate(rate))
        if t >= end:
            break
        if rng.random() < _level(partner, t):
            moments.append(t)
    return [m.replace(microsecond=0) for m in moments]


def _creator(rng: random.Random, partner, at: datetime) -> int:
    ready = [(uid, w) for uid, since, w, _ in partner.members if since <= at - timedelta(hours=1)]
    if not ready:
        return partner.members[0][0]
    return rng.choices([u for u, _ in ready], [w for _, w in ready])[0]


def _plan_deal(rng, partner, *, at, now, taken, offerings, protection, manager, force=None):
    """One deal submitted at ``at`` and everything that happened to it until ``now``."""
    creator = _creator(rng, partner, at)
    name, domain = _customer(rng, taken)
    usable = [slug for since, slug in partner.adoptions if since <= at] or ["cloud-platform"]
    slugs = rng.sample(usable, k=min(len(usable), 1 if rng.random() < 0.7 else 2))
    total = max(500.0, rng.lognormvariate(math.log(18_000), 0.9) * partner.deal_scale)
    lines = []
    for slug in slugs:
        quantity = rng.choice(QUANTITIES)
        unit = Decimal(max(1.0, total / len(slugs) / quantity)).quantize(Decimal("0.01"))
        lines.append((offerings[slug], slug, quantity, unit))
    amount = sum((unit * qty for _, _, qty, unit in lines), Decimal("0"))
    joined = next(since for uid, since, _, _ in partner.members if uid == creator)
    created = max(joined, at - timedelta(hours=rng.uniform(1, 72))).replace(microsecond=0)
    contact = f"{rng.choice(CONTACT_FIRST)} {rng.choice(CONTACT_LAST)}"
    deal = Deal(
        partner_id=partner.partner_id,
        created_by_id=creator,
        status=DealStatus.DRAFT,
        customer_name=name,
        customer_name_normalized=normalize_company_name(name),
        customer_domain=domain,
        customer_domain_normalized=domain,
        customer_country=partner.country,
        contact_name=contact,
        contact_email=f"{contact.split()[0].lower()}@{domain}",
        currency=partner.currency,
        amount=amount,
        expected_close_date=(at + timedelta(days=rng.uniform(20, 120))).date(),
        stage=rng.choice(list(DealStage.values[:4])),
        created_at=created,
    )
    plan = _Planned(deal, lines)
    plan.moves.append(("", DealStatus.DRAFT, creator, created, ""))
    if force == DealStatus.DRAFT:
        return plan

    def move(to: str, actor, when: datetime, note: str = "", event=True, amount=None):
        plan.moves.append((deal.status, to, actor, when, note))
        deal.status = to
        if event:
            kind = {
                DealStatus.SUBMITTED: K.DEAL_SUBMITTED,
                DealStatus.APPROVED: K.DEAL_APPROVED,
                DealStatus.REJECTED: K.DEAL_REJECTED,
                DealStatus.WON: K.DEAL_WON,
                DealStatus.LOST: K.DEAL_LOST,
                DealStatus.EXPIRED: K.DEAL_EXPIRED,
            }[to]
            plan.events.append((kind, when, actor, amount))

    move(DealStatus.SUBMITTED, creator, at)
    deal.submitted_at = at
    decided = (at + timedelta(days=rng.uniform(0.5, 6))).replace(microsecond=0)
    approve = rng.random() < 0.85
    if force == DealStatus.SUBMITTED or decided > now:
        return plan
    if force is not None:
        approve = True
    deal.decided_at, deal.decided_by_id = decided, manager
    if not approve:
        deal.rejection_reason = rng.choice(REJECTION_REASONS)
        move(DealStatus.REJECTED, manager, decided, deal.rejection_reason)
        return plan
    move(DealStatus.APPROVED, manager, decided)
    deal.protected_until = decided + timedelta(days=protection)
    r = rng.random()
    outcome = DealStatus.WON if r < 0.45 else DealStatus.LOST if r < 0.8 else None
    outcome_at = (decided + timedelta(days=rng.uniform(14, 100))).replace(microsecond=0)
    if force == DealStatus.APPROVED:
        return plan
    if outcome is not None and outcome_at < min(deal.protected_until, now):
        deal.closed_at = outcome_at
        if outcome == DealStatus.WON:
            deal.stage = DealStage.COMMIT
            deal.final_amount = (amount * Decimal(rng.uniform(0.8, 1.1))).quantize(Decimal("0.01"))
            move(DealStatus.WON, creator, outcome_at, amount=deal.final_amount)
        else:
            deal.lost_reason = rng.choice(LOST_REASONS)
            move(DealStatus.LOST, creator, outcome_at, deal.lost_reason)
    elif deal.protected_until <= now:
        deal.closed_at = deal.protected_until
        move(DealStatus.EXPIRED, None, deal.protected_until, "Protection period ended.")
    return plan


# The demo logins' partner: besides its history, a few recent deals in every open state.
SHOWCASE = [(-1, DealStatus.DRAFT), (-3, DealStatus.SUBMITTED), (-12, DealStatus.APPROVED)]


def build_deals(
    partners, *, seed: int, now: datetime, offerings: dict[str, int], protection: dict,
    managers: dict[int, int], fallback_manager: int, taken: set[str], showcase_key: str = "",
) -> list[NewEvent]:  # fmt: skip
    """Create the deals of ``partners`` (``demo.history.DomainPartner``) and return their events.

    ``offerings``: offering id by slug; ``protection``: days by tier id; ``managers``: who decides
    (the owner) by partner id; ``taken``: customer domains in use (extended in place)."""
    planned: list[_Planned] = []
    for partner in partners:
        if partner.activated_at is None or not partner.members:
            continue
        rng = random.Random(f"prm-demo-deals:{seed}:{partner.key}")
        manager = managers.get(partner.partner_id) or fallback_manager
        days = protection.get(partner.tier_id, DEFAULT_PROTECTION_DAYS)
        common = {
            "now": now, "taken": taken, "offerings": offerings, "protection": days,
            "manager": manager,
        }  # fmt: skip
        for at in _moments(rng, partner, now):
            planned.append(_plan_deal(rng, partner, at=at, **common))
        if partner.key == showcase_key:
            for days_ago, status in SHOWCASE:
                at = (now + timedelta(days=days_ago)).replace(microsecond=0)
                planned.append(_plan_deal(rng, partner, at=at, force=status, **common))
    if not planned:
        return []
    Deal.objects.bulk_create([p.deal for p in planned], batch_size=500)
    DealLineItem.objects.bulk_create(
        [
            DealLineItem(deal=p.deal, offering_id=oid, quantity=qty, unit_amount=unit)
            for p in planned
            for oid, _, qty, unit in p.lines
        ],
        batch_size=1000,
    )
    DealTransition.objects.bulk_create(
        [
            DealTransition(
                deal=p.deal, from_status=src, to_status=dst, actor_id=actor, at=at, note=note
            )
            for p in planned
            for src, dst, actor, at, note in p.moves
        ],
        batch_size=1000,
    )
    # ``updated_at`` is auto_now: bulk_create stamped "now"; the last change is the last move.
    for p in planned:
        p.deal.updated_at = p.moves[-1][3]
    Deal.objects.bulk_update([p.deal for p in planned], ["updated_at"], batch_size=500)
    events = []
    for p in planned:
        slugs = sorted({slug for _, slug, _, _ in p.lines})
        for kind, at, actor, amount in p.events:
            events.append(
                NewEvent(
                    kind=kind,
                    key=f"{kind}:{p.deal.pk}",
                    partner_id=p.deal.partner_id,
                    user_id=actor,
                    occurred_at=at,
                    subject_type="deals.deal",
                    subject_id=str(p.deal.pk),
                    properties={
                        "deal": p.deal.pk,
                        "amount": f"{(amount if amount is not None else p.deal.amount):.2f}",
                        "currency": p.deal.currency,
                        "offerings": slugs,
                    },
                )
            )
    return events
