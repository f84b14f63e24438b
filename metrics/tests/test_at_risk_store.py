"""The at-risk set stored per scores day (metrics.at_risk_store): the partner list's at_risk
filter reads it, and a partner turning at risk is announced once (a partner.at_risk event)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from events.choices import EventKind
from events.models import Event
from events.selectors import event_list_for_partner
from metrics import at_risk_store
from metrics.definitions import at_risk_partners
from metrics.models import AdoptionScore, AtRiskDay, AtRiskPartner
from metrics.rollups import RollupResult
from notifications.choices import PARTNER_TURNED_AT_RISK
from notifications.models import Notification
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
        # events folded: rebuilt, nothing new to announce
        computed = AtRiskDay.objects.get(day=today).computed_at
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert at_risk_store.after_rollup(RollupResult(ran=True, events=3), idle) == 0
        assert AtRiskDay.objects.get(day=today).computed_at > computed
    assert len(announced(quiet)) == 1


def test_the_owner_alone_is_told_and_partners_never_see_it(quiet, world, client_as):
    active_on(quiet, day(0))
    at_risk_store.announce_turned_at_risk(day=day(1))
    owner = world.users["manager_owner"]
    notice = Notification.objects.get(kind=PARTNER_TURNED_AT_RISK)
    assert notice.user == owner
    assert "Quiet Ltd" in notice.title
    assert "Dormant" in notice.body
    assert notice.link == reverse("partners:manager_partner", args=[quiet.pk])
    # the partner's own activity list leaves it out, whoever recorded it
    assert all(
        e.kind != EventKind.PARTNER_AT_RISK for e in event_list_for_partner(partner_id=quiet.pk)
    )
    for persona in ("partner_a_admin", "partner_a_user", "partner_b_admin"):
        page = client_as(persona).get(reverse("notifications:list"))
        assert "Quiet Ltd" not in page.content.decode()
    page = client_as("manager_owner").get(reverse("notifications:list"))
    assert "Quiet Ltd" in page.content.decode()


def test_an_unowned_partner_turning_at_risk_is_told_to_the_vendor_admins(world):
    with time_machine.travel(NOW, tick=False):
        unowned = PartnerFactory(
            name="Nobody's Ltd", status=PartnerStatus.ACTIVE, owner=None,
            joined_at=NOW - timedelta(days=400),
            activated_at=NOW - timedelta(days=390),
        )  # fmt: skip
    active_on(unowned, day(0))
    at_risk_store.announce_turned_at_risk(day=day(1))
    notices = Notification.objects.filter(kind=PARTNER_TURNED_AT_RISK)
    assert [n.user for n in notices] == [world.users["vendor_admin"]]
    assert "no owner" in notices[0].title


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


@pytest.mark.parametrize(
    ("channel", "in_app", "emailed"),
    [("none", False, False), ("both", True, True), ("in_app", True, False)],
)
def test_the_owners_preference_for_the_kind_applies(
    quiet, world, channel, in_app, emailed, django_capture_on_commit_callbacks
):
    from django.core import mail

    from notifications.models import Preference

    owner = world.users["manager_owner"]
    Preference.objects.create(user=owner, kind=PARTNER_TURNED_AT_RISK, channel=channel)
    active_on(quiet, day(0))
    with django_capture_on_commit_callbacks(execute=True):
        at_risk_store.announce_turned_at_risk(day=day(1))
    assert Notification.objects.filter(user=owner, kind=PARTNER_TURNED_AT_RISK).exists() is in_app
    assert any(m.to == [owner.email] and "Quiet Ltd" in m.subject for m in mail.outbox) is emailed
