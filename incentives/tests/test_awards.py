"""Points and badges from events: idempotent whichever path (signal, catch-up, backfill) sees an
event, and however often."""

import pytest
from django.core.management import call_command

from events import consumers
from events.models import Event
from events.services import record_event
from events.tests.payloads import payload
from incentives import selectors, services
from incentives.choices import AwardScope
from incentives.models import Award, PartnerScore
from incentives.tests.factories import badge, rule
from partners.tests.factories import MembershipFactory, PartnerFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def awards_snapshot():
    return sorted(
        Award.objects.values_list("rule_id", "event_id", "partner_id", "user_id", "points")
    )


def points(partner) -> int:
    return selectors.score_for_partner(partner=partner).points


def won(world, key, user="partner_a_admin"):
    return record_event(
        kind="deal.won",
        key=key,
        user=world.users[user],
        properties=payload("deal.won"),
    )


def test_an_event_earns_its_points_once_and_records_an_award_event(world):
    rule(kind="deal.won", points=50)
    assert won(world, "deal.won:1")
    assert not won(world, "deal.won:1")  # the same event again (a retried request)
    assert points(world.partner_a) == 50
    event = Event.objects.get(kind="deal.won")
    awarded = Event.objects.get(kind="points.awarded")
    assert awarded.idempotency_key == f"points.awarded:{Award.objects.get().rule_id}:{event.pk}"
    assert awarded.properties["points"] == 50 and awarded.partner_id == world.partner_a.pk


def test_the_live_path_awards_the_recorded_events_without_reading_the_event_table_back(world):
    """The recorder hands its consumers the stored events with their ids: the live path must not
    look them up by key (no index on the event table's key: a scan of every partition per deal
    submitted, issue 24's load test)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule(kind="deal.won", points=50)
    with CaptureQueriesContext(connection) as queries:
        assert won(world, "deal.won:1")
    event = Event.objects.get(kind="deal.won")
    assert Award.objects.get().event_id == event.pk and points(world.partner_a) == 50
    table = Event._meta.db_table
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads if f'FROM "{table}"' in sql], reads


def test_an_event_handed_over_without_its_id_is_read_back_by_its_key(world):
    won(world, "deal.won:9")  # before the rule: nothing awarded live
    rule(kind="deal.won", points=50)
    stored = Event.objects.get(kind="deal.won")
    unsaved = Event(**{f.attname: getattr(stored, f.attname) for f in Event._meta.concrete_fields})
    unsaved.pk = None
    assert services.awards_for_new_events([unsaved]) == 1
    assert Award.objects.get().event_id == stored.pk


def test_signal_catch_up_and_backfill_all_seeing_an_event_award_it_once(world):
    rule(kind="deal.won", points=50)
    won(world, "deal.won:1")
    won(world, "deal.won:2")
    before = awards_snapshot()
    assert len(before) == 2
    assert services.awards_catch_up() == 0
    assert services.awards_catch_up() == 0  # rerun
    assert services.awards_backfill() == 0
    assert awards_snapshot() == before
    assert points(world.partner_a) == 100
    assert Event.objects.filter(kind="points.awarded").count() == 2


def test_the_catch_up_awards_what_the_live_path_missed_as_soon_as_it_is_committed(
    world, monkeypatch
):
    """No time lag: the catch-up reads below the event log's safe bound (``events.cursor``),
    which no open transaction can undercut, so a committed event is eligible at once."""
    rule(kind="deal.won", points=20)
    monkeypatch.delitem(consumers.registry, "incentives.awards")
    won(world, "deal.won:missed")
    monkeypatch.undo()
    assert points(world.partner_a) == 0
    assert services.awards_catch_up() == 1
    assert services.awards_catch_up() == 0
    assert points(world.partner_a) == 20


def test_the_catch_up_reads_in_batches_and_awards_each_missed_event_once(world, monkeypatch):
    from incentives.models import AwardCursor

    rule(kind="deal.won", points=5)
    monkeypatch.delitem(consumers.registry, "incentives.awards")
    for n in range(5):
        won(world, f"deal.won:{n}")
        record_event(
            kind="auth.login",
            key=f"login:{n}",
            user=world.users["partner_a_admin"],
            properties=payload("auth.login"),
        )
    monkeypatch.undo()
    assert services.awards_catch_up(batch_size=2, max_batches=1) == 2
    assert services.awards_catch_up(batch_size=2) == 3
    assert services.awards_catch_up(batch_size=2) == 0
    assert points(world.partner_a) == 25
    assert AwardCursor.objects.get().watermark == Event.objects.latest("id").pk


def test_first_only_per_partner_gives_the_first_deal_badge_once(world):
    first = badge("first-deal", "First deal")
    rule(kind="deal.submitted", points=100, badge=first, first_only=True, name="First deal")
    for i in range(3):
        record_event(
            kind="deal.submitted",
            key=f"sub-{i}",
            user=world.users["partner_a_user"],
            properties=payload("deal.submitted"),
        )
    record_event(
        kind="deal.submitted",
        key="sub-b",
        user=world.users["partner_b_admin"],
        properties=payload("deal.submitted"),
    )
    assert points(world.partner_a) == 100 and points(world.partner_b) == 100
    a_awards = Award.objects.filter(partner=world.partner_a)
    assert a_awards.count() == 1
    assert a_awards.get().event_id == Event.objects.get(idempotency_key="sub-0").pk
    assert [b["badge"].slug for b in selectors.badges_for_partner(partner=world.partner_a)] == [
        "first-deal"
    ]
    assert Event.objects.filter(kind="badge.earned", partner=world.partner_a).count() == 1


def test_a_per_user_cap_counts_each_person_separately(world):
    rule(kind="course.completed", points=10, scope=AwardScope.USER, cap=2)
    for user in ("partner_a_admin", "partner_a_user"):
        for i in range(3):
            record_event(
                kind="course.completed",
                key=f"{user}-{i}",
                user=world.users[user],
                properties=payload("course.completed"),
            )
    assert points(world.partner_a) == 40
    record_event(
        kind="course.completed",
        key="no-user",
        partner=world.partner_a,
        properties=payload("course.completed"),
    )
    assert points(world.partner_a) == 40  # a per-user rule needs a user


def test_a_rule_for_one_program_ignores_partners_of_others(world):
    other = ProgramFactory(name="Other", slug="other")
    rule(kind="deal.won", points=5, program=other)
    won(world, "deal.won:x")
    assert points(world.partner_a) == 0


def test_backfill_with_reset_rebuilds_the_same_awards_as_the_live_path(world):
    rule(kind="deal.won", points=30, cap=2)
    rule(kind="deal.submitted", points=0, badge=badge(), first_only=True, name="First")
    for i in range(4):
        won(world, f"w{i}")
        record_event(
            kind="deal.submitted",
            key=f"s{i}",
            user=world.users["partner_b_admin"],
            properties=payload("deal.submitted"),
        )
    live, live_points = awards_snapshot(), (points(world.partner_a), points(world.partner_b))
    call_command("incentives_backfill", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert awards_snapshot() == live
    assert (points(world.partner_a), points(world.partner_b)) == live_points == (60, 0)
    assert Event.objects.filter(kind="points.awarded").count() == 2  # not recorded twice


def test_a_rule_added_later_applies_to_history_through_the_backfill(world):
    won(world, "old-1")
    won(world, "old-2")
    rule(kind="deal.won", points=7)
    assert points(world.partner_a) == 0
    assert services.awards_backfill() == 2
    assert points(world.partner_a) == 14


def test_the_leaderboard_ranks_partners_of_the_program_and_leaves_out_those_who_opted_out(world):
    rule(kind="deal.won", points=10)
    third = PartnerFactory(
        name="Charlie", program=world.partner_a.program, tier=world.partner_a.tier
    )
    third_user = MembershipFactory(partner=third).user
    for i in range(3):
        won(world, f"a{i}")
    won(world, "b0", user="partner_b_admin")
    record_event(kind="deal.won", key="c0", user=third_user, properties=payload("deal.won"))
    board = selectors.leaderboard(program_id=world.partner_a.program_id)
    assert [(s.rank, s.partner_name, s.points) for s in board] == [
        (1, "Alpha Systems", 30),
        (2, "Bravo Consulting", 10),
        (2, "Charlie", 10),
    ]
    services.leaderboard_set_opt_out(
        partner=world.partner_a, actor=world.users["partner_a_admin"], opt_out=True
    )
    board = selectors.leaderboard(program_id=world.partner_a.program_id)
    assert "Alpha Systems" not in [s.partner_name for s in board]
    assert selectors.leaderboard_rank(partner=world.partner_a) is None
    assert selectors.leaderboard_rank(partner=world.partner_b) == 1
    assert PartnerScore.objects.get(partner=world.partner_a).points == 30
