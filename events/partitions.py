# ruff: noqa: S608 -- SQL is assembled from the table name and dates formatted here; no user input
"""Monthly partitions of the event table (Postgres only; SQLite keeps one plain table).

``metrics_event`` is partitioned by range of ``day`` (the UTC day of ``occurred_at``), one
partition per calendar month named ``metrics_event_pYYYYMM``, plus ``metrics_event_default`` for
days no partition covers (an import of old history, a clock far in the future), so a write is
never refused. ``ensure_event_partitions`` (Celery beat, daily) creates the partitions of the
coming months ahead of time; a month whose rows already sit in the default partition is moved out
of it in the same transaction. ``drop_event_partitions_before`` is retention: dropping a month
is a catalogue change, not a DELETE (../shared/PERFORMANCE.md 7g, G10). A month is dropped only
once every reader registered in ``retention_readers`` has read past it (metrics registers its
rollup: the summaries keep what the raw events said).

Idempotency cannot be a unique index on the events any more (a unique key of a partitioned table
must contain the partition column, and a retry of the same event may carry another timestamp):
see ``events.models.EventKey``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from events.models import EventKey
from kernel.registry import Registry

logger = logging.getLogger(__name__)

#: Readers of the log that must have read a month before it is dropped: name → a function that
#: returns the event id up to which that reader has read every event (registered from the
#: reader's ``AppConfig.ready``; the log imports none of them).
retention_readers: Registry[Callable[[], int]] = Registry("event retention reader")

TABLE = "metrics_event"
DEFAULT = f"{TABLE}_default"
NAME = re.compile(rf"^{TABLE}_p(\d{{4}})(\d{{2}})$")
MONTHS_AHEAD = 3


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [TABLE],
        )
        return cursor.fetchone() is not None


def existing_months() -> list[date]:
    """The months that have their own partition, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    months = []
    for name in names:
        match = NAME.match(name)
        if match:
            months.append(date(int(match.group(1)), int(match.group(2)), 1))
    return sorted(months)


def create_month(cursor, month: date) -> bool:
    """Create the partition of ``month`` unless it exists; returns whether it was created.
    Rows of that month already in the default partition are moved into it."""
    name, end = partition_name(month), add_months(month, 1)
    bounds = f"FROM ('{month.isoformat()}') TO ('{end.isoformat()}')"
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is not None:
        return False
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE day >= %s AND day < %s)", [month, end]
    )
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}")
        return True
    # The default partition holds rows of this month: attaching a partition for them would
    # fail. Move them into a new table and attach it, all in this transaction.
    cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    where = f"day >= '{month.isoformat()}' AND day < '{end.isoformat()}'"
    cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT} WHERE {where}")
    cursor.execute(f"DELETE FROM {DEFAULT} WHERE {where}")
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")
    return True


@dataclass(frozen=True)
class PartitionResult:
    created: list[str]
    dropped: list[str]


def ensure_event_partitions(
    *, months_ahead: int = MONTHS_AHEAD, today: date | None = None
) -> PartitionResult:
    """Create the partitions from the current month to ``months_ahead`` months after it (and any
    missing month between the oldest partition and now). Idempotent; nothing on SQLite."""
    if not is_partitioned():
        return PartitionResult(created=[], dropped=[])
    today = today or timezone.now().date()
    months = existing_months()
    first = min([*months, month_start(today)])
    last = add_months(month_start(today), months_ahead)
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        month = first
        while month <= last:
            if create_month(cursor, month):
                created.append(partition_name(month))
            month = add_months(month, 1)
    if created:
        logger.info("event partitions created: %s", ", ".join(created))
    return PartitionResult(created=created, dropped=[])


def drop_event_partitions_before(month: date) -> PartitionResult:
    """Retention: drop the partitions of every month before ``month`` (raw events only; the
    summary tables keep their rows). Refuses to drop a month that a reader registered in
    ``retention_readers`` (the metrics rollup) has not read yet."""
    if not is_partitioned():
        return PartitionResult(created=[], dropped=[])
    cutoff = month_start(month)
    dropped = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Each registered reader must have read every event of a month before it goes.
        readers = [(name, read()) for name, read in retention_readers.items()]
        for old in existing_months():
            if old >= cutoff:
                break
            name = partition_name(old)
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {name}")
            newest = cursor.fetchone()[0]
            behind = [reader for reader, through in readers if newest > through]
            if behind:
                raise ValueError(
                    f"{name} holds events not rolled up yet ({', '.join(behind)}); "
                    "run the rollup first."
                )
            # The keys go too: a retry of an event older than the retention period is new again.
            EventKey.objects.filter(day__gte=old, day__lt=add_months(old, 1)).delete()
            cursor.execute(f"DROP TABLE {name}")
            dropped.append(name)
    return PartitionResult(created=[], dropped=dropped)
