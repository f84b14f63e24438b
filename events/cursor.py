# ruff: noqa: S608 -- SQL is assembled only from the Event model's table name; values are parameters
"""Reading events since a cursor, safely bounded: the one primitive every reader of the event
log that keeps a watermark uses (metrics rollups, customers' adoption rollup, incentives'
award catch-up). See docs/events.md, "Reading events since a cursor".

The problem: on Postgres event ids come from a sequence, taken when a row is inserted, not when
its transaction commits. A transaction that commits later can hold a *smaller* id than one
already visible. A reader that moves its cursor to the largest id it has seen would skip that
event for ever.

The guarantee of ``safe_upper_bound()``: every event with an id at or below the returned bound
has committed (or rolled back) — no transaction still open holds such an id, and every later
insert gets a larger one. So a reader that only ever moves its cursor to a safe bound (or to an
id at or below it) never skips an event, and never sees one it will have to read again.

How:
- Postgres: ``LOCK TABLE metrics_event IN EXCLUSIVE MODE NOWAIT`` in its own (sub)transaction.
  EXCLUSIVE conflicts with the ROW EXCLUSIVE lock every inserting transaction holds until it
  ends, so holding it proves no insert is in flight; ``max(id)`` read under it is the bound, and
  the lock is released at once (when called outside a transaction: call it there, or an
  enclosing transaction keeps the lock, and blocks writers, until it commits). NOWAIT, retried
  with short pauses for up to ``PRM_ROLLUP_LOCK_TIMEOUT_MS``, so writers never queue behind the
  reader. If writers keep the table busy all that time, ``EventsBusy`` is raised: no bound is
  given rather than one past an open writer; the next run catches up.
- SQLite: writers are serialised by the database lock and ids are handed out under it, so ids
  commit in order and the visible ``max(id)`` is already safe.

``events_since(after, limit=…)`` returns the events with ``after < id ≤ bound`` (optionally only
some kinds, or matching a filter), oldest first, at most ``limit`` of them, and the cursor to
store once they are processed: the last id returned when the batch is full, else the bound (so
events of other kinds do not hold the cursor back). Store the new cursor in the same
transaction as the work the batch caused, under a lock on the cursor row: then each event is
processed exactly once, even across crashes, redelivered tasks and overlapping runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from events import conf
from events.models import Event


class EventsBusy(Exception):
    """Event writers kept the table busy for the whole lock timeout: no safe bound this time."""


def _table() -> str:
    return connection.ops.quote_name(Event._meta.db_table)


def safe_upper_bound(cursor=None) -> int:
    """The highest event id at or below which every transaction has ended (see module docstring).

    ``cursor``: a cursor of the default connection to use (a new one when None). Raises
    ``EventsBusy`` (Postgres) when writers kept the table busy for ``PRM_ROLLUP_LOCK_TIMEOUT_MS``.
    """
    if cursor is None:
        with connection.cursor() as own:
            return safe_upper_bound(own)
    if connection.vendor != "postgresql":
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_table()}")
        return int(cursor.fetchone()[0])
    deadline = time.monotonic() + conf.bound_lock_timeout_ms() / 1000
    pause = 0.02
    while True:
        try:
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {_table()} IN EXCLUSIVE MODE NOWAIT")
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_table()}")
                return int(cursor.fetchone()[0])
        except DatabaseError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.5)
    raise EventsBusy("event writers kept the table busy; the next run will catch up")


@dataclass(frozen=True)
class EventBatch:
    """Events with ``after < id ≤ upper`` (those asked for), oldest first, and where to go next."""

    events: list[Event]
    cursor: int  # the cursor to store once these events are processed
    upper: int  # the safe bound the batch was read under

    @property
    def more(self) -> bool:
        """Whether events below the bound may remain beyond this batch (read again from
        ``cursor`` with the same ``upper``)."""
        return self.cursor < self.upper


def events_since(
    after: int,
    *,
    limit: int,
    kinds: Iterable[str] | None = None,
    where: Q | None = None,
    upper: int | None = None,
) -> EventBatch:
    """At most ``limit`` events with ``after < id ≤ safe bound``, oldest first, restricted to
    ``kinds`` and ``where`` when given, and the new cursor (see module docstring).

    ``upper``: a bound already read with ``safe_upper_bound()`` (to read several batches under
    one bound, or to read the bound outside the caller's transaction); read here when None.
    Never returns an event of a transaction still open, nor an event at or below ``after``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if upper is None:
        upper = safe_upper_bound()
    if upper <= after:
        return EventBatch(events=[], cursor=after, upper=after)
    qs = Event.objects.filter(id__gt=after, id__lte=upper)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if where is not None:
        qs = qs.filter(where)
    events = list(qs.order_by("id")[:limit])
    cursor = events[-1].pk if len(events) == limit else upper
    return EventBatch(events=events, cursor=cursor, upper=upper)
