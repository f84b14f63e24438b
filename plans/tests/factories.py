"""Plans built through the services, as the pages build them."""

from plans import services


def draft_plan(*, actor, partner, fiscal_year=2026, quarter=0, goals=()):
    """A draft with ``goals``: dicts of ``services.goal_add`` arguments."""
    plan = services.plan_create(
        actor=actor, partner=partner, fiscal_year=fiscal_year, quarter=quarter
    )
    for goal in goals:
        services.goal_add(actor=actor, plan=plan, **goal)
    return plan


def approved_plan(*, partner_admin, manager, partner, **kwargs):
    plan = draft_plan(actor=partner_admin, partner=partner, **kwargs)
    services.plan_submit(actor=partner_admin, plan=plan)
    return services.plan_approve(actor=manager, plan=plan)
