"""Off-pace notices: both sides hear once a week of an approved plan's goals behind pace."""

import datetime
from datetime import UTC

import pytest

from kernel.outbox import OutboundEmail
from partners.choices import PartnerStatus
from plans.notices import off_pace_notices_send
from plans.tests.factories import approved_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db


def _plan(world, target):
    partner = world.partner_a
    partner.status = PartnerStatus.ACTIVE
    partner.joined_at = partner.activated_at = datetime.datetime(2025, 1, 1, tzinfo=UTC)
    partner.save(update_fields=["status", "joined_at", "activated_at"])
    goals = [{"measure": M.WON_DEALS_12M, "target": target}, {"text": "Webinar"}]
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    return approved_plan(
        partner_admin=admin, manager=manager, partner=partner, fiscal_year=2026, goals=goals
    )


def test_a_plan_behind_pace_emails_both_sides_once_a_week(world):
    _plan(world, "40")
    won(world.partner_a, 100, closed_at=datetime.datetime(2026, 2, 1, tzinfo=UTC), n=3)
    monday = datetime.datetime(2026, 6, 1, 9, tzinfo=UTC)  # 152 of 365 days: expected 16.7

    assert off_pace_notices_send(now=monday) == 1
    emails = OutboundEmail.objects.filter(key__startswith="plans.off_pace:")
    assert sorted(tuple(e.to) for e in emails) == [
        ("admin@alpha.example",),
        ("owner@vendor.example",),
    ]
    assert "Behind: 8% of target at 42% of the period" in emails[0].body
    assert off_pace_notices_send(now=monday + datetime.timedelta(days=2)) == 1
    assert emails.all().count() == 2  # same week: nothing new
    assert off_pace_notices_send(now=monday + datetime.timedelta(days=7)) == 1
    assert emails.all().count() == 4


def test_on_pace_plans_and_the_first_quarter_of_the_period_send_nothing(world):
    _plan(world, "4")
    won(world.partner_a, 100, closed_at=datetime.datetime(2026, 1, 5, tzinfo=UTC), n=3)
    assert off_pace_notices_send(now=datetime.datetime(2026, 6, 1, 9, tzinfo=UTC)) == 0  # 3 ≥ 1.7
    assert off_pace_notices_send(now=datetime.datetime(2026, 3, 1, 9, tzinfo=UTC)) == 0  # too early
    assert not OutboundEmail.objects.filter(key__startswith="plans.off_pace:").exists()
