# ruff: noqa: S608 -- SQL is assembled only from model table names and constants
"""Dashboard summaries: small tables the program dashboard reads instead of aggregating the
bucket tables over every partner, maintained from the bucket tables (never raw events).

- ``OfferingAdoptionSpan``: per offering and partner, the runs of days on which the partner met
  at least one of the offering's adoption rules. Offering adoption on a day and the adoption
  curve are then counts of spans (a few rows per partner) instead of a pass over every usage row.

- ``PartnerWeek``: per partner and ISO week, distinct active users and active days, so weekly
  active partners and users over a range are sums of a few rows per partner and week instead of
  a distinct count over every ``PartnerDayUser`` row
  (``metrics.definitions.program.weekly_active_from_summary``).

Maintenance: ``refresh`` runs inside ``metrics.scores.scores_refresh`` (same transaction, after
the scores), with the buckets the rollup queued: each touched partner's spans are updated from
its earliest touched day L on (``_update``: the spans before L kept, the met days from L on
recomputed from the usage rows since L minus the longest window), so the cost follows the new
rows, not the partner's history; an offering with rules outside ``_incremental_ok`` (rare
configurations) is recomputed from all the touched partners' rows. After a full
rebuild (``scores_through`` reset), and for an offering whose rules changed or that is new (its
``OfferingSpanRules`` fingerprint differs), every partner's spans of that offering are rebuilt.
Readers (``metrics.definitions``) use the spans only for offerings whose fingerprint matches
their current rules (``metrics.adoption_rules.trusted_offerings``), and compute from
``PartnerDayOffering`` otherwise, so an edited rule is never answered with stale spans. The rules,
their intervals and fingerprints live in ``metrics.adoption_rules``, which both sides import.

``refresh_weeks`` runs next to it: the (partner, week) pairs of the queued buckets are recomputed
from that week's ``PartnerDay`` and ``PartnerDayUser`` rows (one SQL statement each way), or every
week after a full rebuild.

Coordination with the rollup internals (``metrics.rollups`` / ``rollup_sql``): this module reads
``PartnerDayOffering`` (partner, day, offering slug, kind, events) through the ORM, in
``_usage_rows`` only; a change of that table's shape changes that one function.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection
from django.db.models import Q

from metrics.adoption_rules import (
    Rule,
    current_rules,
    merge_intervals,
    rule_intervals,
    rules_fingerprint,
    trusted_offerings,
)
from metrics.models import (
    OfferingAdoptionSpan,
    OfferingSpanRules,
    PartnerDay,
    PartnerDayOffering,
    PartnerDayUser,
    PartnerWeek,
)

SPAN_OPEN = date(9999, 12, 31)  # "still met": the end of an open span
CHUNK = 500  # partners per read/write batch


def spans_of(rows: list[tuple[date, str, int]], rules) -> list[tuple[date, date]]:
    """Merged day runs on which any rule is met, from one partner's (day, kind, events) rows of
        one offering sorted by day. The same interval logic as the curve (``definitions.curve``):
    ``metrics.adoption_rules``."""
    intervals = []
    for rule in rules:
        intervals += rule_intervals([(d, n) for d, k, n in rows if k in rule.kinds], rule)
    return [(start, min(end, SPAN_OPEN)) for start, end in merge_intervals(intervals)]


def _usage_rows(slugs: list[str], kinds: list[str], partner_ids: list[int] | None):
    """(partner, offering, day, kind, events) ordered by partner, offering, day."""
    qs = PartnerDayOffering.objects.filter(offering__in=slugs, kind__in=kinds)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    return (
        qs.order_by("partner_id", "offering", "day")
        .values_list("partner_id", "offering", "day", "kind", "events")
        .iterator(chunk_size=20_000)
    )


def _write(rules_by_slug: dict[str, tuple], partner_ids: list[int] | None) -> int:
    """Replace the spans of ``rules_by_slug``'s offerings for ``partner_ids`` (None: all)."""
    slugs = sorted(rules_by_slug)
    kinds = sorted({k for rules in rules_by_slug.values() for r in rules for k in r.kinds})
    old = OfferingAdoptionSpan.objects.filter(offering__in=slugs)
    if partner_ids is not None:
        old = old.filter(partner_id__in=partner_ids)
    old.delete()
    batch: list[OfferingAdoptionSpan] = []
    written = 0
    key, rows = None, []

    def flush_key():
        if key is not None:
            for start, end in spans_of(rows, rules_by_slug[key[1]]):
                batch.append(
                    OfferingAdoptionSpan(offering=key[1], partner_id=key[0], start=start, end=end)
                )

    for partner_id, slug, day, kind, events in _usage_rows(slugs, kinds, partner_ids):
        if (partner_id, slug) != key:
            flush_key()
            key, rows = (partner_id, slug), []
            if len(batch) >= 5_000:
                OfferingAdoptionSpan.objects.bulk_create(batch)
                written, batch = written + len(batch), []
        rows.append((day, kind, events))
    flush_key()
    OfferingAdoptionSpan.objects.bulk_create(batch)
    return written + len(batch)


def _incremental_ok(rules) -> bool:
    """Whether an offering's rules allow the incremental update (``_update``): every windowed
    rule needs at least one event (a rule met at zero events stays met from its first row on,
    however old), every "ever" rule at most one (its running total before the cut is then known
    from the stored spans and one bounded look-up). Other offerings are recomputed whole."""
    return all(
        (r.min_events >= 1) if r.window_days is not None else (r.min_events <= 1) for r in rules
    )


def _met_before(rule, pairs: dict[tuple[int, str], tuple[date, date]]) -> set[tuple[int, str]]:
    """The (partner, offering) pairs of ``pairs`` (→ (open span start, cut)) on which the "ever"
    ``rule`` (at most one event) was met before the cut: a counted row in [open start, cut).
    Only a pair whose stored spans end in an open span starting before the cut can have been
    (met once, an ever rule stays met), so the look-up is bounded by that span."""
    found: set[tuple[int, str]] = set()
    items = sorted(pairs.items())
    kinds = ", ".join(["%s"] * len(rule.kinds))
    for i in range(0, len(items), CHUNK):
        chunk = items[i : i + CHUNK]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params = [
            v for (partner_id, slug), (start, cut) in chunk for v in (partner_id, slug, start, cut)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH v (partner_id, offering, start, cut) AS (VALUES {values})
                    SELECT DISTINCT x.partner_id, x.offering
                    FROM v JOIN {_t(PartnerDayOffering)} x ON x.partner_id = v.partner_id
                      AND x.offering = v.offering AND x.day >= v.start AND x.day < v.cut
                    WHERE x.kind IN ({kinds}) AND x.events >= %s""",
                [*params, *rule.kinds, min(rule.min_events, 1)],
            )
            found |= {(partner_id, slug) for partner_id, slug in cursor.fetchall()}
    return found


def _per_cut(by_cut: dict[date, list[int]], lookup: str, days_before: int) -> Q:
    """Partners grouped by cut: ``lookup`` >= their cut minus ``days_before`` days."""
    cond = Q()
    for cut, ids in by_cut.items():
        cond |= Q(partner_id__in=ids, **{lookup: cut - timedelta(days=days_before)})
    return cond


def _update(rules_by_slug: dict[str, tuple], cuts: dict[int, date]) -> int:
    """Bring the spans of ``rules_by_slug``'s offerings (all ``_incremental_ok``) up to date for
    the partners of ``cuts`` (partner → its earliest touched day L), reading only the usage rows
    that can change them. Exact, because rows changed only on days >= L and every rule looks
    back only: a day before L keeps its met-ness; a day x >= L under a rule of window w depends
    on the rows of (x - w, x], so on rows from L - w + 1 on; under an "ever" rule on the total
    before L (``_met_before``) and the rows from L on. So the stored spans are cut at L (the days
    before it kept), the met days from L on are recomputed from the rows since
    L - max window + 1, and the two merged (a span running through L - 1 continues)."""
    slugs = sorted(rules_by_slug)
    kinds = sorted({k for rules in rules_by_slug.values() for r in rules for k in r.kinds})
    lead = {
        s: max([r.window_days for r in rules if r.window_days is not None] + [1]) - 1
        for s, rules in rules_by_slug.items()
    }
    # The stored spans that reach L - 1 or later (the others stay as they are).
    old: dict[tuple[int, str], list[tuple[date, date]]] = {}
    by_cut: dict[date, list[int]] = {}
    for partner_id, cut in cuts.items():
        by_cut.setdefault(cut, []).append(partner_id)
    affected = OfferingAdoptionSpan.objects.filter(
        _per_cut(by_cut, "end__gte", 1), offering__in=slugs
    )
    for partner_id, slug, start, end in affected.values_list(
        "partner_id", "offering", "start", "end"
    ):
        old.setdefault((partner_id, slug), []).append((start, end))
    # Ever rules met before L: only pairs with an open span starting before L can be.
    met_before: dict[Rule, set] = {}
    for rules in rules_by_slug.values():
        for rule in rules:
            if rule.window_days is None and rule not in met_before:
                met_before[rule] = set()
    for rule in met_before:
        pairs = {
            key: (start, cuts[key[0]])
            for key, spans in old.items()
            if rule in rules_by_slug[key[1]]
            for start, end in spans
            if end == SPAN_OPEN and start < cuts[key[0]]
        }
        if pairs:
            met_before[rule] = _met_before(rule, pairs)
    # The usage rows since each partner's lead-in (the longest window of any offering).
    longest = max(lead.values())
    rows: dict[tuple[int, str], list[tuple[date, str, int]]] = {}
    usage = PartnerDayOffering.objects.filter(
        _per_cut(by_cut, "day__gte", longest), offering__in=slugs, kind__in=kinds
    )
    for partner_id, slug, day, kind, events in (
        usage.order_by("partner_id", "offering", "day")
        .values_list("partner_id", "offering", "day", "kind", "events")
        .iterator(chunk_size=20_000)
    ):
        rows.setdefault((partner_id, slug), []).append((day, kind, events))
    # Replace the affected spans by the kept days before L merged with the met days from L on
    # (one DELETE: the model has no signals or dependants; ``delete()`` would fetch the keys).
    affected._raw_delete(affected.db)
    batch = []
    for partner_id, cut in cuts.items():
        for slug in slugs:
            key = (partner_id, slug)
            before = cut - timedelta(days=1)
            kept = [(start, min(end, before)) for start, end in old.get(key, ()) if start <= before]
            day_rows = [r for r in rows.get(key, ()) if r[0] > cut - timedelta(days=lead[slug] + 1)]
            intervals = []
            for rule in rules_by_slug[slug]:
                if rule.window_days is None and key in met_before[rule]:
                    intervals.append((cut, date.max))
                    continue
                counted = [(d, n) for d, k, n in day_rows if k in rule.kinds]
                intervals += [
                    (max(start, cut), end)
                    for start, end in rule_intervals(counted, rule)
                    if end >= cut
                ]
            for start, end in merge_intervals(kept + intervals):
                batch.append(
                    OfferingAdoptionSpan(
                        offering=slug, partner_id=partner_id, start=start, end=min(end, SPAN_OPEN)
                    )
                )
    OfferingAdoptionSpan.objects.bulk_create(batch, batch_size=5_000)
    return len(batch)


def refresh(
    *,
    partner_ids: Iterable[int] | None = None,
    cuts: dict[int, date] | None = None,
    everyone: bool = True,
) -> int:
    """Bring the spans up to date: every offering whose fingerprint is missing or stale is
    rebuilt for all partners; the others for the touched partners: ``cuts`` (partner → its
    earliest touched day: an incremental update from that day, ``_update``) or ``partner_ids``
    (recomputed from all their usage rows). Neither: all partners. Call inside the transaction
    that changed the bucket tables' scores queue (``scores_refresh``).

    ``everyone=False`` (a shard of the refresh, which must write its own partners only): the
    touched partners' spans of the trusted offerings only; what concerns every partner (stale
    and removed offerings) is left to a call with ``cuts={}`` once the shards are done."""
    rules_by_slug = current_rules()
    trusted = trusted_offerings(rules_by_slug)
    stale = {s: r for s, r in rules_by_slug.items() if s not in trusted} if everyone else {}
    fresh = {s: r for s, r in rules_by_slug.items() if s in trusted}
    written = 0
    if partner_ids is None and cuts is None:
        stale, fresh = rules_by_slug, {}
    if stale:
        written += _write(stale, None)
    if fresh and cuts is not None:
        simple = {s: r for s, r in fresh.items() if _incremental_ok(r)}
        fresh = {s: r for s, r in fresh.items() if s not in simple}
        ids = sorted(cuts)
        for i in range(0, len(ids), CHUNK):
            if simple:
                written += _update(simple, {p: cuts[p] for p in ids[i : i + CHUNK]})
        partner_ids = ids
    if fresh and partner_ids is not None:
        ids = sorted(set(partner_ids))
        for i in range(0, len(ids), CHUNK):
            written += _write(fresh, ids[i : i + CHUNK])
    if not everyone:
        return written
    # Offerings that no longer exist: their spans and fingerprints go.
    OfferingAdoptionSpan.objects.exclude(offering__in=list(rules_by_slug)).delete()
    OfferingSpanRules.objects.exclude(offering__in=list(rules_by_slug)).delete()
    for slug, rules in stale.items():
        OfferingSpanRules.objects.update_or_create(
            offering=slug, defaults={"fingerprint": rules_fingerprint(rules)}
        )
    return written


# --- Weekly activity ------------------------------------------------------------------------------
WEEKS_TOUCHED = "metrics_weeks_touched"


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _monday(column: str) -> str:
    """SQL: the Monday of the ISO week of ``column`` (a date)."""
    if connection.vendor == "postgresql":
        # Whole weeks since 1900-01-01, a Monday: date and integer arithmetic only
        # (``date_trunc('week', …)`` casts every date to timestamptz: the full refresh's distinct
        # users per week took twice as long).
        return f"(DATE '1900-01-01' + ({column} - DATE '1900-01-01') / 7 * 7)"
    return f"date({column}, 'weekday 0', '-6 days')"  # the next-or-same Sunday, minus six days


def _week_end(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + 6)"
    return f"date({column}, '+6 days')"


def refresh_weeks(
    cursor, *, touched: str | None, deltas: str | None = None, into: str | None = None
) -> int:
    """Recompute ``PartnerWeek`` for the weeks of the (partner_id, day) rows of the table
    ``touched`` (the scores' queue), or for everything (None): then into the empty table
    ``into`` if given (a full rebuild's staging table) instead of replacing every row; and add
    ``deltas`` (a table of ``ScoreDelta`` rows, of partners with no row in ``touched``:
    ``_add_week_deltas``). Returns the rows written."""
    written = 0 if deltas is None else _add_week_deltas(cursor, deltas)
    return written + _recompute_weeks(cursor, touched=touched, into=into)


def _add_week_deltas(cursor, deltas: str) -> int:
    """Add what the rollup runs of ``deltas`` did to their partners' weeks, instead of
    re-reading the weeks' bucket rows: active days += the buckets they created; users += the
    first-seen users of a week who have no other active day in it: as many ``PartnerDayUser``
    rows in the week as first-seen days of ``deltas`` (each of which has its row), counted by
    one probe of the (partner, user, day) index per user and week (a correlated count: as an
    anti-join, the planner merged it with the whole index). A week gets its row with its first
    bucket."""
    weeks, users = _t(PartnerWeek), _t(PartnerDayUser)
    added = "metrics_weeks_added"
    cursor.execute(f"DROP TABLE IF EXISTS {added}")
    cursor.execute(
        f"""CREATE TEMP TABLE {added} AS
            SELECT week, partner_id, sum(users) AS users, sum(days) AS days FROM (
                SELECT {_monday("day")} AS week, partner_id, 0 AS users,
                       sum(CASE WHEN new_day THEN 1 ELSE 0 END) AS days
                FROM {deltas} WHERE user_id IS NULL GROUP BY 1, 2
                UNION ALL
                SELECT f.week, f.partner_id, count(*), 0 FROM (
                    SELECT week, partner_id, user_id, count(*) AS firsts FROM (
                        SELECT DISTINCT {_monday("day")} AS week, partner_id, user_id, day
                        FROM {deltas} WHERE user_id IS NOT NULL) n
                    GROUP BY 1, 2, 3) f
                WHERE (SELECT count(*) FROM {users} x
                       WHERE x.partner_id = f.partner_id AND x.user_id = f.user_id
                         AND x.day BETWEEN f.week AND {_week_end("f.week")}) = f.firsts
                GROUP BY 1, 2) a
            GROUP BY 1, 2"""
    )
    cursor.execute(
        f"""INSERT INTO {weeks} (week, partner_id, users, active_days)
            SELECT week, partner_id, users, days FROM {added}
            WHERE users > 0 OR days > 0 ORDER BY 1, 2
            ON CONFLICT (week, partner_id) DO UPDATE SET
                users = {weeks}.users + EXCLUDED.users,
                active_days = {weeks}.active_days + EXCLUDED.active_days"""
    )
    written = cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {added}")
    return written


def _recompute_weeks(cursor, *, touched: str | None, into: str | None = None) -> int:
    weeks, days, users = _t(PartnerWeek), _t(PartnerDay), _t(PartnerDayUser)
    if touched is None:
        if into is None:
            cursor.execute(f"DELETE FROM {weeks}")
        cursor.execute(
            f"""INSERT INTO {into or weeks} (week, partner_id, users, active_days)
                SELECT d.week, d.partner_id, coalesce(u.users, 0), d.days
                FROM (SELECT {_monday("day")} AS week, partner_id, count(*) AS days
                      FROM {days} GROUP BY 1, 2) d
                LEFT JOIN (SELECT {_monday("day")} AS week, partner_id,
                                  count(DISTINCT user_id) AS users
                           FROM {users} GROUP BY 1, 2) u
                  ON u.week = d.week AND u.partner_id = d.partner_id
                ORDER BY 1, 2"""
        )
        return cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {WEEKS_TOUCHED}")
    cursor.execute(
        f"""CREATE TEMP TABLE {WEEKS_TOUCHED} AS
            SELECT DISTINCT {_monday("day")} AS week, partner_id FROM {touched}"""
    )
    cursor.execute(
        f"""DELETE FROM {weeks} WHERE EXISTS (
                SELECT 1 FROM {WEEKS_TOUCHED} t
                WHERE t.week = {weeks}.week AND t.partner_id = {weeks}.partner_id)"""
    )
    # Each touched week's rows by primary-key range ((partner, day) leads both bucket keys).
    in_week = f"x.partner_id = t.partner_id AND x.day BETWEEN t.week AND {_week_end('t.week')}"
    cursor.execute(
        f"""INSERT INTO {weeks} (week, partner_id, users, active_days)
            SELECT d.week, d.partner_id, coalesce(u.users, 0), d.days
            FROM (SELECT t.week, t.partner_id, count(*) AS days
                  FROM {WEEKS_TOUCHED} t JOIN {days} x ON {in_week} GROUP BY 1, 2) d
            LEFT JOIN (SELECT t.week, t.partner_id, count(DISTINCT x.user_id) AS users
                       FROM {WEEKS_TOUCHED} t JOIN {users} x ON {in_week} GROUP BY 1, 2) u
              ON u.week = d.week AND u.partner_id = d.partner_id
            ORDER BY 1, 2"""
    )
    written = cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {WEEKS_TOUCHED}")
    return written
