# ruff: noqa: S608 -- SQL is assembled only from model table names and constants; values are parameters
"""Rollups: events → summary tables, in SQL, in bounded memory.

The unit of work is a *bucket*, one partner on one UTC day. Every summary row belongs to exactly
one bucket and is computed from the raw events of that bucket only, so recomputing a bucket is
idempotent and order-independent: running twice, running a backfill over the same days, or folding
in a late event (which simply touches last week's bucket) all give the same rows as a full
recompute. Nothing is added to existing counts, so a redelivered task cannot double count.

Incremental run (``rollup_incremental``, every minute from Celery beat):

1. Find a *safe upper bound*: the highest event id below which no transaction can still commit.
   Ids are taken from a sequence before commit, so ``max(id)`` alone can skip a slow writer's
   event. On Postgres we briefly take ``LOCK TABLE … IN EXCLUSIVE MODE NOWAIT`` (it conflicts with
   writers' ROW EXCLUSIVE lock, so holding it proves no insert is in flight), read ``max(id)`` and
   release it at once; NOWAIT with a few short retries means writers never queue behind us. On
   SQLite writers are serialised by the database lock our IMMEDIATE transaction holds.
2. In one transaction, lock the ``RollupState`` row (NOWAIT: an overlapping run gives up), collect
   the buckets touched by events in (watermark, upper bound], recompute those buckets in every
   summary table from raw events, recompute the adoption scores whose 30-day window contains a
   touched bucket (plus any new day), and advance the watermark. A crash rolls all of it back.

``rollup_recompute`` rebuilds a day range or everything with the same SQL, for backfills.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from metrics import conf
from metrics.models import (
    Event,
    PartnerDay,
    PartnerDayArea,
    PartnerDayKind,
    PartnerDayOffering,
    PartnerDayUser,
    RollupState,
    ScoreDirty,
)

BUCKET_MODELS = (PartnerDayKind, PartnerDayUser, PartnerDay, PartnerDayArea, PartnerDayOffering)

logger = logging.getLogger(__name__)

ROLLUP_NAME = "daily"
SCORES_NAME = "scores"
OFFERING_SLUG_MAX = 60
TOUCHED = "metrics_rollup_touched"
SOURCE = "metrics_rollup_source"
UPPER_BOUND_ATTEMPTS = 10


class RollupBusy(Exception):
    """Another rollup holds the state row, or writers kept the event table busy; try later."""


@dataclass(frozen=True)
class RollupResult:
    ran: bool
    events: int = 0
    buckets: int = 0
    watermark: int = 0
    duration_ms: int = 0
    reason: str = ""
    steps: dict = field(default_factory=dict)  # step name -> milliseconds, for logs and the bench


class _Steps(dict):
    """Milliseconds per named step of a run."""

    @contextmanager
    def timed(self, name: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self[name] = self.get(name, 0) + int((time.monotonic() - started) * 1000)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _plus_days(expr: str, days: str) -> str:
    """SQL for ``expr`` (a date) plus ``days`` (an SQL integer expression) days."""
    if _is_pg():
        return f"({expr} + {days})"
    return f"date({expr}, ({days}) || ' days')"


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if _is_pg() else f"MIN({a}, {b})"


def _starts(column: str, prefix: str) -> str:
    # substr instead of LIKE: no '%' to escape through two different DB-API parameter styles.
    return f"substr({column}, 1, {len(prefix)}) = '{prefix}'"


def _area_case(alias: str = "e") -> str:
    """The feature area of an event, or NULL; mirrors ``metrics.definitions.area_of``."""
    kind = f"{alias}.kind"
    if _is_pg():
        marketing = f"({alias}.properties -> 'marketing_asset') = 'true'::jsonb"
    else:
        marketing = f"json_type({alias}.properties, '$.marketing_asset') = 'true'"
    training = " OR ".join(
        _starts(kind, p) for p in ("course.", "lesson.", "quiz.", "certification.")
    )
    return (
        "CASE "
        f"WHEN {kind} = 'auth.login' OR {_starts(kind, 'partner.')} OR {_starts(kind, 'user.')} "
        "THEN 'portal' "
        f"WHEN {training} THEN 'training' "
        f"WHEN {_starts(kind, 'resource.')} AND {marketing} THEN 'marketing' "
        f"WHEN {_starts(kind, 'resource.')} THEN 'resources' "
        f"WHEN {_starts(kind, 'deal.')} THEN 'deals' "
        "END"
    )


def _offering_rows(source: str, where: str) -> str:
    """(id, partner_id, day, kind, slug) for every offering an event names, once per event."""
    if _is_pg():
        return f"""
            SELECT e.id, e.partner_id, e.day, e.kind, o.v #>> '{{}}' AS slug
            FROM {source} e
            CROSS JOIN LATERAL jsonb_array_elements(e.properties -> 'offerings') AS o(v)
            WHERE {where} AND jsonb_typeof(e.properties -> 'offerings') = 'array'
              AND jsonb_typeof(o.v) = 'string'
            UNION
            SELECT e.id, e.partner_id, e.day, e.kind, e.properties ->> 'offering'
            FROM {source} e
            WHERE {where} AND jsonb_typeof(e.properties -> 'offering') = 'string'
        """
    return f"""
        SELECT e.id, e.partner_id, e.day, e.kind, o.value AS slug
        FROM {source} e, json_each(e.properties, '$.offerings') AS o
        WHERE {where} AND json_type(e.properties, '$.offerings') = 'array' AND o.type = 'text'
        UNION
        SELECT e.id, e.partner_id, e.day, e.kind, json_extract(e.properties, '$.offering')
        FROM {source} e
        WHERE {where} AND json_type(e.properties, '$.offering') = 'text'
    """


@dataclass(frozen=True)
class _Scope:
    """Which buckets a rebuild covers: where their events are read from and which rows go."""

    source: str  # a relation with the Event columns, aliased ``e`` by the statements
    where: str  # predicate on ``e`` selecting the scope's events
    params: tuple  # for ``where``
    delete_where: str  # predicate on a summary table's partner_id/day
    delete_params: tuple


def _rebuild_buckets(cursor, scope: _Scope, steps: _Steps) -> None:
    """Replace every summary row of the scope's buckets with values recomputed from raw events."""
    with steps.timed("delete"):
        for model in BUCKET_MODELS:
            if scope.delete_where == "TRUE" and _is_pg():
                cursor.execute(f"TRUNCATE {_t(model)}")
            else:
                cursor.execute(
                    f"DELETE FROM {_t(model)} WHERE {scope.delete_where}", scope.delete_params
                )
    src, where, p = scope.source, scope.where, scope.params
    statements = [
        (
            "kind",
            f"""INSERT INTO {_t(PartnerDayKind)} (partner_id, day, kind, events, users)
            SELECT e.partner_id, e.day, e.kind, count(*), count(DISTINCT e.user_id)
            FROM {src} e WHERE {where} GROUP BY e.partner_id, e.day, e.kind""",
            p,
        ),
        (
            "user",
            f"""INSERT INTO {_t(PartnerDayUser)} (partner_id, day, user_id, events)
            SELECT e.partner_id, e.day, e.user_id, count(*)
            FROM {src} e WHERE {where} AND e.user_id IS NOT NULL
            GROUP BY e.partner_id, e.day, e.user_id""",
            p,
        ),
        (
            # Totals come from the two tables just built, not from another scan of the events:
            # events add up across kinds; distinct users are the rows of the user table.
            "day",
            f"""INSERT INTO {_t(PartnerDay)} (partner_id, day, events, users)
            SELECT k.partner_id, k.day, k.events, coalesce(u.users, 0)
            FROM (SELECT partner_id, day, sum(events) AS events FROM {_t(PartnerDayKind)}
                  WHERE {scope.delete_where} GROUP BY partner_id, day) k
            LEFT JOIN (SELECT partner_id, day, count(*) AS users FROM {_t(PartnerDayUser)}
                  WHERE {scope.delete_where} GROUP BY partner_id, day) u
              ON u.partner_id = k.partner_id AND u.day = k.day""",
            scope.delete_params + scope.delete_params,
        ),
        (
            "area",
            f"""INSERT INTO {_t(PartnerDayArea)} (partner_id, day, area, events, users)
            SELECT a.partner_id, a.day, a.area, count(*), count(DISTINCT a.user_id)
            FROM (SELECT e.partner_id, e.day, e.user_id, {_area_case()} AS area
                  FROM {src} e WHERE {where}) a
            WHERE a.area IS NOT NULL GROUP BY a.partner_id, a.day, a.area""",
            p,
        ),
        (
            "offering",
            f"""INSERT INTO {_t(PartnerDayOffering)} (partner_id, day, offering, kind, events)
            SELECT o.partner_id, o.day, o.slug, o.kind, count(DISTINCT o.id)
            FROM ({_offering_rows(src, where)}) o
            WHERE length(o.slug) BETWEEN 1 AND {OFFERING_SLUG_MAX}
            GROUP BY o.partner_id, o.day, o.slug, o.kind""",
            p + p,
        ),
    ]
    bulk = scope.delete_where == "TRUE" and _is_pg()
    if bulk:
        # A full rebuild into empty tables: build the unique indexes once at the end instead of
        # maintaining them row by row (2-3x faster; ../shared/PERFORMANCE.md 3h vs 3i). All in
        # this transaction, so readers see the old rows until it commits.
        with steps.timed("drop_indexes"), connection.schema_editor(atomic=False) as editor:
            for model in BUCKET_MODELS:
                for constraint in model._meta.constraints:
                    editor.remove_constraint(model, constraint)
                for index in model._meta.indexes:
                    editor.remove_index(model, index)
    for name, sql, params in statements:
        with steps.timed(name):
            cursor.execute(sql, params)
    if bulk:
        with steps.timed("build_indexes"), connection.schema_editor(atomic=False) as editor:
            for model in BUCKET_MODELS:
                for constraint in model._meta.constraints:
                    editor.add_constraint(model, constraint)
                for index in model._meta.indexes:
                    editor.add_index(model, index)


def _mark_dirty(cursor, buckets_sql: str, params: tuple, seq: int) -> None:
    """Queue buckets whose adoption scores must be recomputed (``metrics.scores``). ``seq``
    (the run's watermark) lets the scores step delete only the entries it has processed."""
    cursor.execute(
        f"""INSERT INTO {_t(ScoreDirty)} (partner_id, day, seq)
            SELECT b.partner_id, b.day, %s FROM ({buckets_sql}) b
            WHERE 1 = 1  -- SQLite needs a WHERE before ON CONFLICT after a SELECT
            ON CONFLICT (partner_id, day) DO UPDATE SET seq = EXCLUDED.seq""",
        (seq, *params),
    )


def _safe_upper_bound(cursor) -> int:
    """The highest event id below which every transaction has finished (see module docstring)."""
    if not _is_pg():
        # Our IMMEDIATE transaction holds SQLite's write lock: no writer is in flight.
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_t(Event)}")
        return int(cursor.fetchone()[0])
    for attempt in range(UPPER_BOUND_ATTEMPTS):
        try:
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {_t(Event)} IN EXCLUSIVE MODE NOWAIT")
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_t(Event)}")
                return int(cursor.fetchone()[0])
        except DatabaseError:
            time.sleep(0.05 * (attempt + 1))
    raise RollupBusy("event writers kept the table busy; the next run will catch up")


def _lock_state(name: str = ROLLUP_NAME) -> RollupState:
    RollupState.objects.get_or_create(name=name)
    try:
        return RollupState.objects.select_for_update(nowait=True).get(name=name)
    except DatabaseError as exc:
        raise RollupBusy("another rollup run is in progress") from exc


def _tune_session(cursor) -> None:
    if _is_pg():
        cursor.execute("SET LOCAL work_mem = %s", [conf.rollup_work_mem()])


def _finish(state: RollupState, *, started: float, events: int, buckets: int, **fields) -> int:
    duration_ms = int((time.monotonic() - started) * 1000)
    for name, value in fields.items():
        setattr(state, name, value)
    state.last_success_at = timezone.now()
    state.last_events = events
    state.last_buckets = buckets
    state.last_duration_ms = duration_ms
    state.save()
    return duration_ms


def rollup_incremental() -> RollupResult:
    """Fold the events recorded since the last run into the summary tables (idempotent).

    Returns ``ran=False`` with a reason when another run holds the lock; raises nothing for that.
    """
    started = time.monotonic()
    steps = _Steps()
    try:
        with connection.cursor() as cursor:
            with steps.timed("upper_bound"):
                upper = _safe_upper_bound(cursor) if _is_pg() else None
            with transaction.atomic():
                state = _lock_state()
                _tune_session(cursor)
                if upper is None:
                    upper = _safe_upper_bound(cursor)
                low, high = state.watermark, max(upper, state.watermark)
                with steps.timed("touched"):
                    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
                    cursor.execute(
                        f"CREATE TEMP TABLE {TOUCHED} AS SELECT partner_id, day, count(*) AS n "
                        f"FROM {_t(Event)} WHERE id > %s AND id <= %s AND partner_id IS NOT NULL "
                        "GROUP BY partner_id, day",
                        [low, high],
                    )
                    cursor.execute(f"SELECT count(*), coalesce(sum(n), 0) FROM {TOUCHED}")
                    buckets, events = (int(v) for v in cursor.fetchone())
                if buckets:
                    with steps.timed("source"):
                        if _is_pg():
                            cursor.execute(f"ANALYZE {TOUCHED}")
                        scope = _touched_scope()
                    _rebuild_buckets(cursor, scope, steps)
                    cursor.execute(f"DROP TABLE IF EXISTS {SOURCE}")
                    with steps.timed("dirty"):
                        _mark_dirty(cursor, f"SELECT partner_id, day FROM {TOUCHED}", (), high)
                cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
                duration_ms = _finish(
                    state, started=started, events=events, buckets=buckets, watermark=high
                )
    except RollupBusy as busy:
        logger.info("metrics rollup skipped: %s", busy)
        return RollupResult(ran=False, reason=str(busy))
    return RollupResult(
        ran=True,
        events=events,
        buckets=buckets,
        watermark=high,
        duration_ms=duration_ms,
        steps=dict(steps),
    )


def _touched_scope() -> _Scope:
    """Copy the touched buckets' events once into a temp table; every summary reads that."""
    cursor_sql = f"DROP TABLE IF EXISTS {SOURCE}"
    with connection.cursor() as cursor:
        cursor.execute(cursor_sql)
        if _is_pg():
            join = (
                "e.partner_id = t.partner_id "
                "AND e.occurred_at >= (t.day::timestamp AT TIME ZONE 'UTC') "
                "AND e.occurred_at < ((t.day + 1)::timestamp AT TIME ZONE 'UTC') "
                "AND e.day = t.day"
            )
        else:
            join = "e.partner_id = t.partner_id AND e.day = t.day"
        cursor.execute(
            f"CREATE TEMP TABLE {SOURCE} AS "
            "SELECT e.id, e.partner_id, e.day, e.user_id, e.kind, e.properties "
            f"FROM {_t(Event)} e JOIN {TOUCHED} t ON {join}"
        )
    return _Scope(
        source=SOURCE,
        where="TRUE" if _is_pg() else "1",
        params=(),
        delete_where=f"(partner_id, day) IN (SELECT partner_id, day FROM {TOUCHED})",
        delete_params=(),
    )


def rollup_recompute(*, since: date | None = None, until: date | None = None) -> RollupResult:
    """Rebuild the summary tables from raw events: everything (no dates) or the days
    ``since``..``until`` inclusive (either may be open). Gives exactly the rows incremental runs
    give. Holds the rollup lock, so it never interleaves with an incremental run."""
    started = time.monotonic()
    full = since is None and until is None
    steps = _Steps()
    try:
        with connection.cursor() as cursor:
            with steps.timed("upper_bound"):
                upper = _safe_upper_bound(cursor) if _is_pg() else None
            with transaction.atomic():
                state = _lock_state()
                _tune_session(cursor)
                if upper is None:
                    upper = _safe_upper_bound(cursor)
                high = max(upper, state.watermark)
                true = "TRUE" if _is_pg() else "1"
                where, params = ["e.partner_id IS NOT NULL AND e.id <= %s"], [high]
                dwhere, dparams = [true], []
                if since is not None:
                    where.append("e.day >= %s")
                    params.append(since)
                    dwhere.append("day >= %s")
                    dparams.append(since)
                if until is not None:
                    where.append("e.day <= %s")
                    params.append(until)
                    dwhere.append("day <= %s")
                    dparams.append(until)
                scope = _Scope(
                    source=_t(Event),
                    where=" AND ".join(where),
                    params=tuple(params),
                    delete_where=true if full else " AND ".join(dwhere[1:]),
                    delete_params=tuple(dparams),
                )
                _rebuild_buckets(cursor, scope, steps)
                if full and _is_pg():
                    with steps.timed("analyze"):
                        for model in BUCKET_MODELS:
                            cursor.execute(f"ANALYZE {_t(model)}")
                cursor.execute(
                    f"SELECT count(*) FROM {_t(PartnerDay)}"
                    + ("" if full else f" WHERE {' AND '.join(dwhere[1:])}"),
                    dparams,
                )
                buckets = int(cursor.fetchone()[0])
                with steps.timed("dirty"):
                    if full:
                        # Every score is stale: the next scores_refresh recomputes them all.
                        RollupState.objects.update_or_create(
                            name=SCORES_NAME, defaults={"scores_through": None}
                        )
                    else:
                        _mark_dirty(
                            cursor,
                            f"SELECT partner_id, day FROM {_t(PartnerDay)} WHERE "
                            + " AND ".join(dwhere[1:]),
                            tuple(dparams),
                            high,
                        )
                # A full rebuild covers every event up to ``high``: the watermark may move there.
                # A range rebuild leaves it, so events above it are still folded in later.
                fields = {"watermark": high} if full else {}
                duration_ms = _finish(state, started=started, events=0, buckets=buckets, **fields)
    except RollupBusy as busy:
        return RollupResult(ran=False, reason=str(busy))
    return RollupResult(
        ran=True, buckets=buckets, watermark=high, duration_ms=duration_ms, steps=dict(steps)
    )
