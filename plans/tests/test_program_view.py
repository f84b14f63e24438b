"""The dashboard's business plans panel: approved share, on-track share, awaiting approval."""

import datetime
from datetime import UTC

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.choices import MemberRole, PartnerStatus
from partners.tests.factories import MembershipFactory, PartnerFactory, ProgramFactory, TierFactory
from plans import services
from plans.program import program_view
from plans.tests.factories import approved_plan, draft_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db


def _active(world, name, program=None):
    joined = timezone.now() - datetime.timedelta(days=100)
    program = program or world.partner_a.program
    tier = world.partner_a.tier if program == world.partner_a.program else None
    return PartnerFactory(program=program, tier=tier, name=name, owner=world.users["manager_owner"],
                          status=PartnerStatus.ACTIVE, joined_at=joined, activated_at=joined)  # fmt: skip


def _approved(world, partner, year, goals):
    admin = MembershipFactory(partner=partner, role=MemberRole.ADMIN).user
    return approved_plan(partner_admin=admin, manager=world.users["manager_owner"], partner=partner,
                         fiscal_year=year, goals=goals)  # fmt: skip


def test_shares_count_active_partners_approved_plans_on_track_and_awaiting(world):
    manager = world.users["manager_owner"]
    year = timezone.localdate().year
    on_pace, behind, waiting, _none = (
        _active(world, n) for n in ("On pace", "Behind", "Waiting", "None")
    )
    other = _active(world, "Elsewhere", program=ProgramFactory(name="Other", slug="other"))
    TierFactory(program=other.program, rank=1)
    won(on_pace, 100, closed_at=datetime.datetime(year, 1, 1, 12, tzinfo=UTC), n=5)
    goal = [{"measure": M.WON_DEALS_12M, "target": "1"}]
    _approved(world, on_pace, year, goal)
    _approved(world, behind, year, [{"measure": M.WON_DEALS_12M, "target": "1000"}])
    draft = draft_plan(actor=manager, partner=waiting, fiscal_year=year, goals=goal)
    services.plan_submit(actor=manager, plan=draft)
    _approved(world, other, year, goal)

    view = program_view()
    assert (view.total.active, view.total.approved, view.total.on_track, view.total.awaiting) == (
        5,
        3,
        1,
        1,
    )
    main = next(r for r in view.programs if r.program_id == world.partner_a.program_id)
    assert (main.active, main.approved, main.approved_share, main.on_track_share) == (4, 2, 50, 50)
    only_main = program_view(program_ids=[world.partner_a.program_id])
    assert only_main.total.approved == 2


def test_the_dashboard_shows_the_panel_with_drill_down_to_the_list(client_as, world):
    page = client_as("manager_owner").get(reverse("metrics:dashboard"))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="plans-program-view"' in html
    assert reverse("plans:manage_list") + "?status=submitted" in html
