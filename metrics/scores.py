# ruff: noqa: S608 -- SQL is assembled only from model table names and constants; values are parameters
"""Adoption scores: one row per partner and day, over the 30 days ending that day.

Kept apart from the every-minute bucket rollup (``metrics.rollups``) so that folding new events
stays cheap: the rollup only queues the buckets it recomputed (``ScoreDirty``), and
``scores_refresh`` recomputes the scores whose window contains a queued bucket, plus every day
since its last run, from the summary tables (never from raw events). Same guarantees as the
rollup: one transaction, a NOWAIT lock so runs never overlap, idempotent, and equal to a full
recompute (``scores_through`` reset to NULL makes the next run recompute everything).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from metrics import conf, summaries
from metrics.models import (
    AREA_BITS,
    AdoptionScore,
    FeatureArea,
    PartnerDay,
    PartnerDayUser,
    ScoreDirty,
)
from metrics.rollup_sql import _is_pg, _least, _plus_days, _Steps, _t
from metrics.rollups import (
    SCORES_NAME,
    RollupBusy,
    RollupResult,
    _finish,
    _lock_state,
    _tune_session,
)

SCORE_WINDOW_DAYS = 30
AREA_COUNT = len(FeatureArea)
QUEUED = "metrics_scores_queued"
RANGES = "metrics_scores_ranges"
TARGETS = "metrics_scores_targets"


def _window_areas(bit_max: str) -> tuple[str, str]:
    """SQL for a 30-day window's feature areas: (how many areas, their mask). The mask is the OR
    of the window's day masks, taken bit by bit (SQLite has no ``bit_or`` aggregate):
    ``bit_max`` is SQL that is ``{bit}`` if the window's days used that area, else 0."""
    any_bit = [bit_max.format(bit=bit) for bit in AREA_BITS.values()]
    count = " + ".join(f"(CASE WHEN {b} > 0 THEN 1 ELSE 0 END)" for b in any_bit)
    return count, " + ".join(any_bit)


def _score_sql(g: str = "g") -> tuple[str, list]:
    """The score formula over columns areas, active_days, active_users, seats of alias ``g``."""
    weights = conf.adoption_weights()
    target_days = float(conf.adoption_frequency_target_days())
    user_part = (
        f"CASE WHEN {g}.seats = 0 THEN 0.0 "
        f"ELSE {_least(f'{g}.active_users * 1.0 / {g}.seats', '1.0')} END"
    )
    formula = (
        f"100.0 * (%s * {g}.areas / {float(AREA_COUNT)} "
        f"+ %s * {_least(f'{g}.active_days * 1.0 / %s', '1.0')} + %s * {user_part}) / %s"
    )
    rounded = f"round(CAST({formula} AS numeric), 1)" if _is_pg() else f"round({formula}, 1)"
    return rounded, [weights.breadth, weights.frequency, target_days, weights.users, weights.total]


def _day_diff(later: str, earlier: str) -> str:
    if _is_pg():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _full_scores(cursor, *, as_of: date) -> int:
    """Every score up to ``as_of`` into the emptied scores table: see ``_window_scores``. On
    Postgres its secondary indexes (the (partner, day) key and the dashboard's covering index)
    are dropped first and built once at the end, instead of maintained row by row (what
    ``rollup_sql._bulk_indexes`` does for the bucket tables), inside the caller's transaction."""
    if not _is_pg():
        return _window_scores(cursor, as_of=as_of, ranges=None)
    meta = AdoptionScore._meta
    with connection.schema_editor(atomic=False) as editor:
        for constraint in meta.constraints:
            editor.remove_constraint(AdoptionScore, constraint)
        for index in meta.indexes:
            editor.remove_index(AdoptionScore, index)
    count = _window_scores(cursor, as_of=as_of, ranges=None)
    with connection.schema_editor(atomic=False) as editor:
        for constraint in meta.constraints:
            editor.add_constraint(AdoptionScore, constraint)
        for index in meta.indexes:
            editor.add_index(AdoptionScore, index)
    return count


def _window_scores(cursor, *, as_of: date, ranges: str | None) -> int:
    """Insert scores in one pass of window functions over a dense partner-day grid, instead of
    joining every (partner, day) with its 30-day window:

    - ``ranges=None`` (full rebuild): every partner, from its first active day to 29 days after
      its last (at most ``as_of``);
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
    if ranges is None:
        last = _plus_days("max(day)", "29")
        source = (
            f"SELECT partner_id, min(day) AS lo, min(day) AS first, {_least(last, '%s')} AS last "
            f"FROM {_t(PartnerDay)} WHERE day <= %s GROUP BY partner_id"
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
        user_rows = f"SELECT partner_id, user_id, day FROM {_t(PartnerDayUser)} WHERE day <= %s"
        user_params = [as_of]
        seats_of = ""
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
        f"""INSERT INTO {_t(AdoptionScore)}
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
    weights = conf.adoption_weights()
    target_days = float(conf.adoption_frequency_target_days())
    membership = get_user_model()._meta.get_field("membership").related_model
    members, users = _t(membership), _t(get_user_model())
    start = _plus_days("t.day", f"{-(SCORE_WINDOW_DAYS - 1)}")
    window = f"w.partner_id = t.partner_id AND w.day BETWEEN {start} AND t.day"
    user_part = (
        f"CASE WHEN g.seats = 0 THEN 0.0 ELSE {_least('g.active_users * 1.0 / g.seats', '1.0')} END"
    )
    formula = (
        f"100.0 * (%s * g.areas / {float(AREA_COUNT)} "
        f"+ %s * {_least('g.active_days * 1.0 / %s', '1.0')} + %s * {user_part}) / %s"
    )
    rounded = f"round(CAST({formula} AS numeric), 1)" if _is_pg() else f"round({formula}, 1)"

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
        [
            weights.breadth,
            weights.frequency,
            target_days,
            weights.users,
            weights.total,
        ],
    )
    count = cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {TARGETS}")
    return count


def _refresh_scores(cursor, *, as_of: date, new_after: date, touched: str) -> int:
    """Recompute the scores whose 30-day window holds a bucket of ``touched`` (a table of
    (partner_id, day): the queued buckets) or that end on a day in (new_after, as_of] (a day
    since the last run) for a partner active in that window; days after ``as_of`` never get a
    score. Per partner that is one range of days [lo, hi]: from its earliest touched bucket (or
    new_after + 1) to 29 days after its latest (or as_of), at most ``as_of``. A range's scores
    are deleted and rewritten from the bucket rows of [lo - 29, hi] only: set-based and
    proportional to the touched partner-days, not to the partners' history."""
    cursor.execute(f"DROP TABLE IF EXISTS {RANGES}")
    hi = _plus_days("day", f"{SCORE_WINDOW_DAYS - 1}")
    parts = [f"SELECT partner_id, day AS lo, {hi} AS hi FROM {touched}"]
    params: list = []
    if new_after < as_of:
        parts.append(
            f"SELECT DISTINCT partner_id, %s, %s FROM {_t(PartnerDay)} WHERE day > %s AND day <= %s"
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


def scores_refresh() -> RollupResult:
    """Recompute the adoption scores that queued buckets or new days affect (see module doc)."""
    started = time.monotonic()
    as_of = timezone.now().date()
    steps = _Steps()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            state = _lock_state(SCORES_NAME)
            _tune_session(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {QUEUED}")
            cursor.execute(
                f"CREATE TEMP TABLE {QUEUED} AS SELECT partner_id, day, seq FROM {_t(ScoreDirty)}"
            )
            full = state.scores_through is None
            with steps.timed("scores"):
                if full:
                    verb = "TRUNCATE" if _is_pg() else "DELETE FROM"
                    cursor.execute(f"{verb} {_t(AdoptionScore)}")
                if full:
                    rows = _full_scores(cursor, as_of=as_of)
                else:
                    rows = _refresh_scores(
                        cursor, as_of=as_of, new_after=state.scores_through, touched=QUEUED
                    )
            with steps.timed("summaries"):
                # The dashboard summaries (metrics.summaries) of the partners whose buckets were
                # queued, from the same bucket tables, committed with the scores.
                if full:
                    summaries.refresh(partner_ids=None)
                    summaries.refresh_weeks(cursor, touched=None)
                else:
                    cursor.execute(f"SELECT DISTINCT partner_id FROM {QUEUED}")
                    summaries.refresh(partner_ids=[row[0] for row in cursor.fetchall()])
                    summaries.refresh_weeks(cursor, touched=QUEUED)
            # Only the entries read above: a bucket re-queued meanwhile has a new seq and stays.
            cursor.execute(
                f"DELETE FROM {_t(ScoreDirty)} WHERE (partner_id, day, seq) IN "
                f"(SELECT partner_id, day, seq FROM {QUEUED})"
            )
            cursor.execute(f"DROP TABLE IF EXISTS {QUEUED}")
            duration_ms = _finish(
                state,
                started=started,
                events=0,
                buckets=rows,
                scores_through=max(as_of, state.scores_through or as_of),
            )
    except RollupBusy as busy:
        return RollupResult(ran=False, reason=str(busy))
    return RollupResult(ran=True, buckets=rows, duration_ms=duration_ms, steps=dict(steps))
