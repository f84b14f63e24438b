# ruff: noqa: S608 -- SQL is assembled only from model table names and constants; values are parameters
"""Rollups: events → summary tables, in SQL, in bounded memory.

The unit is a *bucket*: one partner on one UTC day. Every summary is keyed by bucket: events per
kind, per feature area and per offering, the users active in the bucket (``PartnerDayUser``), and
the bucket's totals (``PartnerDay``: events, distinct users). A bucket's users are the partner's
own people (``PartnerMembership`` of that partner, read when the events are rolled up); events by
vendor staff or other partners' users count in the event totals only. The only distinct count stored per
bucket is ``PartnerDay.users``; it stays exact because ``PartnerDayUser`` says whether a user was
already seen in the bucket. Distinct users over other groupings (windows, areas) are counted from
``PartnerDayUser`` where a metric needs them.

Incremental run (``rollup_incremental``, every minute from Celery beat):

1. Find a *safe upper bound*: the highest event id below which no transaction can still commit
   (``events.cursor.safe_upper_bound``, shared by every reader of the event log). Ids are taken
   from a sequence before commit, so ``max(id)`` alone can skip a slow writer's event. On
   Postgres it briefly takes ``LOCK TABLE … IN EXCLUSIVE MODE NOWAIT`` (it conflicts with
   writers' ROW EXCLUSIVE lock, so holding it proves no insert is in flight), reads ``max(id)``
   and releases it at once; NOWAIT, retried for up to PRM_ROLLUP_LOCK_TIMEOUT_MS, means writers
   never queue behind us. On SQLite writers are serialised by the database lock.
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
aggregation per table); the property tests check it gives exactly the incremental rows. A full
rebuild on Postgres writes staging tables on two connections at once and swaps them in for the
live tables at commit (``rollup_sql``, "Full rebuild by swap"): readers keep the old rows,
unblocked, until then.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Min, Q
from django.utils import timezone

from events.cursor import EventsBusy, safe_upper_bound
from events.models import Event
from metrics import conf
from metrics.models import PartnerDay, RollupState
from metrics.rollup_sql import (
    BUCKET_MODELS,
    NEW,
    SWAP_GROUPS,
    TOUCHED,
    _add_new_events,
    _area_bit,
    _is_pg,
    _live_layout,
    _mark_dirty,
    _offering_json,
    _rebuild,
    _rebuild_statements,
    _staging,
    _Steps,
    _t,
    build_staging,
    fold_statement,
    member_join,
    member_user,
    swap_in,
)

logger = logging.getLogger(__name__)

ROLLUP_NAME = "daily"
SCORES_NAME = "scores"


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
    busy: bool = False  # a lock was held (another run, or a killed run's statement still ending)


def _safe_upper_bound(cursor) -> int:
    """The highest event id below which every transaction has finished: the event log's one
    bound (``events.cursor.safe_upper_bound``, see the module docstring)."""
    try:
        return safe_upper_bound(cursor)
    except EventsBusy as busy:
        raise RollupBusy(str(busy)) from busy


def _lock_state(name: str = ROLLUP_NAME) -> RollupState:
    RollupState.objects.get_or_create(name=name)
    try:
        return RollupState.objects.select_for_update(nowait=True).get(name=name)
    except DatabaseError as exc:
        raise RollupBusy("another rollup run is in progress") from exc


# --- Partner shards (Postgres) --------------------------------------------------------------------
# An incremental run folds the partners in PRM_ROLLUP_SHARDS shards (partner_id % shards) at once,
# each in its own transaction and connection, so a run uses as many database CPUs. Each shard is
# an independent exactly-once fold: its own RollupState row ("daily" for shard 0, "daily.<k>" for
# the others), locked NOWAIT, holding its own watermark, advanced in the same transaction as its
# additions. Shards write disjoint buckets (a bucket belongs to one partner), so they never wait
# on each other's rows.


def shard_name(shard: int) -> str:
    return ROLLUP_NAME if shard == 0 else f"{ROLLUP_NAME}.{shard}"


# The state rows of the rollup's partner shards: "daily", "daily.1", …
SHARD_ROWS = Q(name=ROLLUP_NAME) | Q(name__startswith=f"{ROLLUP_NAME}.")


def shard_states():
    """Every shard's state row (the rollup's watermark is the smallest of theirs)."""
    return RollupState.objects.filter(SHARD_ROWS).order_by("name")


def rollup_watermark() -> int:
    """The event id up to which every partner shard has folded every event in (0 before the first
    run). Registered with ``events.partitions.retention_readers``: retention never drops a month
    of raw events the summaries do not hold yet."""
    return shard_states().aggregate(low=Min("watermark"))["low"] or 0


def _shard_count() -> int:
    return conf.rollup_shards() if _is_pg() else 1


def _shard_of(column: str, shard: int, shards: int) -> str:
    """SQL: ``column`` (a partner id) is in shard ``shard`` of ``shards``; empty for one shard."""
    return f"mod({column}, {shards}) = {shard}" if shards > 1 else ""


class RollupLayoutError(Exception):
    """The shard state rows are not daily, daily.1, …: only a full rebuild can tell what is folded."""


def _lock_shards(*, strict: bool = True) -> list[RollupState]:
    """Lock every shard's state row (NOWAIT), shard 0 first. ``strict``: refuse rows that are
    not a layout (a full rebuild, which refolds everything, accepts them and lays out anew)."""
    RollupState.objects.get_or_create(name=ROLLUP_NAME)
    try:
        states = list(shard_states().select_for_update(nowait=True))
    except DatabaseError as exc:
        raise RollupBusy("another rollup run is in progress") from exc
    names = sorted(s.name for s in states)
    if strict and names != sorted(shard_name(k) for k in range(len(states))):
        raise RollupLayoutError(
            f"rollup state rows {names} are not a shard layout; run rollup_metrics --full"
        )
    return sorted(states, key=lambda s: (s.name != ROLLUP_NAME, len(s.name), s.name))


def _relayout(states: list[RollupState], shards: int, watermark: int) -> None:
    """Make the state rows the ``shards`` shards, all at ``watermark`` (the caller made every
    event up to it folded for every partner, and holds the rows' locks)."""
    wanted = {shard_name(shard) for shard in range(shards)}
    for state in states:
        if state.name not in wanted:
            state.delete()
    for shard in range(shards):
        RollupState.objects.update_or_create(
            name=shard_name(shard),
            defaults={"watermark": watermark, "last_success_at": states[0].last_success_at},
        )


def _prepare_shards(shards: int, steps: _Steps) -> None:
    """Before the shards run: if the configured shard count differs from the state rows (first
    run, or PRM_ROLLUP_SHARDS changed), bring every old shard to the same watermark under the
    old layout, then lay out the new one at that watermark. Nothing is folded twice or skipped:
    a partner's events up to the common watermark are folded, and the new shard holding it
    continues from there. Holds every shard's lock (NOWAIT) while it checks."""
    with transaction.atomic(), connection.cursor() as cursor:
        states = _lock_shards()
        if len(states) == shards:
            return
        top = max(s.watermark for s in states)
        _tune_session(cursor)
        for shard, state in enumerate(states):
            if state.watermark < top:
                _fold(cursor, state, shard, len(states), top, steps)
        _relayout(states, shards, top)


def _tune_session(cursor) -> None:
    if _is_pg():
        cursor.execute("SET LOCAL work_mem = %s", [conf.rollup_work_mem()])
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [conf.rollup_work_mem()])
        # JIT compiles each big statement for 0.2-0.3 s on this workload and never repaid it.
        cursor.execute("SET LOCAL jit = off")
        # The commit need not wait for its WAL flush: a crash can lose only a whole rollup
        # transaction (its additions and its watermark together), which the next run redoes
        # from the raw events; nothing else is written in it.
        cursor.execute("SET LOCAL synchronous_commit = off")


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


def _fold(cursor, state: RollupState, shard: int, shards: int, upper: int, steps: _Steps):
    """Fold shard ``shard``'s events with ids in (its watermark, ``upper``] into the summaries
    and queue their buckets for the scores, inside the caller's transaction, which holds the
    shard's state lock. Returns (events, buckets, new watermark)."""
    low, high = state.watermark, max(upper, state.watermark)
    mine = _shard_of("e.partner_id", shard, shards)
    new = "e.id > %s AND e.id <= %s AND e.partner_id IS NOT NULL" + (f" AND {mine}" if mine else "")
    # The new events, read once (a primary-key range scan), one row per event: each upsert
    # groups them at its own grain. Grouping them here first (100k events gave 91k groups)
    # cost more CPU than it saved. Postgres also keeps each event's raw offering fields (NULL
    # for most events), so the offering upsert needs no second scan.
    offerings = f", {_offering_json()}" if _is_pg() else ""
    select_new = f"""SELECT e.id, e.partner_id, e.day, e.kind, {_area_bit()} AS area,
                            {member_user()} AS user_id{offerings}, 1 AS events
                     FROM {_t(Event)} e
                     {member_join(partners=_shard_of("partner_id", shard, shards))}
                     WHERE {new}"""
    if _is_pg():
        # One statement: the new events are a CTE in memory, read by every upsert.
        with steps.timed("fold"):
            cursor.execute(fold_statement(NEW, select_new), [low, high])
            events, buckets = cursor.fetchone()
        return int(events), int(buckets), high
    with steps.timed("group_new"):
        cursor.execute(f"DROP TABLE IF EXISTS {NEW}")
        cursor.execute(f"CREATE TEMP TABLE {NEW} AS {select_new}", [low, high])
        cursor.execute(f"SELECT count(*) FROM {NEW}")
        events = int(cursor.fetchone()[0])
    buckets = _add_new_events(cursor, NEW, new, (low, high), steps) if events else 0
    cursor.execute(f"DROP TABLE IF EXISTS {NEW}")
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
    return events, buckets, high


def _run_shard(shard: int, shards: int, upper: int | None) -> RollupResult:
    """One shard's exactly-once fold, in its own transaction (see "Partner shards")."""
    started = time.monotonic()
    steps = _Steps()
    try:
        with connection.cursor() as cursor, transaction.atomic():
            state = _lock_state(shard_name(shard))
            _tune_session(cursor)
            if upper is None:
                upper = _safe_upper_bound(cursor)
            events, buckets, high = _fold(cursor, state, shard, shards, upper, steps)
            duration_ms = _finish(
                state, started=started, events=events, buckets=buckets, watermark=high
            )
    except RollupBusy as busy:
        return RollupResult(ran=False, reason=str(busy), busy=True)
    return RollupResult(
        ran=True,
        events=events,
        buckets=buckets,
        watermark=high,
        duration_ms=duration_ms,
        steps=dict(steps),
    )


def _run_shard_in_thread(shard: int, shards: int, upper: int) -> RollupResult:
    try:
        return _run_shard(shard, shards, upper)
    finally:
        connections.close_all()  # this thread's own connection


def rollup_incremental() -> RollupResult:
    """Fold the events recorded since the last run into the summary tables (exactly once), the
    partner shards at once on Postgres (each on its own connection; one after the other inside
    an enclosing transaction, whose uncommitted rows other connections could not see).

    Returns ``ran=False`` with a reason when another run holds the lock; raises nothing for that.
    """
    started = time.monotonic()
    steps = _Steps()
    shards = _shard_count()
    try:
        upper = None
        if _is_pg():
            with steps.timed("upper_bound"), connection.cursor() as cursor:
                upper = _safe_upper_bound(cursor)
            with steps.timed("layout"):
                _prepare_shards(shards, steps)
    except RollupBusy as busy:
        logger.info("metrics rollup skipped: %s", busy)
        return RollupResult(ran=False, reason=str(busy), busy=True)
    except RollupLayoutError as error:
        logger.error("metrics rollup skipped: %s", error)
        return RollupResult(ran=False, reason=str(error))
    if shards == 1 or connection.in_atomic_block:
        results = [_run_shard(shard, shards, upper) for shard in range(shards)]
    else:
        with ThreadPoolExecutor(max_workers=shards - 1) as pool:
            others = [
                pool.submit(_run_shard_in_thread, shard, shards, upper)
                for shard in range(1, shards)
            ]
            results = [_run_shard(0, shards, upper), *(f.result() for f in others)]
    done = [r for r in results if r.ran]
    busy = any(r.busy for r in results)
    if not done:
        logger.info("metrics rollup skipped: %s", results[0].reason)
        return RollupResult(ran=False, reason=results[0].reason, busy=busy)
    for result in results:
        for name, ms in result.steps.items():
            # Shards run at once: a step costs the run its slowest shard's time.
            steps[name] = max(steps.get(name, 0), ms)
    return RollupResult(
        ran=True,
        events=sum(r.events for r in done),
        buckets=sum(r.buckets for r in done),
        watermark=min(r.watermark for r in done),
        duration_ms=int((time.monotonic() - started) * 1000),
        reason="; ".join(sorted({r.reason for r in results if not r.ran})),
        steps=dict(steps),
        busy=busy,
    )


def _stage_in_thread(group: tuple, statements: dict, layouts: dict) -> _Steps:
    """One ``SWAP_GROUPS`` group's staging tables, on this thread's own connection, committed
    (not visible to readers before the rebuild's switch)."""
    steps = _Steps()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _tune_session(cursor)
            build_staging(cursor, group, statements, layouts, steps)
        return steps
    finally:
        connections.close_all()  # this thread's own connection


def _rebuild_by_swap(cursor, where: str, steps: _Steps, *, parallel: bool) -> None:
    """Postgres full rebuild, inside the caller's transaction (which holds the rollup locks):
    every summary of the events matching ``where`` into staging tables, then swapped in for
    the live ones (``rollup_sql``, "Full rebuild by swap"). With ``parallel`` the first group
    of ``SWAP_GROUPS`` is written here and each other one on a connection of its own at once;
    a step then costs the run its slowest connection's time."""
    layouts = {model: _live_layout(cursor, model) for model in BUCKET_MODELS}
    statements = {
        name: (sql, args)
        for name, sql, args in _rebuild_statements(where, (), "TRUE", (), into=_staging)
    }
    if not parallel:
        for group in SWAP_GROUPS:
            build_staging(cursor, group, statements, layouts, steps)
    else:
        with ThreadPoolExecutor(max_workers=len(SWAP_GROUPS) - 1) as pool:
            others = [
                pool.submit(_stage_in_thread, group, statements, layouts)
                for group in SWAP_GROUPS[1:]
            ]
            try:
                build_staging(cursor, SWAP_GROUPS[0], statements, layouts, steps)
            finally:
                done = [future.result() for future in others]
        for other in done:
            for name, ms in other.items():
                steps[name] = max(steps.get(name, 0), ms)
    with steps.timed("swap"):
        swap_in(cursor, layouts)


def rollup_recompute(*, since: date | None = None, until: date | None = None) -> RollupResult:
    """Rebuild the summary tables from raw events: everything (no dates) or the days
    ``since``..``until`` inclusive (either may be open). Gives exactly the rows incremental runs
    give. Holds the rollup lock, so it never interleaves with an incremental run."""
    started = time.monotonic()
    full = since is None and until is None
    # A full rebuild writes its staging tables on several connections at once, unless called
    # inside a transaction (whose uncommitted state the others could not see): then on this one.
    parallel = not connection.in_atomic_block
    steps = _Steps()
    try:
        with connection.cursor() as cursor:
            with steps.timed("upper_bound"):
                upper = _safe_upper_bound(cursor) if _is_pg() else None
            with transaction.atomic():
                states = _lock_shards(strict=not full)
                state = states[0]
                _tune_session(cursor)
                if upper is None:
                    upper = _safe_upper_bound(cursor)
                # A full rebuild folds every event up to a new safe bound and moves the
                # watermarks there. A range rebuild must stop at each shard's watermark: events
                # above it are still to be added by that shard's next incremental run, once.
                top = max(s.watermark for s in states)
                bound = max(upper, top) if full else top
                if full or len(states) == 1:
                    folded = f"e.id <= {int(bound)}"  # one shard: bound is its watermark
                else:
                    folded = " OR ".join(
                        f"({_shard_of('e.partner_id', shard, len(states))} "
                        f"AND e.id <= {int(s.watermark)})"
                        for shard, s in enumerate(states)
                    )
                days, day_params = [], []
                if since is not None:
                    days.append("day >= %s")
                    day_params.append(since)
                if until is not None:
                    days.append("day <= %s")
                    day_params.append(until)
                day_sql = " AND ".join(days) or ("TRUE" if _is_pg() else "1")
                event_where = f"e.partner_id IS NOT NULL AND ({folded})" + "".join(
                    f" AND e.{d}" for d in days
                )
                if full and _is_pg():
                    _rebuild_by_swap(cursor, event_where, steps, parallel=parallel)
                else:
                    with steps.timed("delete"):
                        for model in BUCKET_MODELS:
                            cursor.execute(f"DELETE FROM {_t(model)} WHERE {day_sql}", day_params)
                    _rebuild(
                        cursor, event_where, tuple(day_params), day_sql, tuple(day_params), steps
                    )
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
                            top,
                        )
                if full:  # every shard now holds every event up to the bound
                    _relayout(states, _shard_count(), bound)
                fields = {"watermark": bound} if full else {}
                duration_ms = _finish(state, started=started, events=0, buckets=buckets, **fields)
    except (RollupBusy, RollupLayoutError) as busy:
        return RollupResult(ran=False, reason=str(busy))
    return RollupResult(
        ran=True, buckets=buckets, watermark=bound, duration_ms=duration_ms, steps=dict(steps)
    )
