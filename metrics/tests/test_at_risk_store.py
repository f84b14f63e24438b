"""The at-risk set stored per scores day (metrics.at_risk_store): the partner list's at_risk
filter reads it, and a partner turning at risk is announced once (a partner.at_risk event)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from events.choices import EventKind
from events.models import Event
from metrics import at_risk_store
from metrics.definitions import at_risk_partners
from metrics.models import AdoptionScore, AtRiskDay, AtRiskPartner
from metrics.rollups import RollupResult
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory

NOW = datetime(2030, 5, 20, 12, 0, tzinfo=UTC)
D0 = date(2030, 5, 10)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def active_on(partner, d: date):
    """An adoption score row on ``d``: the partner had events in the 30 days ending ``d``, so
    it is not dormant on ``d`` (the dormant rule reads these rows)."""
    AdoptionScore.objects.create(
        partner=partner, day=d, score=50, areas=1, active_days=1, active_users=1, seats=1, events=5
    )


@pytest.fixture
def quiet(world):
    """A partner that joined long ago: dormant (at risk) on every day it has no score row."""
    with time_machine.travel(NOW, tick=False):
        yield PartnerFactory(
            name="Quiet Ltd",
            status=PartnerStatus.ACTIVE,
            joined_at=NOW - timedelta(days=400),
            activated_at=NOW - timedelta(days=390),
            owner=world.users["manager_owner"],
        )


def announced(partner) -> list[Event]:
    return list(
        Event.objects.filter(kind=EventKind.PARTNER_AT_RISK, subject_id=str(partner.pk)).order_by(
            "pk"
        )
    )


def test_the_stored_set_is_what_the_rules_say(quiet):
    active_on(quiet, day(0))
    at_risk_store.at_risk_store(day=day(1))
    stored = {row.partner_id: row.reasons for row in AtRiskPartner.objects.filter(day=day(1))}
    assert stored == {r.partner.pk: r.reasons for r in at_risk_partners(as_of=day(1))}
    assert quiet.pk in stored and stored[quiet.pk][0].startswith("Dormant")
    assert AtRiskDay.objects.get(day=day(1)).partners == len(stored)
    # a month later, the old sets are dropped
    at_risk_store.at_risk_store(day=day(1) + timedelta(days=at_risk_store.KEEP_DAYS + 1))
    assert not AtRiskDay.objects.filter(day=day(1)).exists()
    assert not AtRiskPartner.objects.filter(day=day(1)).exists()
    # recomputing replaces the day's set: active on day 1 now, no longer at risk
    active_on(quiet, day(1))
    at_risk_store.at_risk_store(day=day(1))
    assert not AtRiskPartner.objects.filter(day=day(1), partner=quiet).exists()


def test_turning_at_risk_records_one_event_across_reruns(quiet):
    active_on(quiet, day(0))  # not at risk on day 0, dormant on day 1
    assert at_risk_store.announce_turned_at_risk(day=day(1)) == 1
    assert at_risk_store.announce_turned_at_risk(day=day(1)) == 0
    at_risk_store.at_risk_store(day=day(1))  # an intraday rebuild
    assert at_risk_store.announce_turned_at_risk(day=day(1)) == 0
    (event,) = announced(quiet)
    assert event.partner_id is None  # not the partner's activity, not in its lists
    assert event.properties["partner"] == quiet.pk
    assert event.properties["day"] == day(1).isoformat()
    assert event.properties["reasons"][0].startswith("Dormant")


def test_staying_at_risk_is_not_announced_again_but_falling_again_is(quiet):
    active_on(quiet, day(0))
    assert at_risk_store.announce_turned_at_risk(day=day(1)) == 1  # turned at risk
    assert at_risk_store.announce_turned_at_risk(day=day(2)) == 0  # still at risk
    active_on(quiet, day(3))
    assert at_risk_store.announce_turned_at_risk(day=day(3)) == 0  # recovered
    assert at_risk_store.announce_turned_at_risk(day=day(4)) == 1  # fell again
    assert [e.properties["day"] for e in announced(quiet)] == [
        day(1).isoformat(),
        day(4).isoformat(),
    ]


def test_a_partner_at_risk_on_both_days_is_never_announced(quiet):
    assert at_risk_store.announce_turned_at_risk(day=day(1)) == 0
    assert AtRiskPartner.objects.filter(day=day(0), partner=quiet).exists()
    assert announced(quiet) == []


def test_the_after_rollup_step_rebuilds_when_needed_and_announces(quiet):
    today = NOW.date()
    active_on(quiet, today - timedelta(days=1))
    idle = RollupResult(ran=True)
    with time_machine.travel(NOW, tick=False):
        assert at_risk_store.after_rollup(idle, idle) == 1  # no set for today yet: built
        assert AtRiskDay.objects.filter(day=today).exists()
        assert at_risk_store.after_rollup(idle, idle) == 0  # fresh and nothing changed
        computed = AtRiskDay.objects.get(day=today).computed_at
    busy = RollupResult(ran=True, events=3)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        at_risk_store.after_rollup(busy, idle)  # events, but rebuilt a minute ago: kept
        assert AtRiskDay.objects.get(day=today).computed_at == computed
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert at_risk_store.after_rollup(busy, idle) == 0  # rebuilt, nothing new to announce
        assert AtRiskDay.objects.get(day=today).computed_at > computed
        computed = AtRiskDay.objects.get(day=today).computed_at
    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):
        at_risk_store.after_rollup(idle, idle)  # no event, but ten minutes old: rebuilt
        assert AtRiskDay.objects.get(day=today).computed_at > computed
    assert len(announced(quiet)) == 1


def test_the_list_filter_reads_the_stored_set(quiet, world):
    from partners.list_query import parse_partner_list_query
    from partners.selectors import partner_list_for_manager_home

    admin = world.users["vendor_admin"]
    with time_machine.travel(NOW, tick=False):
        query = parse_partner_list_query({"at_risk": "1"}, user=admin)
        rows = partner_list_for_manager_home(user=admin, mine=False, params=query.params)
        assert "Quiet Ltd" in {p.name for p in rows}
        assert {p.pk for p in rows} == {r.partner.pk for r in at_risk_partners()}
        assert AtRiskDay.objects.filter(day=NOW.date()).exists()  # stored on first use
        query = parse_partner_list_query({"at_risk": "0"}, user=admin)
        rows = partner_list_for_manager_home(user=admin, mine=False, params=query.params)
        assert "Quiet Ltd" not in {p.name for p in rows}
