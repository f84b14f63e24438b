"""The user-adoption rollup: counted from raw events, idempotent, incremental = full rebuild =
a naive count straight from the events."""

import random
from datetime import date

import pytest

from customers.models import CustomerAccountDay, CustomerDayUser
from customers.rollups import adoption_recompute, adoption_rollup
from customers.selectors import user_adoption_for_user
from customers.tests.factories import account, usage_items
from events.models import Event
from ingestion.api.serializers import EventItemSerializer
from ingestion.services import events_ingest

pytestmark = pytest.mark.django_db


def ingest(world, items):
    shaped = []
    for item in items:
        serializer = EventItemSerializer(data=item)
        serializer.is_valid(raise_exception=True)
        shaped.append(dict(serializer.validated_data))
    result = events_ingest(user=world.users["vendor_admin"], items=shaped)
    assert result.rejected == 0, [i.errors for i in result.items if not i.accepted]
    return result


def snapshot() -> dict:
    return {
        "users": set(CustomerDayUser.objects.values_list("account_id", "day", "user")),
        "days": set(
            CustomerAccountDay.objects.values_list(
                "account_id", "partner_id", "day", "active_users"
            )
        ),
    }


def naive() -> dict:
    """Straight from the raw events, without any rollup code."""
    users = set()
    partner_of = {}
    for e in Event.objects.filter(subject_type="customers.customeraccount"):
        if e.properties.get("customer_user"):
            users.add((int(e.subject_id), e.day, e.properties["customer_user"]))
            partner_of[int(e.subject_id)] = e.partner_id
    counts: dict = {}
    for a, d, _ in users:
        counts[(a, d)] = counts.get((a, d), 0) + 1
    return {
        "users": users,
        "days": {(a, partner_of[a], d, n) for (a, d), n in counts.items()},
    }


def test_a_user_active_twice_on_a_day_counts_once_and_a_rerun_changes_nothing(world):
    acme = account(world.partner_a, "ACME", seats=20)
    ingest(world, usage_items(world.partner_a, "ACME", ["ann", "bob"], prefix="a"))
    ingest(world, usage_items(world.partner_a, "ACME", ["ann"], prefix="again"))
    assert adoption_rollup().events >= 3
    before = snapshot()
    assert before["days"] == {(acme.pk, world.partner_a.pk, date(2026, 3, 1), 2)}
    assert adoption_rollup().events == 0
    assert snapshot() == before


def test_a_late_event_lands_on_its_own_day(world):
    acme = account(world.partner_a, "ACME", seats=20)
    ingest(world, usage_items(world.partner_a, "ACME", ["ann"], day="2026-03-05"))
    adoption_rollup()
    ingest(world, usage_items(world.partner_a, "ACME", ["bob", "cy"], day="2026-03-02"))
    adoption_rollup()
    rows = set(CustomerAccountDay.objects.values_list("account_id", "day", "active_users"))
    assert rows == {(acme.pk, date(2026, 3, 5), 1), (acme.pk, date(2026, 3, 2), 2)}


def test_random_batches_incrementally_equal_a_full_rebuild_and_a_naive_count(world):
    rng = random.Random(8)
    account(world.partner_a, "A1", seats=10)
    account(world.partner_a, "A2", seats=5)
    account(world.partner_b, "B1", seats=7)
    accounts = [(world.partner_a, "A1"), (world.partner_a, "A2"), (world.partner_b, "B1")]
    for batch in range(6):
        items = []
        for n in range(rng.randint(1, 30)):
            partner, ext = rng.choice(accounts)
            day = f"2026-03-{rng.randint(1, 9):02d}"
            user = f"user{rng.randint(1, 8)}"
            item = usage_items(partner, ext, [user], day=day, prefix=f"b{batch}n{n}")[0]
            if rng.random() < 0.2:
                item.pop("customer_user")  # account-level event: nobody active
            items.append(item)
        ingest(world, items)
        if rng.random() < 0.7:
            adoption_rollup()
    adoption_rollup()
    incremental = snapshot()
    assert incremental == naive()
    assert incremental["users"], "the stream must have produced active users"
    adoption_recompute()
    assert snapshot() == incremental
    adoption_recompute(since=date(2026, 3, 3), until=date(2026, 3, 5))
    assert snapshot() == incremental


def test_ten_active_users_of_twenty_seats_is_fifty_percent(world):
    account(world.partner_a, "ACME", seats=20)
    users = [f"u{n}" for n in range(10)]
    ingest(world, usage_items(world.partner_a, "ACME", users[:6], day="2026-03-01"))
    ingest(world, usage_items(world.partner_a, "ACME", users[4:], day="2026-03-10"))
    adoption_rollup()
    staff = user_adoption_for_user(user=world.users["vendor_admin"], as_of=date(2026, 3, 10))
    assert (staff.active_users, staff.seats, staff.adoption) == (10, 20, 50.0)
    assert staff.daily_active_users == 6
    [row] = staff.rows
    assert (row.name, row.adoption) == (world.partner_a.name, 50.0)


def test_the_same_user_id_at_two_accounts_is_two_people(world):
    account(world.partner_a, "A1", seats=5)
    account(world.partner_a, "A2", seats=5)
    ingest(
        world,
        usage_items(world.partner_a, "A1", ["ann"]) + usage_items(world.partner_a, "A2", ["ann"]),
    )
    adoption_rollup()
    adoption = user_adoption_for_user(user=world.users["partner_a_user"], as_of=date(2026, 3, 1))
    assert (adoption.by, adoption.active_users, adoption.adoption) == ("account", 2, 20.0)


def test_partners_see_only_their_own_customers_adoption(world):
    account(world.partner_a, "A1", seats=5)
    account(world.partner_b, "B1", seats=5)
    ingest(world, usage_items(world.partner_b, "B1", ["bea"]))
    adoption_rollup()
    mine = user_adoption_for_user(user=world.users["partner_a_admin"], as_of=date(2026, 3, 1))
    assert [r.name for r in mine.rows] == ["Customer A1"] and mine.active_users == 0
    other = user_adoption_for_user(
        user=world.users["partner_a_admin"], partner_id=world.partner_b.pk
    )
    assert other is None


def test_the_command_rebuilds_what_the_incremental_run_built(world):
    from django.core.management import call_command

    account(world.partner_a, "ACME", seats=20)
    ingest(world, usage_items(world.partner_a, "ACME", ["ann", "bob"]))
    call_command("rollup_user_adoption", stdout=open("/dev/null", "w"))  # noqa: SIM115
    built = snapshot()
    call_command("rollup_user_adoption", "--full", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == built and len(built["users"]) == 2


def test_a_run_folds_in_batches_each_committed_with_its_watermark_so_a_crash_redoes_nothing(
    world, monkeypatch
):
    """The rollup reads the log through ``events.cursor.events_since``, ``CHUNK`` at a time: a
    batch and the watermark move commit together, so a run that dies mid-way keeps the batches it
    finished and the next run folds each remaining event exactly once."""
    from customers import rollups
    from customers.models import AdoptionRollupState

    account(world.partner_a, "ACME", seats=20)
    monkeypatch.setattr(rollups, "CHUNK", 2)
    ingest(world, usage_items(world.partner_a, "ACME", ["ann", "bob", "cy", "dee", "eve"]))
    fold, calls = rollups._fold, []

    def dies_on_the_second_batch(events):
        calls.append(len(calls))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return fold(events)

    monkeypatch.setattr(rollups, "_fold", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        adoption_rollup()
    monkeypatch.setattr(rollups, "_fold", fold)
    about_accounts = Event.objects.filter(rollups.ABOUT_ACCOUNTS).order_by("id")
    second = list(about_accounts.values_list("id", flat=True))[1]
    assert AdoptionRollupState.objects.get(name=rollups.STATE).watermark == second
    folded = {e.properties.get("customer_user") for e in about_accounts.filter(id__lte=second)}
    assert {user for _, _, user in snapshot()["users"]} == folded - {None}
    result = adoption_rollup()
    assert result.ran and result.events == about_accounts.count() - 2
    assert snapshot() == naive() and len(snapshot()["users"]) == 5
    assert adoption_rollup().events == 0
    assert (
        AdoptionRollupState.objects.get(name=rollups.STATE).watermark
        == Event.objects.latest("id").pk
    )
