# ruff: noqa: S608 -- SQL is assembled only from model table names and constants; values are parameters
"""Adoption scores: one row per partner and day, over the 30 days ending that day.

Kept apart from the every-minute bucket rollup (``metrics.rollups``) so that folding new events
stays cheap: the rollup only queues the buckets it recomputed (``ScoreDirty``), and
``scores_refresh`` recomputes the scores whose window contains a queued bucket, plus every day
since its last run, from the summary tables (never from raw events). Same guarantees as the
rollup: a NOWAIT lock so runs never overlap, idempotent, and equal to a full recompute
(``scores_through`` reset to NULL makes the next run recompute everything). On Postgres the
rollup's partner shards are refreshed at once, one transaction each, under the run's lock
(``_refresh_shards``); elsewhere one transaction does it all.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from metrics import conf, summaries
from metrics.models import (
    AREA_BITS,
    AdoptionScore,
    FeatureArea,
    PartnerDay,
    PartnerDayUser,
    PartnerWeek,
    ScoreDelta,
    ScoreDirty,
)
from metrics.rollup_sql import (
    _is_pg,
    _least,
    _live_layout,
    _or_bits,
    _plus_days,
    _staging,
    _Steps,
    _t,
    build_keys,
    create_staging,
    swap_in,
)
from metrics.rollups import (
    SCORES_NAME,
    RollupBusy,
    RollupResult,
    _finish,
    _lock_state,
    _shard_count,
    _shard_of,
    _tune_session,
)

SCORE_WINDOW_DAYS = 30
AREA_COUNT = len(FeatureArea)
QUEUED = "metrics_scores_queued"
RANGES = "metrics_scores_ranges"
TARGETS = "metrics_scores_targets"
DELTAS = "metrics_scores_deltas"
TOUCHED = "metrics_scores_touched"


def _window_areas(bit_max: str) -> tuple[str, str]:
    """SQL for a 30-day window's feature areas: (how many areas, their mask). The mask is the OR
    of the window's day masks, taken bit by bit (SQLite has no ``bit_or`` aggregate):
    ``bit_max`` is SQL that is ``{bit}`` if the window's days used that area, else 0."""
    any_bit = [bit_max.format(bit=bit) for bit in AREA_BITS.values()]
    count = " + ".join(f"(CASE WHEN {b} > 0 THEN 1 ELSE 0 END)" for b in any_bit)
    return count, " + ".join(any_bit)


def _score_sql(g: str = "g") -> tuple[str, list]:
    """The score formula over columns areas, active_days, active_users, seats of alias ``g``."""
    return _score_expr(f"{g}.areas", f"{g}.active_days", f"{g}.active_users", f"{g}.seats")


def _day_diff(later: str, earlier: str) -> str:
    if _is_pg():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _score_expr(areas: str, active_days: str, active_users: str, seats: str) -> tuple[str, list]:
    """The score formula over SQL expressions for its four inputs (feature areas used, active
    days, active users, seats), and its parameters (docs/metrics.md, "Adoption score")."""
    weights = conf.adoption_weights()
    target_days = float(conf.adoption_frequency_target_days())
    user_part = (
        f"CASE WHEN {seats} = 0 THEN 0.0 "
        f"ELSE {_least(f'{active_users} * 1.0 / {seats}', '1.0')} END"
    )
    formula = (
        f"100.0 * (%s * {areas} / {float(AREA_COUNT)} "
        f"+ %s * {_least(f'{active_days} * 1.0 / %s', '1.0')} + %s * {user_part}) / %s"
    )
    rounded = f"round(CAST({formula} AS numeric), 1)" if _is_pg() else f"round({formula}, 1)"
    return rounded, [weights.breadth, weights.frequency, target_days, weights.users, weights.total]


def _seat_tables() -> tuple[str, str]:
    membership = get_user_model()._meta.get_field("membership").related_model
    return _t(membership), _t(get_user_model())


def _popcount(mask: str) -> str:
    """SQL: how many area bits ``mask`` has set."""
    return " + ".join(
        f"(CASE WHEN ({mask} & {bit}) > 0 THEN 1 ELSE 0 END)" for bit in AREA_BITS.values()
    )


# --- Full rebuild (``scores_through`` reset) -------------------------------------------------------
# On Postgres every score is written into a staging copy of the scores table and swapped in for
# the live one at the end of the refresh's transaction (``rollup_sql``, "Full rebuild by swap"):
# readers keep the old scores, unblocked, until the switch (a TRUNCATE locked them out for the
# whole rebuild), and the keys and the dashboard's covering index are built once, on the filled
# table. The partners are split over PRM_ROLLUP_SHARDS connections (partner_id % shards, as the
# rollup's shards): the refresh's own connection writes shard 0, then the offering spans, then
# the keys, while each other connection writes its shard and commits, and one of them then
# writes the weekly summary (``PartnerWeek``) into a staging table of its own, swapped in with
# the scores (the staging tables are invisible to readers; a failed rebuild leaves them, and the
# next one drops them). All read the same bucket rows: the refresh holds the score queues' SHARE
# lock (``_lock_queues``), so no rollup run commits to the bucket tables meanwhile. Inside an
# enclosing transaction (whose uncommitted state another connection could not see) everything
# runs on this connection. SQLite empties the table and writes it on its one connection.


# How long another connection of the rebuild waits for a lock before the refresh gives up
# (``RollupBusy``: rolled back, the next run retries). Only an ACCESS EXCLUSIVE lock (a full
# rollup rebuild switching the bucket tables, a migration) conflicts with their reads, and such
# a lock waits for this refresh's own connection to commit, which waits for them: without a
# timeout, a wait cycle the server cannot see (it runs through this process).
OTHER_LOCK_TIMEOUT = "10s"


@contextmanager
def _other_connection(*, snapshot: bool = False):
    """A cursor of this thread's own connection, in a transaction committed when the block ends
    (rolled back if it raises), with the refresh's session settings and ``OTHER_LOCK_TIMEOUT``;
    the connection is closed afterwards. ``snapshot``: the transaction reads one REPEATABLE READ
    snapshot."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _tune_session(cursor)
            if _is_pg():
                cursor.execute("SET LOCAL lock_timeout = %s", [OTHER_LOCK_TIMEOUT])
            yield cursor
    finally:
        connections.close_all()  # this thread's own connection


def _results(futures: list) -> list:
    """The other connections' results; a lock they timed out on makes the refresh busy."""
    try:
        return [future.result() for future in futures]
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) == "55P03":  # lock_not_available
            raise RollupBusy(f"a lock held another connection of the refresh: {error}") from error
        raise


def _create_staging_in_thread(layout: dict) -> None:
    """The empty staging table, created and committed on this thread's own connection (the
    other connection writes into it before the refresh commits)."""
    with _other_connection() as cursor:
        create_staging(cursor, AdoptionScore, layout)


def _stage_shard_in_thread(as_of: date, shard: int, shards: int) -> tuple[int, int]:
    """Shard ``shard``'s scores into the staging table on this thread's own connection,
    committed. Returns (rows, milliseconds)."""
    started = time.monotonic()
    with _other_connection() as cursor:
        rows = _window_scores(
            cursor, as_of=as_of, ranges=None, into=_staging(AdoptionScore), shard=(shard, shards)
        )
    return rows, int((time.monotonic() - started) * 1000)


def _weeks_in_thread(layout: dict) -> int:
    """Every ``PartnerWeek`` row into its staging table, keys built, committed, on this thread's
    own connection. Returns milliseconds."""
    started = time.monotonic()
    with _other_connection() as cursor:
        create_staging(cursor, PartnerWeek, layout)
        summaries.refresh_weeks(cursor, touched=None, into=_staging(PartnerWeek))
        build_keys(cursor, PartnerWeek, layout)
    return int((time.monotonic() - started) * 1000)


def _full_rebuild(cursor, *, as_of: date, parallel: bool, steps: _Steps) -> int:
    """Every score up to ``as_of`` and every dashboard summary, inside the refresh's transaction
    (see "Full rebuild" above; ``parallel``: split over the shards' connections). Steps:
    ``scores`` (this connection's shard), ``summaries`` (here: the offering spans), ``scores_other``
    (the wait for the other connections' shards), ``other_shards`` (the slowest of those, start
    to commit), ``keys``, ``weeks`` (the weekly summary on another connection) and
    ``weeks_wait``, ``swap``. Returns the scores written."""
    if not _is_pg():
        with steps.timed("scores"):
            cursor.execute(f"DELETE FROM {_t(AdoptionScore)}")
            rows = _window_scores(cursor, as_of=as_of, ranges=None)
        with steps.timed("summaries"):
            _full_summaries(cursor, weeks=True)
        return rows
    layouts = {AdoptionScore: _live_layout(cursor, AdoptionScore)}
    into = _staging(AdoptionScore)
    shards = _shard_count()
    if not parallel or shards == 1:
        with steps.timed("scores"):
            create_staging(cursor, AdoptionScore, layouts[AdoptionScore])
            rows = _window_scores(cursor, as_of=as_of, ranges=None, into=into)
        with steps.timed("summaries"):
            _full_summaries(cursor, weeks=True)
        with steps.timed("keys"):
            build_keys(cursor, AdoptionScore, layouts[AdoptionScore])
    else:
        layouts[PartnerWeek] = _live_layout(cursor, PartnerWeek)
        with ThreadPoolExecutor(max_workers=shards - 1) as pool:
            with steps.timed("scores"):
                _results([pool.submit(_create_staging_in_thread, layouts[AdoptionScore])])
            others = [
                pool.submit(_stage_shard_in_thread, as_of, shard, shards)
                for shard in range(1, shards)
            ]
            # Queued behind the shards (with one other connection): the other connection writes
            # the weeks while this one builds the scores' keys.
            weeks = pool.submit(_weeks_in_thread, layouts[PartnerWeek])
            try:
                with steps.timed("scores"):
                    rows = _window_scores(
                        cursor, as_of=as_of, ranges=None, into=into, shard=(0, shards)
                    )
                with steps.timed("summaries"):
                    _full_summaries(cursor, weeks=False)
            finally:
                with steps.timed("scores_other"):
                    done = _results(others)
            rows += sum(count for count, _ in done)
            steps["other_shards"] = max(ms for _, ms in done)  # the slowest other connection
            try:
                with steps.timed("keys"):
                    build_keys(cursor, AdoptionScore, layouts[AdoptionScore])
            finally:
                with steps.timed("weeks_wait"):
                    steps["weeks"] = _results([weeks])[0]
    with steps.timed("swap"):
        swap_in(cursor, layouts)
    return rows


def _full_summaries(cursor, *, weeks: bool) -> None:
    """Every dashboard summary (``metrics.summaries``), from the bucket tables: the offering
    spans, and with ``weeks`` the weekly summary."""
    summaries.refresh(partner_ids=None)
    if weeks:
        summaries.refresh_weeks(cursor, touched=None)


def _window_scores(
    cursor,
    *,
    as_of: date,
    ranges: str | None,
    into: str | None = None,
    shard: tuple[int, int] | None = None,
) -> int:
    """Insert scores into the table ``into`` (default: the scores table) in one pass of window
    functions over a dense partner-day grid, instead of joining every (partner, day) with its
    30-day window:

    - ``ranges=None`` (full rebuild): every partner (of ``shard`` = (k, n): partner_id % n = k),
      from its first active day to 29 days after its last (at most ``as_of``);
    - ``ranges`` = a table of (partner_id, lo, hi) (incremental refresh): each partner's days
      [lo, hi], read from the bucket rows of [lo - 29, hi] only, so the cost follows the days
      to recompute, never the partner's history; the old scores of those days are deleted
      first.

    Per grid day:
    - active days and events: a 30-row moving count/sum of the partner-day rows;
    - feature areas: per bit of the day's area mask, a 30-row moving count of the days using it;
    - active users: each user's active days merged into islands (a gap over 30 days starts a new
      one); an island [first, last] covers [first, last + 29]: +1 on its first day, -1 thirty
      days after its last (both from one pass over the islands, crossed with the two signs),
      and a running sum gives the distinct users of every window. With
      ``ranges`` the islands are cut at lo - 29, where the grid starts: a day d >= lo has its
      whole window [d - 29, d] in the grid, so its running sum is exact.
    """
    grid = "metrics_scores_grid"
    cursor.execute(f"DROP TABLE IF EXISTS {grid}")
    back = f"{-(SCORE_WINDOW_DAYS - 1)}"
    mine = _shard_of("partner_id", *shard) if shard else ""
    mine = f" AND {mine}" if mine else ""
    if ranges is None:
        last = _plus_days("max(day)", "29")
        source = (
            f"SELECT partner_id, min(day) AS lo, min(day) AS first, {_least(last, '%s')} AS last "
            f"FROM {_t(PartnerDay)} WHERE day <= %s{mine} GROUP BY partner_id"
        )
        source_params = [as_of, as_of]
    else:
        source = (
            f"SELECT partner_id, lo, {_plus_days('lo', back)} AS first, hi AS last FROM {ranges}"
        )
        source_params = []
    if _is_pg():
        cursor.execute(
            f"""CREATE TEMP TABLE {grid} AS
                SELECT r.partner_id, g.day::date AS day, r.lo
                FROM ({source}) r
                CROSS JOIN LATERAL generate_series(r.first, r.last, interval '1 day') AS g(day)""",
            source_params,
        )
    else:
        cursor.execute(
            f"""CREATE TEMP TABLE {grid} AS
                WITH RECURSIVE r AS ({source}),
                g(partner_id, day, last, lo) AS (
                    SELECT partner_id, first, last, lo FROM r
                    UNION ALL
                    SELECT partner_id, date(day, '+1 days'), last, lo FROM g WHERE day < last)
                SELECT partner_id, day, lo FROM g""",
            source_params,
        )
    if ranges is not None:
        if _is_pg():
            cursor.execute(f"ANALYZE {grid}")
        # The ranges' old scores, by their (partner, day) key: one index probe per day.
        cursor.execute(
            f"DELETE FROM {_t(AdoptionScore)} WHERE (partner_id, day) IN "
            f"(SELECT partner_id, day FROM {grid} WHERE day >= lo)"
        )
    if ranges is None:
        user_rows = (
            f"SELECT partner_id, user_id, day FROM {_t(PartnerDayUser)} WHERE day <= %s{mine}"
        )
        user_params = [as_of]
        seats_of = mine.replace("partner_id", "m.partner_id")
    else:
        user_rows = (
            f"SELECT u.partner_id, u.user_id, u.day FROM {_t(PartnerDayUser)} u "
            f"JOIN {ranges} r ON r.partner_id = u.partner_id "
            f"AND u.day BETWEEN {_plus_days('r.lo', back)} AND r.hi"
        )
        user_params = []
        seats_of = f"AND m.partner_id IN (SELECT partner_id FROM {ranges})"
    # A 30-row moving max of each bit of the day masks.
    # Per area bit, the window's days using it: a moving sum, which Postgres and SQLite slide
    # by adding the row that enters and removing the one that leaves (a moving max has no
    # inverse, so it re-read all 30 rows of every window, bit by bit).
    bit_days = ",\n".join(
        f"sum(CASE WHEN (pd.area_mask & {bit}) > 0 THEN 1 ELSE 0 END) OVER w AS a{bit}"
        for bit in AREA_BITS.values()
    )
    area_sum, area_mask = _window_areas("(CASE WHEN x.a{bit} > 0 THEN {bit} ELSE 0 END)")
    gap = _day_diff("day", "lag(day) OVER (PARTITION BY partner_id, user_id ORDER BY day)")
    island_end = _plus_days("i.last", "30")
    rounded, params = _score_sql()
    membership = get_user_model()._meta.get_field("membership").related_model
    members, users = _t(membership), _t(get_user_model())
    cursor.execute(
        f"""INSERT INTO {into or _t(AdoptionScore)}
                (partner_id, day, score, areas, area_mask, active_days, active_users, seats,
                 events)
            SELECT g.partner_id, g.day, {rounded}, g.areas, g.area_mask, g.active_days,
                   g.active_users, g.seats, g.events
            FROM (
                SELECT x.partner_id, x.day, x.active_days, x.events, {area_sum} AS areas,
                       {area_mask} AS area_mask, x.active_users,
                       coalesce(s.seats, 0) AS seats
                FROM (
                    SELECT gr.partner_id, gr.day, gr.lo,
                        count(pd.day) OVER w AS active_days,
                        coalesce(sum(pd.events) OVER w, 0) AS events,
                        {bit_days},
                        sum(coalesce(ud.delta, 0)) OVER (PARTITION BY gr.partner_id
                            ORDER BY gr.day ROWS UNBOUNDED PRECEDING) AS active_users
                    FROM {grid} gr
                    LEFT JOIN {_t(PartnerDay)} pd
                      ON pd.partner_id = gr.partner_id AND pd.day = gr.day
                    LEFT JOIN (
                        SELECT d.partner_id, d.day, sum(d.delta) AS delta FROM (
                            SELECT i.partner_id,
                                   CASE WHEN s.delta = 1 THEN i.first ELSE {island_end} END
                                       AS day,
                                   s.delta
                            FROM islands i
                            CROSS JOIN (SELECT 1 AS delta UNION ALL SELECT -1) s
                        ) d GROUP BY d.partner_id, d.day
                    ) ud ON ud.partner_id = gr.partner_id AND ud.day = gr.day
                    WINDOW w AS (PARTITION BY gr.partner_id ORDER BY gr.day
                                 ROWS BETWEEN {SCORE_WINDOW_DAYS - 1} PRECEDING AND CURRENT ROW)
                ) x
                LEFT JOIN (SELECT m.partner_id, count(*) AS seats FROM {members} m
                           JOIN {users} us ON us.id = m.user_id WHERE us.is_active {seats_of}
                           GROUP BY m.partner_id) s ON s.partner_id = x.partner_id
                WHERE x.active_days > 0 AND x.day >= x.lo
            ) g""".replace(
            "FROM islands i",
            f"""FROM (SELECT partner_id, user_id, min(day) AS first, max(day) AS last
                      FROM (SELECT partner_id, user_id, day,
                                   sum(brk) OVER (PARTITION BY partner_id, user_id ORDER BY day
                                                  ROWS UNBOUNDED PRECEDING) AS island
                            FROM (SELECT partner_id, user_id, day,
                                         CASE WHEN {gap} IS NULL OR {gap} > {SCORE_WINDOW_DAYS}
                                              THEN 1 ELSE 0 END AS brk
                                  FROM ({user_rows}) ur) b) c
                      GROUP BY partner_id, user_id, island) i""",
        ),
        [*params, *user_params],
    )
    count = cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {grid}")
    return count


def _target_scores(cursor) -> int:
    """Recompute the scores of the (partner_id, day) rows of ``TARGETS``: one set-based join of
    the targets with their 30-day window of bucket rows, grouped per target (hash/merge joins
    instead of five correlated lookups per target). Cheapest for lone days (one output row per
    window read); ``_window_scores`` takes the runs of days."""
    if _is_pg():
        cursor.execute(f"ANALYZE {TARGETS}")
    cursor.execute(
        f"DELETE FROM {_t(AdoptionScore)} WHERE (partner_id, day) IN "
        f"(SELECT partner_id, day FROM {TARGETS})"
    )
    members, users = _seat_tables()
    start = _plus_days("t.day", f"{-(SCORE_WINDOW_DAYS - 1)}")
    window = f"w.partner_id = t.partner_id AND w.day BETWEEN {start} AND t.day"
    rounded, params = _score_expr("g.areas", "g.active_days", "g.active_users", "g.seats")

    def per_target(select: str, table) -> str:
        # One set-based join of all targets with their 30-day window, grouped per target:
        # hash/merge joins instead of five correlated lookups per target.
        return (
            f"SELECT t.partner_id, t.day, {select} FROM {TARGETS} t "
            f"JOIN {_t(table)} w ON {window} GROUP BY t.partner_id, t.day"
        )

    on = "ON {0}.partner_id = d.partner_id AND {0}.day = d.day"
    areas_sql, mask_sql = _window_areas("max(w.area_mask & {bit})")
    day_select = (
        "count(*) AS active_days, sum(w.events) AS events, "
        f"{areas_sql} AS areas, {mask_sql} AS area_mask"
    )
    cursor.execute(
        f"""INSERT INTO {_t(AdoptionScore)}
                (partner_id, day, score, areas, area_mask, active_days, active_users, seats,
                 events)
            SELECT g.partner_id, g.day, {rounded}, g.areas, g.area_mask, g.active_days,
                   g.active_users, g.seats, g.events
            FROM (
                SELECT d.partner_id, d.day, d.active_days, d.events,
                       coalesce(u.active_users, 0) AS active_users, d.areas, d.area_mask,
                       coalesce(s.seats, 0) AS seats
                FROM ({per_target(day_select, PartnerDay)}) d
                LEFT JOIN ({per_target("count(DISTINCT w.user_id) AS active_users", PartnerDayUser)}) u
                  {on.format("u")}
                LEFT JOIN (SELECT m.partner_id, count(*) AS seats FROM {members} m
                           JOIN {users} us ON us.id = m.user_id
                           WHERE us.is_active AND m.partner_id IN
                                 (SELECT partner_id FROM {TARGETS})
                           GROUP BY m.partner_id) s ON s.partner_id = d.partner_id
            ) g""",
        params,
    )
    count = cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {TARGETS}")
    return count


def _refresh_scores(cursor, *, as_of: date, new_after: date, touched: str, mine: str = "") -> int:
    """Recompute the scores whose 30-day window holds a bucket of ``touched`` (a table of
    (partner_id, day): the buckets to recompute) or that end on a day in (new_after, as_of] (a
    day since the last run) for a partner active in that window; days after ``as_of`` never get
    a score. Per partner that is one range of days [lo, hi]: from its earliest touched bucket
    (or new_after + 1) to 29 days after its latest (or as_of), at most ``as_of``. A range's
    scores are deleted and rewritten from the bucket rows of [lo - 29, hi] only: set-based and
    proportional to the touched partner-days, not to the partners' history. ``mine``: SQL on
    ``partner_id`` keeping one shard's partners (empty: all)."""
    cursor.execute(f"DROP TABLE IF EXISTS {RANGES}")
    hi = _plus_days("day", f"{SCORE_WINDOW_DAYS - 1}")
    parts = [f"SELECT partner_id, day AS lo, {hi} AS hi FROM {touched}"]
    params: list = []
    if new_after < as_of:
        parts.append(
            f"SELECT DISTINCT partner_id, %s, %s FROM {_t(PartnerDay)} WHERE day > %s AND day <= %s"
            + (f" AND {mine}" if mine else "")
        )
        params += [
            new_after + timedelta(days=1),
            as_of,
            new_after - timedelta(days=SCORE_WINDOW_DAYS),
            as_of,
        ]
    capped = _least("max(hi)", "%s")
    cursor.execute(
        f"""CREATE TEMP TABLE {RANGES} AS
            SELECT partner_id, min(lo) AS lo, {capped} AS hi
            FROM ({" UNION ALL ".join(parts)}) x
            GROUP BY partner_id HAVING min(lo) <= {capped}""",
        [as_of, *params, as_of],
    )
    # A one-day range (a partner's bucket of today, or the day that passed) is one score: the
    # per-target join reads its window once, where the window functions would slide over a
    # 30-day lead-in for it. Longer ranges (late buckets) go through the window functions.
    cursor.execute(f"DROP TABLE IF EXISTS {TARGETS}")
    cursor.execute(
        f"CREATE TEMP TABLE {TARGETS} AS SELECT partner_id, lo AS day FROM {RANGES} WHERE lo = hi"
    )
    cursor.execute(f"DELETE FROM {RANGES} WHERE lo = hi")
    count = _target_scores(cursor)
    if _is_pg():
        cursor.execute(f"ANALYZE {RANGES}")
    count += _window_scores(cursor, as_of=as_of, ranges=RANGES)
    cursor.execute(f"DROP TABLE IF EXISTS {RANGES}")
    return count


def _days_0_to_29() -> str:
    """SQL: a table ``k`` of the integers 0..29 (the offsets of a bucket's 30 windows)."""
    return " UNION ALL ".join(f"SELECT {k} AS k" for k in range(SCORE_WINDOW_DAYS))


def _apply_deltas(cursor, *, deltas: str, through: date) -> int:
    """Add the queued deltas of ``deltas`` (rows of ``ScoreDelta``) to the stored scores of the
    days d <= ``through`` (the last day the scores reached: every such day without a row has an
    empty window) whose window [d - 29, d] holds the delta's bucket, instead of re-reading those
    windows. For a bucket of day L, on each day d in [L, min(L + 29, through)]:

    - events += the events added; active days += 1 if the run created the bucket; area mask |=
      the new events' mask (OR-ing bits already in the window changes nothing), areas = its
      bit count;
    - active users += 1 per user u first seen in the bucket that the window did not hold: no
      active day of u in [d - 29, L - 1] (any: the earliest first-seen day of u in a window
      counts it, once) and none already stored in [L + 1, d]. With p = u's previous active day
      before L and n = its next one after L that was not first seen in these deltas, that is
      d in [max(L, p + 30), min(L + 29, n - 1)] (``PartnerDayUser``'s (partner, user, day)
      index finds p and n: two probes per first-seen user);
    - seats: the partner's active users now, and the score from the new values (as a recompute
      writes them).

    A day with no row gets one (its window was empty: its values are the deltas'). Returns the
    scores written."""
    buckets = "metrics_scores_delta_buckets"
    firsts = "metrics_scores_delta_users"
    bumps = "metrics_scores_delta_days"
    around = "metrics_scores_delta_around"
    for table in (buckets, firsts, bumps, around):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"""CREATE TEMP TABLE {buckets} AS
            SELECT partner_id, day, sum(events) AS events, {_or_bits("area_mask")} AS area_mask,
                   max(CASE WHEN new_day THEN 1 ELSE 0 END) AS new_day
            FROM {deltas} WHERE user_id IS NULL AND day <= %s GROUP BY partner_id, day""",
        [through],
    )
    cursor.execute(
        f"""CREATE TEMP TABLE {firsts} AS
            SELECT DISTINCT partner_id, day, user_id FROM {deltas}
            WHERE user_id IS NOT NULL AND day <= %s""",
        [through],
    )
    if _is_pg():
        cursor.execute(f"ANALYZE {buckets}")
        cursor.execute(f"ANALYZE {firsts}")
    pdu = _t(PartnerDayUser)
    same_user = "x.partner_id = f.partner_id AND x.user_id = f.user_id"
    previous = f"(SELECT max(x.day) FROM {pdu} x WHERE {same_user} AND x.day < f.day)"
    # The next stored day: only a day before ``through`` can end a window early.
    following = (
        f"(SELECT min(x.day) FROM {pdu} x WHERE {same_user} AND x.day > f.day "
        f"AND x.day <= %s AND NOT EXISTS (SELECT 1 FROM {firsts} g WHERE g.partner_id = "
        "x.partner_id AND g.user_id = x.user_id AND g.day = x.day))"
    )
    first_day = f"CASE WHEN p.prev IS NULL THEN p.day ELSE {_plus_days('p.prev', '30')} END"
    last_day = _least(
        _least(_plus_days("p.day", f"{SCORE_WINDOW_DAYS - 1}"), "%s"),
        f"CASE WHEN p.next IS NULL THEN %s ELSE {_plus_days('p.next', '-1')} END",
    )
    # Each first-seen user's neighbours, looked up once (a temporary table: inlined into the
    # per-day expansion below, the planner evaluated the lookups once per day).
    cursor.execute(f"CREATE INDEX {firsts}_idx ON {firsts} (partner_id, user_id, day)")
    cursor.execute(f"DROP TABLE IF EXISTS {around}")
    cursor.execute(
        f"""CREATE TEMP TABLE {around} AS
            SELECT f.partner_id, f.day, {previous} AS prev,
                   CASE WHEN f.day < %s THEN {following} END AS next
            FROM {firsts} f""",
        [through, through],
    )
    # Per (partner, day): the first-seen users the day's window gains.
    cursor.execute(
        f"""CREATE TEMP TABLE {bumps} AS
            SELECT p.partner_id, {_plus_days("p.day", "k.k")} AS day, count(*) AS users
            FROM {around} p CROSS JOIN ({_days_0_to_29()}) k
            WHERE {_plus_days("p.day", "k.k")} >= {first_day}
              AND {_plus_days("p.day", "k.k")} <= {last_day}
            GROUP BY 1, 2""",
        [through, through],
    )
    if _is_pg():
        cursor.execute(f"ANALYZE {bumps}")
    table = _t(AdoptionScore)
    members, users = _seat_tables()
    mask = f"{table}.area_mask | EXCLUDED.area_mask"
    rounded, params = _score_expr(
        f"({_popcount(mask)})",
        f"({table}.active_days + EXCLUDED.active_days)",
        f"({table}.active_users + EXCLUDED.active_users)",
        "EXCLUDED.seats",
    )
    new_rounded, new_params = _score_expr("g.areas", "g.active_days", "g.active_users", "g.seats")
    day = _plus_days("b.day", "k.k")
    cursor.execute(
        f"""INSERT INTO {table}
                (partner_id, day, score, areas, area_mask, active_days, active_users, seats,
                 events)
            SELECT g.partner_id, g.day, {new_rounded}, g.areas, g.area_mask, g.active_days,
                   g.active_users, g.seats, g.events
            FROM (
                SELECT d.partner_id, d.day, d.events, d.active_days, d.area_mask,
                       {_popcount("d.area_mask")} AS areas,
                       coalesce(u.users, 0) AS active_users, coalesce(s.seats, 0) AS seats
                FROM (SELECT b.partner_id, {day} AS day, sum(b.events) AS events,
                             sum(b.new_day) AS active_days, {_or_bits("b.area_mask")} AS area_mask
                      FROM {buckets} b CROSS JOIN ({_days_0_to_29()}) k
                      WHERE {day} <= %s
                      GROUP BY 1, 2) d
                LEFT JOIN {bumps} u ON u.partner_id = d.partner_id AND u.day = d.day
                LEFT JOIN (SELECT m.partner_id, count(*) AS seats FROM {members} m
                           JOIN {users} us ON us.id = m.user_id
                           WHERE us.is_active AND m.partner_id IN
                                 (SELECT partner_id FROM {buckets})
                           GROUP BY m.partner_id) s ON s.partner_id = d.partner_id
            ) g
            ORDER BY g.partner_id, g.day
            ON CONFLICT (partner_id, day) DO UPDATE SET
                events = {table}.events + EXCLUDED.events,
                active_days = {table}.active_days + EXCLUDED.active_days,
                area_mask = {mask},
                areas = {_popcount(mask)},
                active_users = {table}.active_users + EXCLUDED.active_users,
                seats = EXCLUDED.seats,
                score = {rounded}""",
        [*new_params, through, *params],
    )
    count = cursor.rowcount
    for table in (buckets, firsts, bumps, around):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return count


def _lock_queues(cursor) -> None:
    """Postgres, one connection: no rollup run may queue buckets or deltas while the refresh
    reads them and the bucket tables (each of its statements reads the tables as committed when
    it starts): a delta applied once must match the bucket rows it read, exactly. SHARE
    conflicts with the runs' inserts, so a run that is folding is waited for, and a run that
    starts meanwhile waits at its first statement until this transaction ends (the refresh takes
    well under a second; the run then folds as usual). SQLite serialises writers itself. (The
    shards of ``_refresh_shards`` read one snapshot instead: REPEATABLE READ.)"""
    if _is_pg():
        cursor.execute(f"LOCK TABLE {_t(ScoreDelta)}, {_t(ScoreDirty)} IN SHARE MODE")


def _drain(
    cursor,
    *,
    as_of: date,
    through: date | None,
    steps: _Steps,
    shard: int = 0,
    shards: int = 1,
    parallel: bool = False,
) -> int:
    """Apply the queued buckets and deltas of shard ``shard`` of ``shards`` (their partner ids
    modulo ``shards``; one shard: all of them) to the scores and the dashboard summaries, and
    take them off the queues; ``through`` None: every score and summary from scratch (one
    shard only; ``_full_rebuild``, on two connections if ``parallel``). Inside the caller's
    transaction, which holds the queues still (``_lock_queues`` or a REPEATABLE READ
    snapshot). Returns the scores written."""
    mine = _shard_of("partner_id", shard, shards)
    only_mine = f" WHERE {mine}" if mine else ""
    for table in (QUEUED, DELTAS, TOUCHED):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE TEMP TABLE {QUEUED} AS SELECT partner_id, day, seq FROM {_t(ScoreDirty)}"
        + only_mine
    )
    cursor.execute(
        f"""CREATE TEMP TABLE {DELTAS} AS SELECT id, partner_id, day, user_id, events,
                area_mask, new_day FROM {_t(ScoreDelta)}"""
        + only_mine
    )
    # The deltas read (the partners recomputed below drop theirs from DELTAS, but every
    # row read is applied or superseded, so all of them leave the queue).
    cursor.execute(f"SELECT max(id) FROM {DELTAS}")
    delta_top = cursor.fetchone()[0]
    # Every touched bucket, for the summaries.
    cursor.execute(
        f"""CREATE TEMP TABLE {TOUCHED} AS SELECT partner_id, day FROM {QUEUED}
            UNION SELECT partner_id, day FROM {DELTAS} WHERE user_id IS NULL"""
    )
    if through is None:
        rows = _full_rebuild(cursor, as_of=as_of, parallel=parallel, steps=steps)
    else:
        with steps.timed("scores"):
            rows = _incremental_scores(cursor, as_of=as_of, through=through, mine=mine)
        with steps.timed("summaries"):
            # The dashboard summaries (metrics.summaries) of the partners whose buckets were
            # queued, from the same bucket tables, committed with the scores. Each partner's
            # earliest touched day: its spans change from there on only.
            cursor.execute(f"SELECT partner_id, min(day) FROM {TOUCHED} GROUP BY 1")
            summaries.refresh(
                cuts={  # SQLite returns the aggregate as text
                    p: d if isinstance(d, date) else date.fromisoformat(d)
                    for p, d in cursor.fetchall()
                },
                everyone=shards == 1,
            )
            # Weeks: the partners recomputed from the bucket tables (a bucket of theirs was
            # queued) have their touched weeks recomputed; the others' deltas (the only ones
            # left in DELTAS) are added.
            cursor.execute(
                f"DELETE FROM {TOUCHED} WHERE partner_id NOT IN (SELECT partner_id FROM {QUEUED})"
            )
            summaries.refresh_weeks(cursor, touched=TOUCHED, deltas=DELTAS)
    # Only the entries read above (no run could queue more meanwhile on Postgres: see
    # _lock_queues; on SQLite a bucket re-queued meanwhile has a new seq and stays; a shard's
    # snapshot does not see entries committed after it began, and its DELETE leaves them).
    cursor.execute(
        f"DELETE FROM {_t(ScoreDirty)} WHERE (partner_id, day, seq) IN "
        f"(SELECT partner_id, day, seq FROM {QUEUED})"
    )
    if delta_top is not None:
        cursor.execute(
            f"DELETE FROM {_t(ScoreDelta)} WHERE id <= %s" + (f" AND {mine}" if mine else ""),
            [delta_top],
        )
    for table in (QUEUED, DELTAS, TOUCHED):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return rows


def _drain_shard(shard: int, shards: int, *, as_of: date, through: date) -> tuple[int, _Steps]:
    """One shard's ``_drain`` on this thread's own connection, in its own transaction, which
    reads one snapshot (REPEATABLE READ): the queue entries and bucket rows of the runs that
    committed before it began, and nothing of a run committing meanwhile, whose entries stay
    queued for the next refresh. The shards write disjoint partners' rows, so they never wait
    on each other."""
    steps = _Steps()
    with _other_connection(snapshot=True) as cursor:
        rows = _drain(cursor, as_of=as_of, through=through, steps=steps, shard=shard, shards=shards)
    return rows, steps


def _refresh_shards(shards: int, *, as_of: date, through: date, steps: _Steps) -> int:
    """Postgres, several CPUs: ``_drain`` the partner shards at once, one thread, connection
    and transaction each (``_drain_shard``), while the caller's transaction holds the scores'
    state lock, so no other refresh runs meanwhile. A shard commits on its own: if another
    fails, this raises and the caller's transaction rolls back, so ``scores_through`` stays and
    the next run recomputes the days since (idempotent) and drains what is still queued. The
    dashboards can see one shard's new scores a few milliseconds before the other's, as with
    the rollup's shards."""
    with ThreadPoolExecutor(max_workers=shards) as pool:
        futures = [
            pool.submit(_drain_shard, shard, shards, as_of=as_of, through=through)
            for shard in range(shards)
        ]
        done = _results(futures)
    for _rows, shard_steps in done:
        for name, ms in shard_steps.items():
            steps[name] = max(steps.get(name, 0), ms)  # shards run at once
    # What is shared by every partner: offerings whose rules are new or changed, or gone.
    with steps.timed("offerings"):
        summaries.refresh(cuts={})
    return sum(rows for rows, _ in done)


def scores_refresh() -> RollupResult:
    """Bring the adoption scores up to date with the queued buckets and the days since the last
    run (see the module doc). On Postgres, outside a transaction, the partner shards of the
    rollup (``PRM_ROLLUP_SHARDS``) are refreshed at once (``_refresh_shards``)."""
    started = time.monotonic()
    as_of = timezone.now().date()
    steps = _Steps()
    # Threads need committed data: inside an enclosing transaction, one connection does it all.
    parallel = _is_pg() and not connection.in_atomic_block
    shards = _shard_count() if parallel else 1
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            state = _lock_state(SCORES_NAME)
            _tune_session(cursor)
            through = state.scores_through
            if through is not None and shards > 1:
                rows = _refresh_shards(shards, as_of=as_of, through=through, steps=steps)
            else:
                _lock_queues(cursor)
                rows = _drain(cursor, as_of=as_of, through=through, steps=steps, parallel=parallel)
            duration_ms = _finish(
                state,
                started=started,
                events=0,
                buckets=rows,
                scores_through=max(as_of, through or as_of),
            )
    except RollupBusy as busy:
        return RollupResult(ran=False, reason=str(busy))
    return RollupResult(ran=True, buckets=rows, duration_ms=duration_ms, steps=dict(steps))


def _incremental_scores(cursor, *, as_of: date, through: date, mine: str = "") -> int:
    """The scores after queued buckets (``QUEUED``: to recompute; ``DELTAS``: what runs added)
    and the days in (``through``, ``as_of``] (the last run's day to today):

    - a partner with a bucket to recompute (a range rebuild queued it in ``ScoreDirty``): every
      score whose window holds one of its queued buckets, deltas or not, is recomputed from the
      bucket tables (``_refresh_scores``), and its deltas are dropped (the buckets hold them);
    - the other partners' deltas are added to their scores of the days up to ``through``
      (``_apply_deltas``): within a day, that is all a run does;
    - the days since ``through`` (the first run of a day) are computed from the bucket tables
      for every partner active in their windows (``_refresh_scores``), deltas included.
    """
    recompute = "metrics_scores_recompute"
    cursor.execute(f"DROP TABLE IF EXISTS {recompute}")
    cursor.execute(
        f"""CREATE TEMP TABLE {recompute} AS SELECT partner_id, day FROM {QUEUED}
            UNION SELECT partner_id, day FROM {DELTAS}
            WHERE user_id IS NULL AND partner_id IN (SELECT partner_id FROM {QUEUED})"""
    )
    cursor.execute(f"DELETE FROM {DELTAS} WHERE partner_id IN (SELECT partner_id FROM {recompute})")
    count = _apply_deltas(cursor, deltas=DELTAS, through=through)
    cursor.execute(f"SELECT count(*) FROM {recompute}")
    if through < as_of or cursor.fetchone()[0]:
        count += _refresh_scores(
            cursor, as_of=as_of, new_after=through, touched=recompute, mine=mine
        )
    cursor.execute(f"DROP TABLE IF EXISTS {recompute}")
    return count
