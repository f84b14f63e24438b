"""Who consumes the event log, and how a consumer can never break the writer.

Every consumer of recorded events is registered here, once, with the event kinds it handles
(``None``: every kind, for consumers whose kinds are data, e.g. award rules or checklist steps)::

    consumers.register("webhooks.deliveries", kinds=KIND_TO_TYPE, handle=on_events_recorded)

``record_events`` calls ``dispatch`` inside the writer's transaction with the events that were
new. Each consumer runs in its own savepoint: if it raises, its work is rolled back to that
savepoint, the error is logged, and a ``ConsumerMiss`` row per event is written in the writer's
transaction (so it commits with the event, and vanishes with it if the writer rolls back). The
writer's work is kept. ``consumers_catch_up`` (a periodic task, ``prm/schedule.py``) hands the
missed events to the consumer again, oldest first, and deletes the rows once it succeeds.

Consumers must therefore be safe to run twice on an event (a catch-up may overlap a consumer that
also follows the log on its own, like incentives' watermark) and may record events themselves;
those are dispatched in turn, inside the consumer's savepoint. See docs/events.md.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F

from events.models import ConsumerMiss, Event, PendingDispatch
from kernel.enqueue import send_on_commit

logger = logging.getLogger(__name__)

ALL_KINDS = None


@dataclass(frozen=True)
class Consumer:
    name: str
    handle: Callable[[list[Event]], object]
    kinds: frozenset[str] | None  # None: every kind

    def wants(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


#: name → consumer, in registration order (the order ``dispatch`` runs them in).
registry: dict[str, Consumer] = {}


def register(name: str, *, handle: Callable, kinds: Iterable[str] | None) -> Consumer:
    """Register a consumer (from its app's ``AppConfig.ready``). A second registration of the
    same name with another function is a wiring mistake and fails at start-up."""
    consumer = Consumer(
        name=name, handle=handle, kinds=None if kinds is None else frozenset(map(str, kinds))
    )
    known = registry.get(name)
    if known is not None and known.handle is not handle:
        raise ImproperlyConfigured(f"Event consumer {name!r} is registered twice.")
    registry[name] = consumer
    return consumer


def consumers_of(kind: str) -> list[str]:
    """The names of the consumers that handle events of ``kind`` (derived from the registry), by
    name: the listing must not depend on the order the apps registered in."""
    return sorted(c.name for c in registry.values() if c.wants(kind))


def dispatch(events: list[Event]) -> None:
    """Hand newly recorded events to each consumer, inside the writer's transaction, each in its
    own savepoint. Never raises because a consumer failed."""
    for consumer in list(registry.values()):
        kinds = consumer.kinds
        mine = events if kinds is None else [e for e in events if e.kind in kinds]
        if not mine:
            continue
        exc = _handle_in_savepoint(consumer, mine, later="the catch-up will retry them")
        if exc is not None:
            ConsumerMiss.objects.bulk_create(
                [
                    ConsumerMiss(consumer=consumer.name, event_id=e.pk, last_error=_error(exc))
                    for e in mine
                ],
                ignore_conflicts=True,
            )


def dispatch_later(event_ids: list[int]) -> None:
    """Hand these new events to the consumers after the writer's transaction, off its path: one
    ``PendingDispatch`` row in the writer's transaction (it commits with the events, or vanishes
    with them), and a task woken once it commits; a periodic sweep runs it too, so a lost wake-up
    only delays the consumers. (On Postgres ``record_events`` writes the row in its recording
    statement, then calls ``wake_dispatcher``.)"""
    PendingDispatch.objects.create(event_ids=sorted(event_ids))
    wake_dispatcher()


def wake_dispatcher() -> None:
    """Wake the task that hands the ``PendingDispatch`` rows to the consumers, once the writer's
    transaction commits."""
    send_on_commit("events.tasks.dispatch_pending_events")


def dispatch_pending(*, max_batches: int = 100) -> int:
    """Give the consumers the events recorded with ``dispatch_later``, oldest batch first; returns
    how many events were handed over. Each batch is one transaction: the row is locked (``SKIP
    LOCKED``: overlapping runs split the rows), the events go through ``dispatch`` (each consumer
    in its savepoint; a failing consumer gets its ``ConsumerMiss`` rows for the catch-up) and the
    row is deleted, so a crash leaves the row for the next run and consumers (safe to run twice on
    an event) never lose one."""
    handled = 0
    for _ in range(max_batches):
        with transaction.atomic():
            pending = (
                PendingDispatch.objects.select_for_update(skip_locked=True).order_by("pk").first()
            )
            if pending is None:
                break
            events = list(Event.objects.filter(pk__in=pending.event_ids).order_by("id"))
            if events:
                dispatch(events)
            pending.delete()
            handled += len(events)
    return handled


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _handle_in_savepoint(
    consumer: Consumer, events: list[Event], *, later: str = "kept for the next run"
) -> BaseException | None:
    """Run the consumer on ``events`` in a savepoint; the exception it raised, if any (logged with
    what happens to the events ``later``)."""
    try:
        with transaction.atomic():
            consumer.handle(events)
    except Exception as exc:
        logger.exception(
            "event consumer %s failed on %d events (%s, from id %s); %s",
            consumer.name,
            len(events),
            ", ".join(sorted({e.kind for e in events})),
            events[0].pk,
            later,
        )
        return exc
    return None


def _catch_up_batch(consumer: Consumer, batch_size: int) -> tuple[int, int]:
    """One batch of a consumer's missed events, in one transaction: how many were handled and how
    many failed again (those rows stay, attempts counted); (0, 0) when none is left.

    The batch is handed over at once; if that fails, event by event, so one event the consumer
    keeps failing on holds back only itself, not the events after it."""
    with transaction.atomic():
        misses = list(
            ConsumerMiss.objects.select_for_update(skip_locked=True)  # overlapping runs split
            .filter(consumer=consumer.name)
            .order_by("event_id")[:batch_size]
        )
        if not misses:
            return 0, 0
        events = list(Event.objects.filter(pk__in=[m.event_id for m in misses]).order_by("id"))
        failed: dict[int, BaseException] = {}
        if events:
            error = _handle_in_savepoint(consumer, events)
            if error is not None and len(events) == 1:
                failed[events[0].pk] = error
            elif error is not None:
                for event in events:
                    error = _handle_in_savepoint(consumer, [event])
                    if error is not None:
                        failed[event.pk] = error
        for miss in misses:
            if miss.event_id in failed:
                ConsumerMiss.objects.filter(pk=miss.pk).update(
                    attempts=F("attempts") + 1, last_error=_error(failed[miss.event_id])
                )
        ConsumerMiss.objects.filter(pk__in=[m.pk for m in misses]).exclude(
            event_id__in=list(failed)
        ).delete()
        return len(misses) - len(failed), len(failed)


def consumers_catch_up(*, batch_size: int = 500, max_batches: int = 20) -> int:
    """Give each consumer the events it failed on; returns how many were handled now. A consumer
    still failing keeps its events (and stops for this run); the others go on."""
    handled = 0
    for consumer in list(registry.values()):
        for _ in range(max_batches):
            done, failed = _catch_up_batch(consumer, batch_size)
            handled += done
            if failed or not done:
                break  # what failed waits for the next run (retried once per run)
    orphans = ConsumerMiss.objects.exclude(consumer__in=list(registry)).count()
    if orphans:
        logger.warning("%d missed events belong to consumers no longer registered", orphans)
    return handled


def misses_pending() -> dict[str, int]:
    """Missed events still waiting, per consumer (for health checks and the admin)."""
    from django.db.models import Count

    return dict(
        ConsumerMiss.objects.values_list("consumer").annotate(n=Count("id")).order_by("consumer")
    )
