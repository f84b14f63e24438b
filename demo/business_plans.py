"""Demo business plans (``seed_demo``, issue 21): plans in every state for the active partners, so
a newcomer sees them filled in (goals measured from the demo's deals, courses and certificates,
and the adoption of one of the partner's offerings).

The first ``LIMIT`` active partners (by id) get, in turn: an approved plan for this fiscal year;
one submitted by the partner's admin and awaiting the manager; a draft; an approved version 1
superseded by an approved version 2; an approved plan with a version 2 draft under way; an approved
plan for this quarter; and nothing. Written straight to the tables (no emails, no events: the
demo's history is not a week of people approving plans). Deterministic for a seed.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from partners.choices import PartnerStatus
from partners.models import Partner
from partners.selectors import offering_list_for_partner, partner_admins_by_partner
from plans import periods
from plans.choices import CommitmentKind, InitiativeStatus, PlanStatus, Side
from plans.models import BusinessPlan, Comment, Commitment, Goal, Initiative

LIMIT = 60
SHAPES = ("approved", "submitted", "draft", "superseded", "revising", "quarter", "none")
TEXT_GOALS = [
    "Run two joint webinars",
    "Publish a customer case study",
    "Name a practice lead for the new offering",
    "Attend the partner summit",
]
INITIATIVES = [
    ("Build a pipeline of ten qualified opportunities", Side.PARTNER),
    ("Certify the pre-sales team", Side.PARTNER),
    ("Joint account planning with the regional sales team", Side.VENDOR),
    ("Quarterly enablement day on site", Side.VENDOR),
]


def _goals(plan: BusinessPlan, rng: random.Random, offering_id: int | None) -> list[Goal]:
    scale = 4 if plan.quarter == periods.YEAR else 1
    rows = [
        Goal(plan=plan, measure="revenue_12m", position=0,
             target=Decimal(rng.choice([25_000, 50_000, 100_000, 150_000]) * scale)),
        Goal(plan=plan, measure="won_deals_12m", position=1, target=Decimal(rng.randint(2, 6) * scale)),
        Goal(plan=plan, measure="certified_users", position=2, target=Decimal(rng.randint(2, 5))),
        Goal(plan=plan, measure="completed_courses", position=3, target=Decimal(rng.randint(2, 8))),
        Goal(plan=plan, text=rng.choice(TEXT_GOALS), position=4, done=rng.random() < 0.4),
    ]  # fmt: skip
    if offering_id is not None:  # adopt one offering of the partner's program by the period's end
        rows.append(Goal(plan=plan, measure="offering_adopted", subject_id=offering_id,
                         target=Decimal(1), position=5))  # fmt: skip
    return rows


def _plan(partner, admin, owner, *, period, status, version=1, previous=None, now, rng):
    created = now - timedelta(days=rng.randint(20, 60))
    plan = BusinessPlan(
        partner=partner, fiscal_year=period.fiscal_year, quarter=period.quarter, status=status,
        version=version, previous=previous, created_by=admin, created_at=created, updated_at=created,
        summary="Grow revenue with the core offerings and certify the pre-sales team.",
    )  # fmt: skip
    if status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.SUPERSEDED):
        plan.submitted_by, plan.submitted_side = admin, Side.PARTNER
        plan.submitted_at = created + timedelta(days=3)
    if status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED):
        plan.approved_by, plan.approved_at = owner or admin, created + timedelta(days=5)
    return plan


@transaction.atomic
def build_business_plans(*, vendor, now: datetime, seed: int = 42, limit: int = LIMIT) -> int:
    """Plans for up to ``limit`` active partners of every program; returns how many were made.
    Partners that already have a plan are left alone (safe to run twice)."""
    rng = random.Random(f"prm-demo-plans-{seed}")
    today = now.date()
    year = periods.period_containing(today, quarterly=False)
    quarter = periods.period_containing(today, quarterly=True)
    partners = list(
        Partner.objects.filter(status=PartnerStatus.ACTIVE, business_plans__isnull=True)
        .select_related("owner")
        .order_by("pk")[:limit]
    )
    admins = partner_admins_by_partner(partner_ids=[p.pk for p in partners])
    offering_of = {  # the first offering (by name) each partner's program and type may adopt
        p.pk: offering_list_for_partner(partner=p).order_by("name").values_list("pk", flat=True).first()
        for p in partners
    }  # fmt: skip
    made = []
    for index, partner in enumerate(partners):
        shape = SHAPES[index % len(SHAPES)]
        admin = (admins.get(partner.pk) or [partner.owner or vendor])[0]
        owner = partner.owner or vendor
        plan = {"now": now, "rng": rng}
        if shape == "approved":
            made.append(
                _plan(partner, admin, owner, period=year, status=PlanStatus.APPROVED, **plan)
            )
        elif shape == "submitted":
            made.append(
                _plan(partner, admin, owner, period=year, status=PlanStatus.SUBMITTED, **plan)
            )
        elif shape == "draft":
            made.append(_plan(partner, admin, owner, period=year, status=PlanStatus.DRAFT, **plan))
        elif shape in ("superseded", "revising"):
            first = _plan(partner, admin, owner, period=year,
                          status=PlanStatus.SUPERSEDED if shape == "superseded" else PlanStatus.APPROVED,
                          **plan)  # fmt: skip
            first.save()
            made.append(first)
            made.append(_plan(partner, admin, owner, period=year, version=2, previous=first,
                              status=PlanStatus.APPROVED if shape == "superseded" else PlanStatus.DRAFT,
                              **plan))  # fmt: skip
        elif shape == "quarter":
            made.append(
                _plan(partner, admin, owner, period=quarter, status=PlanStatus.APPROVED, **plan)
            )
    BusinessPlan.objects.bulk_create([p for p in made if p.pk is None])
    goals, initiatives, commitments, comments = [], [], [], []
    for plan in made:
        goals += _goals(plan, rng, offering_of.get(plan.partner_id))
        for title, side in rng.sample(INITIATIVES, 2):
            initiatives.append(Initiative(
                plan=plan, title=title, owner_side=side,
                owner=plan.created_by if side == Side.PARTNER else plan.partner.owner,
                due_on=plan.period.start + timedelta(days=rng.randint(30, plan.period.days - 1)),
                status=rng.choice(InitiativeStatus.values[:3]),
            ))  # fmt: skip
        commitments.append(Commitment(plan=plan, kind=CommitmentKind.MDF,
                                      amount=Decimal(rng.choice([5_000, 10_000, 20_000]))))  # fmt: skip
        commitments.append(
            Commitment(plan=plan, kind=CommitmentKind.ENABLEMENT, sessions=rng.randint(1, 4))
        )
        if plan.status == PlanStatus.SUBMITTED and plan.partner.owner is not None:
            body = "Thanks, looks solid. Can we raise the revenue target a little?"
            comments.append(
                Comment(plan=plan, author=plan.partner.owner, created_at=now, body=body)
            )
    Goal.objects.bulk_create(goals)
    Initiative.objects.bulk_create(initiatives)
    Commitment.objects.bulk_create(commitments)
    Comment.objects.bulk_create(comments)
    return len(made)
