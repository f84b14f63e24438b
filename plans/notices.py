"""Off-pace notices (issue 21): once a week, every approved plan in force with a measured goal
behind its pace (docs/metrics.md "Business plan progress") emails both sides, the partner's
admins and its owning channel manager, listing the goals behind. Nothing is sent before a quarter
of the period has gone by (early on, every flow goal is "behind" a pace of a few days).

Idempotent: the email key names the plan and the ISO week, so a rerun the same week sends
nothing twice (``kernel.outbox``). Notifications turns the email into an in-app notice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import outbox
from partners.choices import PartnerStatus
from partners.measures import measures
from partners.selectors import partner_admins_by_partner
from plans import periods
from plans.progress import progress_for_plans
from plans.selectors import plans_in_force

MIN_SHARE = Decimal("0.25")  # of the period elapsed before a goal can be called off pace


def off_pace_notices_send(*, now: datetime.datetime | None = None) -> int:
    """Queue this week's off-pace emails; returns how many plans were off pace."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    current = [
        periods.period_containing(today, quarterly=False),
        periods.period_containing(today, quarterly=True),
    ]
    plans = [
        p
        for p in plans_in_force(periods=current, partner_status=PartnerStatus.ACTIVE)
        if p.period.elapsed_share(today) >= MIN_SHARE
    ]
    progress = progress_for_plans(plans, now=now)
    admins = partner_admins_by_partner(partner_ids={p.partner_id for p in plans})
    year, week, _day = today.isocalendar()
    emails = []
    for plan in plans:
        behind = [
            {"label": str(measures.get(g.measure).label), "pace": progress[g.pk].pace_text}
            for g in plan.goals.all()
            if g.pk in progress and not progress[g.pk].on_track
        ]
        if not behind:
            continue
        owner = plan.partner.owner
        sides = [
            ("partner", [u.email for u in admins.get(plan.partner_id, [])], "plans:detail"),
            ("vendor", [owner.email] if owner is not None and owner.is_active else [],
             "plans:manage_detail"),
        ]  # fmt: skip
        for side, to, url_name in sides:
            emails.append(
                outbox.Email(
                    key=f"plans.off_pace:{plan.pk}:{side}:{year}-W{week:02}",
                    to=to,
                    # in each recipient's language (the outbox calls it under their override)
                    subject=lambda plan=plan: (
                        _("Business plan %(period)s of %(partner)s: goals behind pace")
                        % {"period": plan.period.label, "partner": plan.partner.name}
                    ),
                    template="plans_off_pace",
                    context={
                        "partner_name": plan.partner.name,
                        "period": plan.period.label,
                        "goals": behind,
                        "url": reverse(url_name, args=[plan.pk]),
                    },
                )
            )
    outbox.emails_queue(emails)
    return len(emails) // 2
