"""Consumers off the request path (``record_events(..., consumers_later=True)``, the ingestion
API): the note of the pending dispatch commits with the events and vanishes with them, the task
hands the events to every consumer once, a failing consumer gets its misses for the catch-up, and
an ingested event still completes an onboarding step and earns points (after the task ran)."""

import dataclasses
from datetime import UTC, datetime

import pytest
from django.db import transaction

from events import consumers
from events.models import ConsumerMiss, Event, PendingDispatch
from events.services import NewEvent, record_events
from events.tasks import dispatch_pending_events
from incentives.models import PartnerScore
from incentives.tests.factories import rule

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 1, 12, tzinfo=UTC)


def usage(partner, n: int, prefix: str = "k") -> list[NewEvent]:
    return [
        NewEvent(kind="product.used", key=f"{prefix}{i}", partner_id=partner.pk, occurred_at=WHEN)
        for i in range(n)
    ]


def spy(monkeypatch, name) -> list[int]:
    seen: list[int] = []
    consumer = consumers.registry[name]

    def handle(events, _handle=consumer.handle):
        seen.extend(e.pk for e in events)
        return _handle(events)

    monkeypatch.setitem(consumers.registry, name, dataclasses.replace(consumer, handle=handle))
    return seen


def test_consumers_run_after_commit_from_the_task_once_each(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    seen = spy(monkeypatch, "incentives.awards")
    with django_capture_on_commit_callbacks() as callbacks:
        assert record_events(usage(world.partner_a, 3), consumers_later=True) == 3
    assert seen == []  # not on the writer's path
    ids = sorted(Event.objects.values_list("pk", flat=True))
    assert PendingDispatch.objects.get().event_ids == ids
    assert len(callbacks) == 1
    callbacks[0]()  # the wake-up after commit (eager in tests)
    assert seen == ids
    assert not PendingDispatch.objects.exists()
    assert dispatch_pending_events() == 0  # nothing twice
    assert seen == ids
    # a retry of the same keys stores nothing and leaves nothing to dispatch
    assert record_events(usage(world.partner_a, 3), consumers_later=True) == 0
    assert not PendingDispatch.objects.exists()


def test_the_pending_note_vanishes_with_a_rolled_back_writer(world):
    with transaction.atomic():
        record_events(usage(world.partner_a, 2), consumers_later=True)
        assert PendingDispatch.objects.count() == 1
        transaction.set_rollback(True)
    assert not PendingDispatch.objects.exists() and not Event.objects.exists()


def test_a_failing_consumer_gets_misses_and_the_others_still_run(world, monkeypatch):
    def boom(events):
        raise RuntimeError("down")

    name = "onboarding.steps"
    monkeypatch.setitem(
        consumers.registry, name, dataclasses.replace(consumers.registry[name], handle=boom)
    )
    seen = spy(monkeypatch, "incentives.awards")
    record_events(usage(world.partner_a, 2), consumers_later=True)
    assert dispatch_pending_events() == 2
    ids = sorted(Event.objects.values_list("pk", flat=True))
    assert seen == ids
    assert (
        sorted(ConsumerMiss.objects.filter(consumer=name).values_list("event_id", flat=True)) == ids
    )
    assert not PendingDispatch.objects.exists()


def test_an_ingested_event_earns_points_once_the_task_ran(world):
    rule(kind="product.used", points=7)
    record_events(usage(world.partner_a, 1), consumers_later=True)
    assert not PartnerScore.objects.filter(partner=world.partner_a, points=7).exists()
    dispatch_pending_events()
    assert PartnerScore.objects.filter(partner=world.partner_a, points=7).exists()
    dispatch_pending_events()
    assert PartnerScore.objects.get(partner=world.partner_a).points == 7
