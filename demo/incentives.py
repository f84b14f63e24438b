"""Incentives for the demo data set (called by ``manage.py seed_demo`` after the partners exist).

1. Badges and award rules (activation, first deal, deals registered and won, certifications,
   courses), then a backfill: points and badges come from the demo partners' real event history,
   the same way the live path would have awarded them.
2. Market development funds for active partners whose tier includes them (Silver: $2,500 a
   quarter, Gold: $12,500, as the demo tiers advertise $10k and $50k a year): this quarter's and
   last quarter's allocations with requests in every state. The services stamp "now" and send
   emails, so, like ``demo.deals``, the rows are written with the ORM, balances computed from the
   requests, and every step records the event its service would have (same key and properties).
   Acme Cloud Solutions (the demo partner login) has one request waiting in each queue and one
   approved request to claim.

Idempotent: does nothing once a rule or an allocation exists. Deterministic for a seed.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from events.choices import EventKind as K
from events.services import NewEvent, record_events
from incentives import selectors
from incentives.choices import AwardScope, MdfStatus
from incentives.models import AwardRule, Badge, MdfAllocation, MdfRequest
from incentives.services import awards_backfill
from partners.choices import MemberRole, PartnerStatus
from partners.models import Partner

BADGES = [
    ("activated", "Activated", "Completed onboarding and became an active partner.", "rocket"),
    ("first-deal", "First deal", "Registered the first deal.", "flag"),
    ("closer", "Closer", "Won a deal.", "trophy"),
    ("certified", "Certified", "Earned a certification.", "patch-check"),
]
RULES = [  # name, kind, points, badge, scope, first_only, cap
    ("Activation", K.PARTNER_ACTIVATED, 200, "activated", AwardScope.PARTNER, True, None),
    ("First deal registered", K.DEAL_SUBMITTED, 100, "first-deal", AwardScope.PARTNER, True, None),
    ("Deal registered", K.DEAL_SUBMITTED, 10, None, AwardScope.PARTNER, False, None),
    ("Deal won", K.DEAL_WON, 50, "closer", AwardScope.PARTNER, False, None),
    ("Certification earned", K.CERTIFICATION_EARNED, 75, "certified", AwardScope.USER, False, None),
    ("Course completed", K.COURSE_COMPLETED, 20, None, AwardScope.USER, False, 10),
]
QUARTERLY = {2: Decimal("2500"), 3: Decimal("12500")}  # by tier rank
ACTIVITIES = [
    ("Webinar series for IT leaders", "Three webinars with a customer speaker; follow-up calls."),
    ("Trade show booth", "Shared booth at the regional cloud expo, with demo stations."),
    ("Search ads campaign", "Six weeks of search ads on our offerings, landing page included."),
    ("Customer roadshow", "Breakfast briefings in four cities for existing customers."),
    ("Case study video", "A two-minute video with a reference customer."),
    ("Email nurture program", "A six-email sequence to prospects who attended events."),
]
PROOF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACME_PLAN = [  # status, share of the quarter, claimed share of the approved amount
    (MdfStatus.PAID, Decimal("0.40"), Decimal("0.90")),
    (MdfStatus.CLAIMED, Decimal("0.20"), Decimal("1.00")),
    (MdfStatus.APPROVED, Decimal("0.16"), None),
    (MdfStatus.REQUESTED, Decimal("0.12"), None),
    (MdfStatus.REJECTED, Decimal("0.30"), None),
]


def demo_present() -> bool:
    return AwardRule.objects.exists() or MdfAllocation.objects.exists()


def _quarter(day: date, back: int = 0) -> tuple[str, date, date]:
    index = (day.year * 4 + (day.month - 1) // 3) - back
    year, q = divmod(index, 4)
    start = date(year, q * 3 + 1, 1)
    end = date(year + (q == 3), (q * 3 + 3) % 12 + 1, 1) - timedelta(days=1)
    return f"{year}-Q{q + 1}", start, end


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1.00"))


@dataclass
class _Context:
    now: datetime
    events: list
    manager_id: int | None


def seed_incentives(*, now: datetime, seed: int = 42) -> dict[str, int]:
    if demo_present():
        return {}
    with transaction.atomic():
        badges = {
            slug: Badge.objects.create(slug=slug, name=name, description=text, icon=icon)
            for slug, name, text, icon in BADGES
        }
        for name, kind, points, badge, scope, first_only, cap in RULES:
            AwardRule.objects.create(
                name=name,
                event_kind=kind,
                points=points,
                badge=badges.get(badge),
                scope=scope,
                first_only=first_only,
                cap=cap,
            )
    awards = awards_backfill()
    requests = _seed_funds(now=now, seed=seed)
    return {"awards": awards, "mdf_requests": requests}


def _seed_funds(*, now: datetime, seed: int) -> int:
    partners, quarterly_of = [], {}
    for partner in (
        Partner.objects.filter(status=PartnerStatus.ACTIVE, tier__isnull=False)
        .select_related("tier")
        .order_by("pk")[:80]
    ):
        # the tier's MDF benefit decides, where tiers carry typed benefits (issue 9, items 1-3)
        default = selectors.mdf_default_allocation(partner=partner)
        amount = default[0] if default else QUARTERLY.get(partner.tier.rank)
        if amount and selectors.mdf_tier_allows(partner=partner):
            partners.append(partner)
            quarterly_of[partner.pk] = amount
    admins, earliest = {}, {}
    for partner in partners:
        # the partner's first admin requests the funds, never before joining or the activation
        admin = (
            partner.memberships.filter(role=MemberRole.ADMIN).select_related("user").order_by("pk")
        ).first()
        if admin is not None and partner.activated_at is not None:
            admins[partner.pk] = admin.user_id
            earliest[partner.pk] = max(partner.activated_at, admin.user.date_joined)
    created = 0
    with transaction.atomic():
        ctx_events: list[NewEvent] = []
        for partner in partners:
            if partner.pk not in admins:
                continue
            rng = random.Random(f"{seed}:{partner.domain}")
            ctx = _Context(now=now, events=ctx_events, manager_id=partner.owner_id)
            quarterly = quarterly_of[partner.pk]
            for back in (1, 0):
                _, starts_on, _ = _quarter(now.date(), back)
                since = max(earliest[partner.pk], _midnight(starts_on, now))
                if since > now - timedelta(days=7):
                    continue  # too recent a partner (or quarter) for a history of requests
                allocation = _allocation(partner, quarterly, back, since, ctx)
                if partner.domain == "acme.example" and back == 0:
                    plan = ACME_PLAN
                else:
                    plan = _random_plan(rng, current=back == 0)
                for i, (status, share, claimed_share) in enumerate(plan):
                    title, text = ACTIVITIES[(i + back * 2 + rng.randrange(6)) % len(ACTIVITIES)]
                    _request(
                        allocation,
                        admins[partner.pk],
                        title,
                        text,
                        status,
                        _money(quarterly * share),
                        claimed_share,
                        ctx,
                        since=since,
                        offset=i,
                    )
                    created += 1
                _rebalance(allocation)
        record_events(ctx_events)
    return created


def _random_plan(rng: random.Random, *, current: bool) -> list[tuple]:
    if current:
        choices = [MdfStatus.REQUESTED, MdfStatus.APPROVED, MdfStatus.CLAIMED, MdfStatus.PAID]
    else:  # last quarter's activities are over: decided and claimed
        choices = [MdfStatus.PAID, MdfStatus.PAID, MdfStatus.REJECTED, MdfStatus.CLAIM_REJECTED]
    plan = []
    for _ in range(rng.randint(1, 3)):
        plan.append(
            (
                rng.choice(choices),
                Decimal(rng.choice([10, 15, 20, 25])) / 100,
                Decimal(rng.choice([80, 90, 100])) / 100,
            )
        )
    return plan


def _midnight(day: date, now: datetime) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo)


def _allocation(partner, quarterly: Decimal, back: int, at: datetime, ctx) -> MdfAllocation:
    period, starts_on, ends_on = _quarter(ctx.now.date(), back)
    allocation = MdfAllocation.objects.create(
        partner=partner,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=quarterly,
        currency="USD",
        created_by_id=ctx.manager_id,
    )
    ctx.events.append(
        NewEvent(
            kind=K.MDF_ALLOCATED,
            key=f"mdf.allocated:{allocation.pk}",
            partner_id=partner.pk,
            user_id=ctx.manager_id,
            occurred_at=at,
            subject_type="incentives.mdfallocation",
            subject_id=str(allocation.pk),
            properties={
                "allocation": allocation.pk,
                "period": period,
                "amount": f"{quarterly:.2f}",
                "currency": "USD",
            },
        )
    )
    return allocation


def _request(
    allocation, admin_id, title, text, status, amount, claimed_share, ctx, *, since, offset
):
    # Every step between the allocation (``since``) and now, in order: at most 0.9 of the span.
    span = ctx.now - since
    requested_at = since + span * (0.1 + 0.1 * offset)
    decided_at = requested_at + span * 0.1
    claimed_at = decided_at + span * 0.2
    request = MdfRequest(
        allocation=allocation,
        partner_id=allocation.partner_id,
        title=title,
        description=text,
        activity_starts_on=requested_at.date() + timedelta(days=7),
        activity_ends_on=requested_at.date() + timedelta(days=21),
        requested_amount=amount,
        requested_by_id=admin_id,
        requested_at=requested_at,
        status=status,
    )
    steps = [(K.MDF_REQUESTED, requested_at, admin_id, amount)]
    if status == MdfStatus.REJECTED:
        request.decided_at, request.decided_by_id = decided_at, ctx.manager_id
        request.decision_note = "Please align the activity with this quarter's campaign focus."
        steps.append((K.MDF_REJECTED, decided_at, ctx.manager_id, amount))
    elif status != MdfStatus.REQUESTED:
        request.approved_amount = amount
        request.decided_at, request.decided_by_id = decided_at, ctx.manager_id
        steps.append((K.MDF_APPROVED, decided_at, ctx.manager_id, amount))
    if status in (MdfStatus.CLAIMED, MdfStatus.PAID, MdfStatus.CLAIM_REJECTED):
        request.claimed_amount = _money(amount * claimed_share)
        request.claimed_at, request.claimed_by_id = claimed_at, admin_id
        request.proof_name, request.proof_content_type = "proof-of-execution.pdf", "application/pdf"
        request.proof.save("proof.pdf", ContentFile(PROOF), save=False)
        steps.append((K.MDF_CLAIMED, claimed_at, admin_id, request.claimed_amount))
    if status in (MdfStatus.PAID, MdfStatus.CLAIM_REJECTED):
        at = claimed_at + span * 0.1
        request.claim_decided_at, request.claim_decided_by_id = at, ctx.manager_id
        if status == MdfStatus.PAID:
            steps.append((K.MDF_CLAIM_APPROVED, at, ctx.manager_id, request.claimed_amount))
        else:
            request.claim_decision_note = "The invoices do not cover the claimed amount."
            steps.append((K.MDF_CLAIM_REJECTED, at, ctx.manager_id, request.claimed_amount))
    request.save()
    for kind, at, user_id, value in steps:
        ctx.events.append(
            NewEvent(
                kind=kind,
                key=f"{kind}:{request.pk}",
                partner_id=allocation.partner_id,
                user_id=user_id,
                occurred_at=at,
                subject_type="incentives.mdfrequest",
                subject_id=str(request.pk),
                properties={
                    "request": request.pk,
                    "allocation": allocation.pk,
                    "period": allocation.period,
                    "amount": f"{value:.2f}",
                    "currency": allocation.currency,
                },
            )
        )


def _rebalance(allocation: MdfAllocation) -> None:
    """The balances the services would have left: approved or claimed requests commit their
    approved amount, paid ones their claimed amount (which is also paid). A plan that would not
    fit is trimmed by rejecting the requests that overflow."""
    committed = paid = Decimal("0")
    for request in allocation.requests.order_by("requested_at", "pk"):
        if request.status in (MdfStatus.APPROVED, MdfStatus.CLAIMED):
            value = request.approved_amount
        elif request.status == MdfStatus.PAID:
            value = request.claimed_amount
        else:
            continue
        if committed + value > allocation.amount:
            raise ValueError(f"demo plan overspends {allocation}")  # the plans are sized to fit
        committed += value
        if request.status == MdfStatus.PAID:
            paid += value
    MdfAllocation.objects.filter(pk=allocation.pk).update(committed=committed, paid=paid)
