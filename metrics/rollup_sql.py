# ruff: noqa: S608 -- SQL is assembled only from model table names and constants; values are parameters
"""The SQL of the rollups (``metrics.rollups`` runs it, in its transactions and locks).

Two ways to fill the bucket summaries from raw events, which the property tests check give the
same rows: ``_rebuild`` (empty buckets: one aggregation per table, ``rebuild_selects``, written
in key order; a full rebuild on Postgres writes them into staging tables swapped in at commit) and
``_add_new_events`` (new events added to existing buckets by sorted upserts). Both work on
Postgres and SQLite; where Postgres can do a step in one statement it does.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import connection

from events.models import Event
from metrics.models import (
    AREA_BITS,
    FeatureArea,
    PartnerDay,
    PartnerDayKind,
    PartnerDayOffering,
    PartnerDayUser,
    ScoreDelta,
    ScoreDirty,
)
from partners.models import PartnerMembership

BUCKET_MODELS = (PartnerDayKind, PartnerDayUser, PartnerDay, PartnerDayOffering)
OFFERING_SLUG_MAX = 60
NO_USER = 0  # stands for "no user" in temporary tables; never counted as a user
TOUCHED = "metrics_rollup_touched"
NEW = "metrics_rollup_new"


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


def _area_bit(alias: str = "e") -> str:
    """The feature area of an event as its ``AREA_BITS`` bit, 0 for none; mirrors
    ``metrics.definitions.common.area_of``."""
    kind = f"{alias}.kind"
    if _is_pg():
        marketing = f"({alias}.properties -> 'marketing_asset') = 'true'::jsonb"
    else:
        marketing = f"json_type({alias}.properties, '$.marketing_asset') = 'true'"
    training = " OR ".join(
        _starts(kind, p) for p in ("course.", "lesson.", "quiz.", "certification.")
    )
    bit = {area: AREA_BITS[area.value] for area in FeatureArea}
    return (
        "CASE "
        f"WHEN {kind} = 'auth.login' OR {_starts(kind, 'partner.')} OR {_starts(kind, 'user.')} "
        f"THEN {bit[FeatureArea.PORTAL]} "
        f"WHEN {training} THEN {bit[FeatureArea.TRAINING]} "
        f"WHEN {_starts(kind, 'resource.')} AND {marketing} THEN {bit[FeatureArea.MARKETING]} "
        f"WHEN {_starts(kind, 'resource.')} THEN {bit[FeatureArea.RESOURCES]} "
        f"WHEN {_starts(kind, 'deal.')} THEN {bit[FeatureArea.DEALS]} "
        "ELSE 0 END"
    )


def _or_bits(expr: str) -> str:
    """Aggregate: the bitwise OR of ``expr`` (area masks or bits) over a group. Postgres has
    ``bit_or``; SQLite has none, so there it is the sum of each bit's max."""
    if _is_pg():
        return f"bit_or({expr})"
    return " + ".join(f"max(({expr}) & {bit})" for bit in AREA_BITS.values())


def member_join(alias: str = "e", partners: str = "") -> str:
    """LEFT JOIN of the event's user's membership, matched only if the user belongs to the
    event's partner (a user belongs to at most one partner: ``PartnerMembership.user`` is
    unique). Vendor staff acting on a partner's deals, and users of another partner, find no
    row: their events count in the per-kind/area/offering/day event counts, not as the
    partner's active users. One hash (or index) join of the events read to the memberships.

    ``partners``: a condition on ``partner_id`` (a rollup shard's partners): only those
    memberships are hashed. ``OFFSET 0`` keeps the filtered memberships a subquery the planner
    hashes as a whole (it halved the join for two shards; pulled up, the planner misjudged the
    filter and probed the index once per event instead)."""
    if partners:
        members = (
            f"(SELECT user_id, partner_id FROM {_t(PartnerMembership)} WHERE {partners} OFFSET 0)"
        )
    else:
        members = _t(PartnerMembership)
    return f"LEFT JOIN {members} m ON m.user_id = {alias}.user_id AND m.partner_id = {alias}.partner_id"


def member_user(alias: str = "e", none: str = str(NO_USER)) -> str:
    """The event's user if one of the event's partner's people (needs ``member_join``), else
    ``none``."""
    return f"CASE WHEN m.user_id IS NOT NULL THEN {alias}.user_id ELSE {none} END"


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


def _offering_json(alias: str = "e") -> str:
    """Postgres: an event's raw offering fields, kept by the incremental run's one scan of the
    new events (``offs``: ``properties.offerings`` if it is an array, ``off``: ``properties.
    offering`` if it is a string; NULL otherwise, as for most events); ``_offering_from_new``
    turns them into slugs only for the events that have them."""
    props = f"{alias}.properties"
    return (
        f"CASE WHEN jsonb_typeof({props} -> 'offerings') = 'array' "
        f"THEN {props} -> 'offerings' END AS offs, "
        f"CASE WHEN jsonb_typeof({props} -> 'offering') = 'string' "
        f"THEN {props} -> 'offering' END AS off"
    )


def _offering_from_new(new: str) -> str:
    """Postgres: (partner, day, slug, kind, events) from the new events (one row per event, with
    its id). An event counts once per distinct offering it names, in ``offerings`` or
    ``offering`` or both: the slugs of all events are made distinct per event id by one set-wide
    ``UNION`` (one hash), not by a sort per event, then counted per (partner, day, slug, kind),
    as ``_offering_select`` does from the raw events."""
    return f"""SELECT s.partner_id, s.day, s.slug, s.kind, count(*) FROM (
            SELECT n.id, n.partner_id, n.day, n.kind, o.v #>> '{{}}' AS slug FROM {new} n
            CROSS JOIN LATERAL jsonb_array_elements(n.offs) AS o(v)
            WHERE n.offs IS NOT NULL AND jsonb_typeof(o.v) = 'string'
            UNION
            SELECT n.id, n.partner_id, n.day, n.kind, n.off #>> '{{}}' FROM {new} n
            WHERE n.off IS NOT NULL
        ) s
        WHERE length(s.slug) BETWEEN 1 AND {OFFERING_SLUG_MAX}
        GROUP BY s.partner_id, s.day, s.slug, s.kind"""


def _offering_select(where: str) -> str:
    return f"""SELECT o.partner_id, o.day, o.slug, o.kind, count(DISTINCT o.id)
               FROM ({_offering_rows(_t(Event), where)}) o
               WHERE length(o.slug) BETWEEN 1 AND {OFFERING_SLUG_MAX}
               GROUP BY o.partner_id, o.day, o.slug, o.kind"""


def _user_groups(where: str) -> str:
    """Postgres: the events matching ``where`` (alias ``e``) grouped per (partner, day, user):
    the user if one of the partner's people, else NULL (one group for all the others), with the
    group's event count ``n`` and the OR of its events' area bits ``mask``. ``PartnerDayUser`` is
    its non-NULL users; ``PartnerDay`` its sums per (partner, day)."""
    return f"""SELECT e.partner_id, e.day, {member_user(none="NULL")} AS user_id,
                      count(*) AS n, {_or_bits(_area_bit())} AS mask
               FROM {_t(Event)} e {member_join()} WHERE {where}
               GROUP BY 1, 2, 3"""


def _users_of(groups: str) -> str:
    return f"SELECT partner_id, day, user_id FROM {groups} WHERE user_id IS NOT NULL"


def _days_of(groups: str) -> str:
    return (
        f"SELECT partner_id, day, sum(n), count(user_id), {_or_bits('mask')} FROM {groups} "
        "GROUP BY partner_id, day"
    )


def rebuild_selects(where: str) -> dict[str, tuple]:
    """Postgres: the four aggregations a rebuild writes, one per summary table, as
    ``{name: (model, columns, select, parameter copies)}``: ``select`` computes every row of the
    table for the events matching ``where`` (alias ``e``; its parameters repeated ``parameter
    copies`` times), in no particular order. ``_rebuild`` runs exactly these (the user and day
    selects share their per-user groups there, computed once); ``bench/rollups.py`` times each
    read-only and written by ``CREATE TABLE AS``, the write floor the rebuild is measured
    against."""
    groups = f"({_user_groups(where)}) g"
    return {
        "kind": (
            PartnerDayKind,
            "partner_id, day, kind, events",
            f"SELECT e.partner_id, e.day, e.kind, count(*) FROM {_t(Event)} e "
            f"WHERE {where} GROUP BY e.partner_id, e.day, e.kind",
            1,
        ),
        "offering": (
            PartnerDayOffering,
            "partner_id, day, offering, kind, events",
            _offering_select(where),
            2,
        ),
        "user": (PartnerDayUser, "partner_id, day, user_id", _users_of(groups), 1),
        "day": (
            PartnerDay,
            "partner_id, day, events, users, area_mask",
            _days_of(groups),
            1,
        ),
    }


def _key_order(model) -> str:
    return ", ".join(str(i + 1) for i in range(len(model._meta.pk_fields)))


def _rebuild_statements(
    where: str, params: tuple, day_sql: str, day_params: tuple, into=_t
) -> list[tuple[str, str, tuple]]:
    """Rebuild path: compute every summary of the events matching ``where`` (alias ``e``) into
    tables that hold none of their buckets (the caller deleted them). Per kind and per offering
    are one hash aggregation of the events each (per kind is the raw floor query itself); users
    and days (events, distinct users, area mask) come from one more (Postgres) or are derived
    from the user rows just written (SQLite; ``day_sql`` selects the rebuilt days), so no
    distinct count and no temporary table of a million rows is needed. Rows are written in key
    order: hash aggregation emits them in random order, and the score queries, which read a
    partner's 30-day window, were 1.5-2x slower on a table scattered that way; sorted input also
    builds the primary key faster. On Postgres the statements are ``rebuild_selects``'.

    Returns the statements as (step name, SQL, params); ``into(model)`` is the table each model's
    rows are written to (a full rebuild's staging tables, see ``rebuild_by_swap``)."""

    def insert(name: str, select: str) -> str:
        model, columns, _, _ = selects[name]
        return f"INSERT INTO {into(model)} ({columns}) {select} ORDER BY {_key_order(model)}"

    selects = rebuild_selects(where)  # SQLite writes users and days its own way below
    statements = [
        ("build_kind", insert("kind", selects["kind"][2]), params),
        ("build_offering", insert("offering", selects["offering"][2]), params + params),
    ]
    if _is_pg():
        # Users and days from one aggregation of the events: the per-user groups (no user
        # included, with the OR of their events' area bits) are kept in memory by the CTE,
        # written to the user table and summed per day.
        statements.append(
            (
                "build_user_day",
                f"""WITH g AS MATERIALIZED ({_user_groups(where)}),
                    u AS ({insert("user", _users_of("g"))})
                    {insert("day", _days_of("g"))}""",
                params,
            )
        )
    else:
        statements += [
            (
                "build_user",
                f"""INSERT INTO {into(PartnerDayUser)} (partner_id, day, user_id)
                    SELECT DISTINCT e.partner_id, e.day, e.user_id FROM {_t(Event)} e
                    JOIN {_t(PartnerMembership)} m
                      ON m.user_id = e.user_id AND m.partner_id = e.partner_id
                    WHERE {where} ORDER BY e.partner_id, e.day, e.user_id""",
                params,
            ),
            (
                "build_day",
                f"""INSERT INTO {into(PartnerDay)} (partner_id, day, events, users, area_mask)
                    SELECT k.partner_id, k.day, k.events, coalesce(u.users, 0), k.mask
                    FROM (SELECT e.partner_id, e.day, count(*) AS events,
                                 {_or_bits(_area_bit())} AS mask
                          FROM {_t(Event)} e WHERE {where} GROUP BY e.partner_id, e.day) k
                    LEFT JOIN (SELECT partner_id, day, count(*) AS users
                               FROM {into(PartnerDayUser)}
                               WHERE {day_sql} GROUP BY partner_id, day) u
                      ON u.partner_id = k.partner_id AND u.day = k.day
                    ORDER BY k.partner_id, k.day""",
                params + day_params,
            ),
        ]
    return statements


def _rebuild(cursor, where: str, params: tuple, day_sql: str, day_params: tuple, steps) -> None:
    """Write every summary of the events matching ``where`` into the summary tables, which hold
    none of those buckets (the caller deleted them): ``_rebuild_statements``."""
    for name, sql, args in _rebuild_statements(where, params, day_sql, day_params):
        with steps.timed(name):
            cursor.execute(sql, args)


def _upsert(model, columns: str, select: str, keys: str, update: str | None = None) -> str:
    """INSERT the rows of ``select`` into ``model``'s table; on a key conflict add ``events``
    (and do ``update``), or, with ``update=None``, do nothing (a set)."""
    table = _t(model)
    # Rows in primary-key order: each upsert probes the key index, and sorted probes walk it
    # leaf by leaf instead of jumping around it (about 2x faster measured here).
    order = ", ".join(str(i + 1) for i in range(len(keys.split(","))))
    action = (
        "NOTHING"
        if update is None
        else f"UPDATE SET events = {table}.events + EXCLUDED.events{update}"
    )
    return f"INSERT INTO {table} ({columns}) {select} ORDER BY {order} ON CONFLICT ({keys}) DO {action}"


def _day_update() -> str:
    return ", users = {0}.users + EXCLUDED.users, area_mask = {0}.area_mask | EXCLUDED.area_mask".format(
        _t(PartnerDay)
    )


def _add_kinds(new: str) -> str:
    return _upsert(
        PartnerDayKind,
        "partner_id, day, kind, events",
        f"SELECT n.partner_id, n.day, n.kind, sum(n.events) FROM {new} n WHERE 1 = 1 "
        "GROUP BY n.partner_id, n.day, n.kind",
        "partner_id, day, kind",
        update="",
    )


def _add_offerings(select: str) -> str:
    return _upsert(
        PartnerDayOffering,
        "partner_id, day, offering, kind, events",
        select,
        "partner_id, day, offering, kind",
        update="",
    )


def _add_users(new: str) -> str:
    return _upsert(
        PartnerDayUser,
        "partner_id, day, user_id",
        f"SELECT DISTINCT n.partner_id, n.day, n.user_id FROM {new} n WHERE n.user_id <> {NO_USER}",
        "partner_id, day, user_id",
    )


def fold_statement(new: str, new_select: str) -> str:
    """Postgres: the whole incremental fold as one statement (params: those of ``new_select``).
    ``new`` is a ``MATERIALIZED`` CTE of ``new_select`` (one row per new event: id, partner,
    day, kind, area bit, user (0: none), raw offering fields ``offs``/``off``, see
    ``_offering_json``), held in memory and read by every upsert, so the events are scanned once
    and nothing is written to a temporary table. Counts are added (``ON CONFLICT … SET events =
    events + EXCLUDED.events``), area masks OR-ed. Users are a set: a user already in the
    bucket's ``PartnerDayUser`` conflicts and nothing is written (``DO NOTHING``); the rows that
    *were* inserted (``RETURNING``) are exactly the bucket's first-seen users, which
    ``PartnerDay.users`` (the one distinct count) grows by.

    The run's deltas are queued for the scores (``ScoreDelta``, same statement, so exactly
    once): per touched bucket the events added, their area mask and whether the day upsert
    created the bucket (``xmax = 0`` of the returned row), and one row per first-seen user.
    Returns one row: (new events, touched buckets). Each upsert writes another table, so the
    statement's parts never see or wait on each other's rows; the property tests check that the
    result equals a rebuild."""
    days = _t(PartnerDay)
    add_days = _upsert(
        PartnerDay,
        "partner_id, day, events, users, area_mask",
        "SELECT d.partner_id, d.day, d.events, coalesce(f.users, 0), d.area_mask "
        "FROM dn d LEFT JOIN f ON f.partner_id = d.partner_id AND f.day = d.day WHERE 1 = 1",
        "partner_id, day",
        update=_day_update(),
    )
    return f"""WITH {new} AS MATERIALIZED ({new_select}),
        k AS ({_add_kinds(new)}),
        o AS ({_add_offerings(_offering_from_new(new))}),
        u AS ({_add_users(new)} RETURNING partner_id, day, user_id),
        f AS (SELECT partner_id, day, count(*) AS users FROM u GROUP BY partner_id, day),
        dn AS MATERIALIZED (
            SELECT n.partner_id, n.day, sum(n.events) AS events, {_or_bits("n.area")} AS area_mask
            FROM {new} n GROUP BY 1, 2),
        d AS ({add_days} RETURNING {days}.partner_id, {days}.day, ({days}.xmax = 0) AS created),
        q AS (INSERT INTO {_t(ScoreDelta)} (partner_id, day, user_id, events, area_mask, new_day)
              SELECT d.partner_id, d.day, NULL::bigint, dn.events, dn.area_mask, d.created
              FROM d JOIN dn ON dn.partner_id = d.partner_id AND dn.day = d.day
              UNION ALL
              SELECT partner_id, day, user_id, 0, 0, false FROM u)
        SELECT (SELECT count(*) FROM {new}), (SELECT count(*) FROM d)"""


def _add_new_events(cursor, new: str, where: str, params: tuple, steps: _Steps) -> int:
    """SQLite's incremental path (Postgres runs ``fold_statement``): add the new events, one
    row per event in the temporary table ``new`` (as in ``fold_statement``, without the raw
    offering fields; offerings are read from the events matching ``where``, alias ``e``), to
    every summary, with work proportional to the new events and the buckets they touch. The
    touched buckets' existing users are read first, so ``PartnerDay.users`` grows by the
    first-seen ones. Queues the scores' deltas (``ScoreDelta``) and returns how many buckets
    were touched."""
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
    cursor.execute(f"CREATE TEMP TABLE {TOUCHED} AS SELECT DISTINCT partner_id, day FROM {new}")
    old = "metrics_rollup_old"
    cursor.execute(f"DROP TABLE IF EXISTS {old}")
    cursor.execute(
        f"CREATE TEMP TABLE {old} AS SELECT t.partner_id, t.day, a.user_id "
        f"FROM {TOUCHED} t JOIN {_t(PartnerDayUser)} a ON a.partner_id = t.partner_id "
        "AND a.day = t.day"
    )
    first_seen = f"CASE WHEN u.user_id <> {NO_USER} AND o.user_id IS NULL THEN 1 ELSE 0 END"
    exists_day = (
        f"EXISTS (SELECT 1 FROM {_t(PartnerDay)} x "
        "WHERE x.partner_id = n.partner_id AND x.day = n.day)"
    )
    statements = [
        # The scores' deltas (as ``fold_statement`` queues them), read before the upserts: the
        # bucket's events and area mask, whether it is new, and its first-seen users.
        (
            "queue_deltas",
            f"""INSERT INTO {_t(ScoreDelta)}
                    (partner_id, day, user_id, events, area_mask, new_day)
                SELECT n.partner_id, n.day, NULL, sum(n.events), {_or_bits("n.area")},
                       CASE WHEN {exists_day} THEN 0 ELSE 1 END
                FROM {new} n GROUP BY n.partner_id, n.day
                UNION ALL
                SELECT DISTINCT n.partner_id, n.day, n.user_id, 0, 0, 0 FROM {new} n
                LEFT JOIN {old} o ON o.partner_id = n.partner_id AND o.day = n.day
                  AND o.user_id = n.user_id
                WHERE n.user_id <> {NO_USER} AND o.user_id IS NULL""",
            (),
        ),
        ("add_kind", _add_kinds(new), ()),
        ("add_offering", _add_offerings(_offering_select(where)), params + params),
        (
            "add_day",
            _upsert(
                PartnerDay,
                "partner_id, day, events, users, area_mask",
                f"SELECT u.partner_id, u.day, sum(u.events), sum({first_seen}), "
                f"{_or_bits('u.area_mask')} "
                f"FROM (SELECT n.partner_id, n.day, n.user_id, sum(n.events) AS events, "
                f"{_or_bits('n.area')} AS area_mask "
                f"FROM {new} n GROUP BY n.partner_id, n.day, n.user_id) u "
                f"LEFT JOIN {old} o ON o.partner_id = u.partner_id AND o.day = u.day "
                "AND o.user_id = u.user_id WHERE 1 = 1 GROUP BY u.partner_id, u.day",
                "partner_id, day",
                update=_day_update(),
            ),
            (),
        ),
        ("add_user", _add_users(new), ()),
    ]
    for name, sql, args in statements:
        with steps.timed(name):
            cursor.execute(sql, args)
    cursor.execute(f"SELECT count(*) FROM {TOUCHED}")
    return int(cursor.fetchone()[0])


# --- Full rebuild by swap (Postgres) ----------------------------------------------------------------
# A full rebuild writes every summary into *staging* tables, empty copies of the live tables
# (columns, NOT NULL, CHECK constraints and storage parameters: ``LIKE … INCLUDING ALL`` minus
# the indexes), builds their keys and indexes once at the end and ANALYZEs them, then, in the
# rebuild's transaction, drops the live tables and renames the staging tables (and their keys
# and indexes) to the live names: one catalog switch at commit. Readers keep reading the old
# rows, unblocked, until that switch (TRUNCATE would lock them out for the whole rebuild), and
# see the four new tables together after it. The staging tables can be written by several
# connections at once (``rollups.rollup_recompute`` runs the groups of ``SWAP_GROUPS`` in
# parallel): one of them is the rebuild's own transaction, the others commit their staging
# tables before the switch (invisible to readers, who use the live names; dropped again by the
# next rebuild if this one fails before the switch). The full rebuild of the adoption scores
# (``scores.scores_refresh``) swaps its table in the same way (``create_staging``, ``build_keys``,
# ``swap_in``), its partners split over two connections into one staging table.

STAGING = "_rebuild"
# Which statements of ``_rebuild_statements`` write which tables; each group one connection.
SWAP_GROUPS = (
    ("build_user_day", (PartnerDayUser, PartnerDay)),
    ("build_kind build_offering", (PartnerDayKind, PartnerDayOffering)),
)


def _staging(model) -> str:
    return connection.ops.quote_name(model._meta.db_table + STAGING)


def _live_layout(cursor, model) -> dict:
    """The live table's storage parameters, key and unique constraints, and other indexes, as
    the catalog has them (so the staging copy matches the live table exactly)."""
    table = model._meta.db_table
    cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [table])
    options = cursor.fetchone()[0] or []
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, i.indisunique, split_part(pg_get_indexdef(i.indexrelid), ' USING ', 2) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    )
    return {"options": options, "constraints": constraints, "indexes": cursor.fetchall()}


def _staged(name: str) -> str:
    return connection.ops.quote_name(name + STAGING)


def create_staging(cursor, model, layout: dict) -> None:
    """A fresh, empty staging table for ``model``: the live table's columns, NOT NULL, CHECK
    constraints, defaults (an identity column gets a sequence of its own) and storage
    parameters, without its keys and indexes (``build_keys`` adds them once it is filled)."""
    cursor.execute(f"DROP TABLE IF EXISTS {_staging(model)}")
    options = f" WITH ({', '.join(layout['options'])})" if layout["options"] else ""
    cursor.execute(
        f"CREATE TABLE {_staging(model)} (LIKE {_t(model)} INCLUDING ALL "
        f"EXCLUDING INDEXES){options}"
    )


def build_keys(cursor, model, layout: dict) -> None:
    """The live table's keys and indexes on ``model``'s filled staging table, then ANALYZE (its
    statistics move with it at the switch)."""
    for constraint, definition in layout["constraints"]:
        cursor.execute(
            f"ALTER TABLE {_staging(model)} ADD CONSTRAINT {_staged(constraint)} {definition}"
        )
    for index, unique, definition in layout["indexes"]:
        cursor.execute(
            f"CREATE {'UNIQUE ' if unique else ''}INDEX {_staged(index)} "
            f"ON {_staging(model)} USING {definition}"
        )
    cursor.execute(f"ANALYZE {_staging(model)}")


def build_staging(cursor, group: tuple, statements: dict, layouts: dict, steps: _Steps) -> None:
    """Write one ``SWAP_GROUPS`` group into fresh staging tables, then build their keys and
    indexes and ANALYZE them. Steps: the group's statements by name, then ``keys_<Model>`` per
    table."""
    names, models = group
    with steps.timed("stage"):
        for model in models:
            create_staging(cursor, model, layouts[model])
    for name in names.split():
        sql, args = statements[name]
        with steps.timed(name):
            cursor.execute(sql, args)
    for model in models:
        with steps.timed(f"keys_{model.__name__}"):
            build_keys(cursor, model, layouts[model])


def swap_in(cursor, layouts: dict) -> None:
    """Inside the rebuild's transaction: replace each live table by its staging table (an
    identity column's sequence, the staging table's own, takes the live one's name)."""
    for model, layout in layouts.items():
        table = model._meta.db_table
        cursor.execute(f"DROP TABLE {_t(model)}")
        cursor.execute(f"ALTER TABLE {_staging(model)} RENAME TO {_t(model)}")
        for constraint, _ in layout["constraints"]:
            cursor.execute(
                f"ALTER TABLE {_t(model)} RENAME CONSTRAINT {_staged(constraint)} "
                f"TO {connection.ops.quote_name(constraint)}"
            )
        for index, _, _ in layout["indexes"]:
            cursor.execute(
                f"ALTER INDEX {_staged(index)} RENAME TO {connection.ops.quote_name(index)}"
            )
        cursor.execute(
            "SELECT attname, pg_get_serial_sequence(%s, attname) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table, table],
        )
        for column, sequence in cursor.fetchall():
            if sequence is not None:
                cursor.execute(
                    f"ALTER SEQUENCE {sequence} RENAME TO "
                    f"{connection.ops.quote_name(f'{table}_{column}_seq')}"
                )


def drop_staging(cursor) -> None:
    for model in BUCKET_MODELS:
        cursor.execute(f"DROP TABLE IF EXISTS {_staging(model)}")
