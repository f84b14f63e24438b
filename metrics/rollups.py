# ruff: noqa: S608 -- SQL is assembled only from model table names and constants; values are parameters
"""Rollups: events → summary tables, in SQL, in bounded memory.

The unit is a *bucket*: one partner on one UTC day. Every summary is keyed by bucket: events per
kind, per feature area and per offering, the users active in the bucket (``PartnerDayUser``), and
the bucket's totals (``PartnerDay``: events, distinct users). The only distinct count stored per
bucket is ``PartnerDay.users``; it stays exact because ``PartnerDayUser`` says whether a user was
already seen in the bucket. Distinct users over other groupings (windows, areas) are counted from
``PartnerDayUser`` where a metric needs them.

Incremental run (``rollup_incremental``, every minute from Celery beat):

1. Find a *safe upper bound*: the highest event id below which no transaction can still commit.
   Ids are taken from a sequence before commit, so ``max(id)`` alone can skip a slow writer's
   event. On Postgres we briefly take ``LOCK TABLE … IN EXCLUSIVE MODE NOWAIT`` (it conflicts with
   writers' ROW EXCLUSIVE lock, so holding it proves no insert is in flight), read ``max(id)`` and
   release it at once; NOWAIT, retried for up to PRM_ROLLUP_LOCK_TIMEOUT_MS, means writers never
   queue behind us. On
   SQLite writers are serialised by the database lock our IMMEDIATE transaction holds.
2. In one transaction: lock the ``RollupState`` row (NOWAIT: an overlapping run gives up), add the
   events with ids in (watermark, upper bound] (a primary-key range scan) to every summary
   (``ON CONFLICT … SET events = events + EXCLUDED.events``; the day's distinct-user count grows
   by the users with no ``PartnerDayUser`` row in that bucket before), queue the buckets for the
   adoption scores, and advance the watermark. The additions and the watermark
   commit together or not at all, so a redelivered task (acks_late) or a second run finds nothing
   new: exactly once. A late event (occurred last week) simply lands in last week's bucket.

The cost of a run is proportional to the new events and the buckets they touch, never to the
size of the events table or of a summary table.

``rollup_recompute`` rebuilds a day range, or everything, from raw events (``_rebuild``: one hash
aggregation per table); the property tests check it gives exactly the incremental rows.
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

BUCKET_MODELS = (PartnerDayKind, PartnerDayArea, PartnerDayUser, PartnerDay, PartnerDayOffering)

logger = logging.getLogger(__name__)

ROLLUP_NAME = "daily"
SCORES_NAME = "scores"
OFFERING_SLUG_MAX = 60
NO_USER = 0  # stands for "no user" in temporary tables; never counted as a user
TOUCHED = "metrics_rollup_touched"


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


def _per_user_table(cursor, name: str, where: str, params: tuple) -> None:
    """A temporary table (partner_id, day, user_id, events) of the events matching ``where``
    (alias ``e``), user 0 standing for events without a user."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"""CREATE TEMP TABLE {name} AS
            SELECT e.partner_id, e.day, coalesce(e.user_id, {NO_USER}) AS user_id,
                   count(*) AS events
            FROM {_t(Event)} e WHERE {where}
            GROUP BY e.partner_id, e.day, coalesce(e.user_id, {NO_USER})""",
        params,
    )
    if _is_pg():
        cursor.execute(f"ANALYZE {name}")


def _offering_select(where: str) -> str:
    return f"""SELECT o.partner_id, o.day, o.slug, o.kind, count(DISTINCT o.id)
               FROM ({_offering_rows(_t(Event), where)}) o
               WHERE length(o.slug) BETWEEN 1 AND {OFFERING_SLUG_MAX}
               GROUP BY o.partner_id, o.day, o.slug, o.kind"""


def _rebuild(cursor, where: str, params: tuple, steps: _Steps) -> None:
    """Rebuild path: compute every summary of the events matching ``where`` (alias ``e``) into
    tables that hold none of their buckets (the caller deleted them). Each table is one hash
    aggregation: per kind and per area straight from the events (the first is the raw floor
    query itself), per user once into a temporary table, per day from that. Rows are written in
    (partner, day) order: hash aggregation emits them in random order, and the score queries,
    which read a partner's 30-day window, were 1.5-2x slower on a table scattered that way."""
    per_user = "metrics_rollup_per_user"
    statements = [
        (
            "build_kind",
            f"""INSERT INTO {_t(PartnerDayKind)} (partner_id, day, kind, events)
                SELECT e.partner_id, e.day, e.kind, count(*) FROM {_t(Event)} e
                WHERE {where} GROUP BY e.partner_id, e.day, e.kind
                ORDER BY e.partner_id, e.day""",
            params,
        ),
        (
            "build_area",
            f"""INSERT INTO {_t(PartnerDayArea)} (partner_id, day, area, events)
                SELECT a.partner_id, a.day, a.area, count(*)
                FROM (SELECT e.partner_id, e.day, {_area_case()} AS area
                      FROM {_t(Event)} e WHERE {where}) a
                WHERE a.area IS NOT NULL GROUP BY a.partner_id, a.day, a.area
                ORDER BY a.partner_id, a.day""",
            params,
        ),
        (
            "build_offering",
            f"""INSERT INTO {_t(PartnerDayOffering)} (partner_id, day, offering, kind, events)
                {_offering_select(where)}""",
            params + params,
        ),
    ]
    for name, sql, args in statements:
        with steps.timed(name):
            cursor.execute(sql, args)
    with steps.timed("build_per_user"):
        _per_user_table(cursor, per_user, where, params)
    with steps.timed("build_user"):
        cursor.execute(
            f"""INSERT INTO {_t(PartnerDayUser)} (partner_id, day, user_id, events)
                SELECT u.partner_id, u.day, u.user_id, u.events
                FROM {per_user} u WHERE u.user_id <> {NO_USER}
                ORDER BY u.partner_id, u.day"""
        )
    with steps.timed("build_day"):
        cursor.execute(
            f"""INSERT INTO {_t(PartnerDay)} (partner_id, day, events, users)
                SELECT u.partner_id, u.day, sum(u.events),
                       sum(CASE WHEN u.user_id <> {NO_USER} THEN 1 ELSE 0 END)
                FROM {per_user} u GROUP BY u.partner_id, u.day ORDER BY u.partner_id, u.day"""
        )
    cursor.execute(f"DROP TABLE IF EXISTS {per_user}")


def _add_new_events(cursor, where: str, params: tuple, steps: _Steps) -> None:
    """The incremental path: add the new events (``where``, alias ``e``) to every summary, with
    work proportional to the new events and the buckets they touch, never to a table's size.
    Counts are added (``ON CONFLICT … SET events = events + EXCLUDED.events``). The one
    distinct count, ``PartnerDay.users``, grows by the users that had no ``PartnerDayUser`` row
    in that bucket before this run; those rows are read once per touched bucket through the
    (partner, day, user) index before the user table itself is updated. The property tests check
    that the result equals a rebuild from scratch."""
    users_table = _t(PartnerDayUser)
    new, old = "metrics_rollup_new", "metrics_rollup_old"
    with steps.timed("group_new"):
        cursor.execute(f"DROP TABLE IF EXISTS {new}")
        cursor.execute(
            f"""CREATE TEMP TABLE {new} AS
                SELECT a.partner_id, a.day, a.kind, a.area, a.user_id, count(*) AS events
                FROM (SELECT e.partner_id, e.day, e.kind,
                             coalesce({_area_case()}, '') AS area,
                             coalesce(e.user_id, {NO_USER}) AS user_id
                      FROM {_t(Event)} e WHERE {where}) a
                GROUP BY a.partner_id, a.day, a.kind, a.area, a.user_id""",
            params,
        )
    with steps.timed("old_users"):
        cursor.execute(f"DROP TABLE IF EXISTS {old}")
        if _is_pg():
            # LATERAL … OFFSET 0 keeps this a per-bucket index range scan: without it the planner
            # may hash the whole user table once the touched buckets are many.
            rows = (
                f"FROM {TOUCHED} t CROSS JOIN LATERAL (SELECT x.user_id FROM {users_table} x "
                "WHERE x.partner_id = t.partner_id AND x.day = t.day OFFSET 0) a"
            )
        else:
            rows = (
                f"FROM {TOUCHED} t JOIN {users_table} a ON a.partner_id = t.partner_id "
                "AND a.day = t.day"
            )
        cursor.execute(f"CREATE TEMP TABLE {old} AS SELECT t.partner_id, t.day, a.user_id {rows}")
        if _is_pg():
            cursor.execute(f"ANALYZE {new}")
            cursor.execute(f"ANALYZE {old}")

    def add(model, columns: str, select: str, keys: str, has_users: bool = False) -> str:
        table = _t(model)
        users_update = f", users = {table}.users + EXCLUDED.users" if has_users else ""
        return (
            f"INSERT INTO {table} ({columns}) {select} "
            f"ON CONFLICT ({keys}) DO UPDATE SET events = {table}.events + EXCLUDED.events"
            f"{users_update}"
        )

    first_seen = f"CASE WHEN u.user_id <> {NO_USER} AND o.user_id IS NULL THEN 1 ELSE 0 END"
    statements = [
        (
            "add_kind",
            add(
                PartnerDayKind,
                "partner_id, day, kind, events",
                f"SELECT n.partner_id, n.day, n.kind, sum(n.events) FROM {new} n WHERE 1 = 1 "
                "GROUP BY n.partner_id, n.day, n.kind",
                "partner_id, day, kind",
            ),
        ),
        (
            "add_area",
            add(
                PartnerDayArea,
                "partner_id, day, area, events",
                f"SELECT n.partner_id, n.day, n.area, sum(n.events) FROM {new} n "
                "WHERE n.area <> '' GROUP BY n.partner_id, n.day, n.area",
                "partner_id, day, area",
            ),
        ),
        (
            # Before add_user: "first seen" means no user row in the bucket before this run.
            "add_day",
            add(
                PartnerDay,
                "partner_id, day, events, users",
                f"SELECT u.partner_id, u.day, sum(u.events), sum({first_seen}) "
                f"FROM (SELECT n.partner_id, n.day, n.user_id, sum(n.events) AS events "
                f"FROM {new} n GROUP BY n.partner_id, n.day, n.user_id) u "
                f"LEFT JOIN {old} o ON o.partner_id = u.partner_id AND o.day = u.day "
                "AND o.user_id = u.user_id WHERE 1 = 1 GROUP BY u.partner_id, u.day",
                "partner_id, day",
                has_users=True,
            ),
        ),
        (
            "add_user",
            add(
                PartnerDayUser,
                "partner_id, day, user_id, events",
                f"SELECT n.partner_id, n.day, n.user_id, sum(n.events) FROM {new} n "
                f"WHERE n.user_id <> {NO_USER} GROUP BY n.partner_id, n.day, n.user_id",
                "partner_id, day, user_id",
            ),
        ),
        (
            "add_offering",
            add(
                PartnerDayOffering,
                "partner_id, day, offering, kind, events",
                _offering_select(where),
                "partner_id, day, offering, kind",
            ),
        ),
    ]
    for name, sql in statements:
        with steps.timed(name):
            cursor.execute(sql, params + params if name == "add_offering" else ())
    cursor.execute(f"DROP TABLE IF EXISTS {new}")
    cursor.execute(f"DROP TABLE IF EXISTS {old}")


@contextmanager
def _bulk_indexes(enabled: bool, steps: _Steps):
    """For a full rebuild into empty tables: drop the summary indexes and build each once at the
    end instead of maintaining it row by row (../shared/PERFORMANCE.md 3h vs 3i). All inside the
    caller's transaction, so readers keep seeing the old rows until it commits."""
    if not enabled:
        yield
        return
    with steps.timed("drop_indexes"), connection.schema_editor(atomic=False) as editor:
        for model in BUCKET_MODELS:
            for constraint in model._meta.constraints:
                editor.remove_constraint(model, constraint)
            for index in model._meta.indexes:
                editor.remove_index(model, index)
    yield
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
    # NOWAIT, retried with short pauses for up to PRM_ROLLUP_LOCK_TIMEOUT_MS: a plain waiting LOCK
    # would make every writer arriving meanwhile queue behind us.
    deadline = time.monotonic() + conf.rollup_lock_timeout_ms() / 1000
    pause = 0.02
    while True:
        try:
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {_t(Event)} IN EXCLUSIVE MODE NOWAIT")
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_t(Event)}")
                return int(cursor.fetchone()[0])
        except DatabaseError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.5)
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
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [conf.rollup_work_mem()])
        # JIT compiles each big statement for 0.2-0.3 s on this workload and never repaid it.
        cursor.execute("SET LOCAL jit = off")


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
    """Fold the events recorded since the last run into the summary tables (exactly once).

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
                new = "e.id > %s AND e.id <= %s AND e.partner_id IS NOT NULL"
                with steps.timed("touched"):
                    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
                    cursor.execute(
                        f"CREATE TEMP TABLE {TOUCHED} AS SELECT e.partner_id, e.day, "
                        f"count(*) AS n FROM {_t(Event)} e WHERE {new} "
                        "GROUP BY e.partner_id, e.day",
                        [low, high],
                    )
                    cursor.execute(f"SELECT count(*), coalesce(sum(n), 0) FROM {TOUCHED}")
                    buckets, events = (int(v) for v in cursor.fetchone())
                if buckets:
                    if _is_pg():
                        cursor.execute(f"ANALYZE {TOUCHED}")
                    _add_new_events(cursor, new, (low, high), steps)
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
                # A full rebuild folds every event up to a new safe bound and moves the
                # watermark there. A range rebuild must stop at the current watermark: events
                # above it are still to be added by the next incremental run, once.
                bound = max(upper, state.watermark) if full else state.watermark
                days, day_params = [], []
                if since is not None:
                    days.append("day >= %s")
                    day_params.append(since)
                if until is not None:
                    days.append("day <= %s")
                    day_params.append(until)
                day_sql = " AND ".join(days) or ("TRUE" if _is_pg() else "1")
                bulk = full and _is_pg()
                with steps.timed("delete"):
                    for model in BUCKET_MODELS:
                        if bulk:
                            cursor.execute(f"TRUNCATE {_t(model)}")
                        else:
                            cursor.execute(f"DELETE FROM {_t(model)} WHERE {day_sql}", day_params)
                event_where = "e.partner_id IS NOT NULL AND e.id <= %s" + "".join(
                    f" AND e.{d}" for d in days
                )
                with _bulk_indexes(bulk, steps):
                    _rebuild(cursor, event_where, (bound, *day_params), steps)
                if bulk:
                    with steps.timed("analyze"):
                        for model in BUCKET_MODELS:
                            cursor.execute(f"ANALYZE {_t(model)}")
                cursor.execute(f"SELECT count(*) FROM {_t(PartnerDay)} WHERE {day_sql}", day_params)
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
                            f"SELECT partner_id, day FROM {_t(PartnerDay)} WHERE {day_sql}",
                            tuple(day_params),
                            state.watermark,
                        )
                fields = {"watermark": bound} if full else {}
                duration_ms = _finish(state, started=started, events=0, buckets=buckets, **fields)
    except RollupBusy as busy:
        return RollupResult(ran=False, reason=str(busy))
    return RollupResult(
        ran=True, buckets=buckets, watermark=bound, duration_ms=duration_ms, steps=dict(steps)
    )
