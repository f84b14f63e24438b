"""Demo quarterly business reviews (``seed_demo``, issue 21): for the active partners with an
approved plan, in turn, a review held last month (its scorecard frozen then, notes, action items
from both sides, one made an initiative of a draft plan when there is one), a review coming up in
three weeks with its agenda, and a cancelled one; every review's attendees are the partner's
owner and admins. Written straight to the tables (no emails, no events), like the demo's plans;
the frozen scorecard is the real one computed at the meeting's time. Deterministic for a seed.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction

from partners.choices import PartnerStatus
from partners.selectors import partner_admins_by_partner
from plans.choices import ActionConversion, PlanStatus, ReviewStatus, Side
from plans.models import ActionItem, BusinessPlan, Initiative, QuarterlyReview, ReviewComment
from plans.snapshot import freeze

LIMIT = 24
SHAPES = ("held", "upcoming", "held", "cancelled")
ACTIONS = [
    ("Share the pipeline review for the next quarter", Side.PARTNER),
    ("Book two seats on the pre-sales certification", Side.PARTNER),
    ("Send the MDF claim template and deadlines", Side.VENDOR),
    ("Introduce the regional sales lead", Side.VENDOR),
]


@transaction.atomic
def build_business_reviews(*, vendor, now: datetime, seed: int = 42, limit: int = LIMIT) -> int:
    """Reviews for up to ``limit`` active partners with an approved plan and no review yet;
    returns how many were made (safe to run twice)."""
    rng = random.Random(f"prm-demo-reviews-{seed}")
    plans = list(
        BusinessPlan.objects.filter(
            status=PlanStatus.APPROVED,
            partner__status=PartnerStatus.ACTIVE,
            partner__business_reviews__isnull=True,
        )
        .select_related("partner__owner", "partner__program", "partner__tier")
        .order_by("partner_id", "-fiscal_year", "-quarter")
    )
    seen, chosen = set(), []
    for plan in plans:
        if plan.partner_id not in seen and len(chosen) < limit:
            seen.add(plan.partner_id)
            chosen.append(plan)
    admins = partner_admins_by_partner(partner_ids=list(seen))
    made = 0
    for index, plan in enumerate(chosen):
        partner = plan.partner
        owner = partner.owner or vendor
        people = [owner, *admins.get(partner.pk, [])[:2]]
        shape = SHAPES[index % len(SHAPES)]
        label = plan.period.label
        if shape == "held":
            starts = (now - timedelta(days=rng.randint(20, 40))).replace(
                hour=14, minute=0, second=0, microsecond=0
            )
            review = QuarterlyReview.objects.create(
                partner=partner, plan=plan, title=f"Business review · {label}", starts_at=starts,
                duration_minutes=60, meeting_url="https://meet.example.com/prm-review",
                agenda="1. Goals and pace\n2. Pipeline\n3. Enablement\n4. Next steps",
                status=ReviewStatus.HELD, snapshot=freeze(partner, now=starts), snapshot_at=starts,
                held_at=starts, created_by=owner, created_at=starts - timedelta(days=14),
                updated_at=starts,
                notes="Revenue is behind pace; certifications on track. Agreed to focus the "
                "next quarter on two named accounts.",
            )  # fmt: skip
            drafts = BusinessPlan.objects.filter(
                partner=partner, fiscal_year=plan.fiscal_year, quarter=plan.quarter,
                status=PlanStatus.DRAFT,
            ).first()  # fmt: skip
            for position, (text, side) in enumerate(rng.sample(ACTIONS, 3)):
                item = ActionItem(
                    review=review, text=text, owner_side=side,
                    owner=owner if side == Side.VENDOR else (people[1:] or [None])[0],
                    due_on=(starts + timedelta(days=rng.randint(14, 45))).date(),
                    created_by=owner, created_at=starts,
                )  # fmt: skip
                if position == 0 and drafts is not None:
                    item.initiative = Initiative.objects.create(
                        plan=drafts, title=text, owner_side=side, owner=item.owner,
                        due_on=item.due_on,
                    )  # fmt: skip
                    item.converted_to, item.converted_at = ActionConversion.INITIATIVE, starts
                    item.converted_by = owner
                item.save()
        elif shape == "upcoming":
            starts = (now + timedelta(days=21)).replace(hour=15, minute=0, second=0, microsecond=0)
            review = QuarterlyReview.objects.create(
                partner=partner, plan=plan, title=f"Business review · {label}", starts_at=starts,
                duration_minutes=90, location="Partner office, meeting room 2",
                agenda="1. Scorecard\n2. Plan changes for next quarter\n3. Vendor commitments",
                created_by=owner, created_at=now - timedelta(days=2), updated_at=now,
            )  # fmt: skip
            if len(people) > 1:
                ReviewComment.objects.create(
                    review=review, author=people[1], is_agenda_point=True, created_at=now,
                    body="Can we cover the co-marketing budget for the launch?",
                )  # fmt: skip
        else:
            starts = (now + timedelta(days=5)).replace(hour=9, minute=30, second=0, microsecond=0)
            review = QuarterlyReview.objects.create(
                partner=partner, plan=plan, title=f"Business review · {label}", starts_at=starts,
                duration_minutes=60, status=ReviewStatus.CANCELLED, cancelled_at=now,
                created_by=owner, created_at=now - timedelta(days=10), updated_at=now, sequence=1,
            )  # fmt: skip
        review.attendees.set(people)
        made += 1
    return made
