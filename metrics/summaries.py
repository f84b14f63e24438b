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
the scores), with the buckets the rollup queued: each touched partner's spans are recomputed
from all of its ``PartnerDayOffering`` rows (a handful of partners per minute). After a full
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
from datetime import date

from django.db import connection

from metrics.adoption_rules import (
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


def refresh(*, partner_ids: Iterable[int] | None) -> int:
    """Bring the spans up to date: every offering whose fingerprint is missing or stale is
    rebuilt for all partners; the others for ``partner_ids`` (None: all partners). Call inside
    the transaction that changed the bucket tables' scores queue (``scores_refresh``)."""
    rules_by_slug = current_rules()
    trusted = trusted_offerings(rules_by_slug)
    stale = {s: r for s, r in rules_by_slug.items() if s not in trusted}
    fresh = {s: r for s, r in rules_by_slug.items() if s in trusted}
    written = 0
    if partner_ids is None:
        stale, fresh = rules_by_slug, {}
    if stale:
        written += _write(stale, None)
    if fresh and partner_ids is not None:
        ids = sorted(set(partner_ids))
        for i in range(0, len(ids), CHUNK):
            written += _write(fresh, ids[i : i + CHUNK])
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
        return f"date_trunc('week', {column})::date"
    return f"date({column}, 'weekday 0', '-6 days')"  # the next-or-same Sunday, minus six days


def _week_end(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + 6)"
    return f"date({column}, '+6 days')"


def refresh_weeks(cursor, *, touched: str | None) -> int:
    """Recompute ``PartnerWeek`` for the weeks of the (partner_id, day) rows of the table
    ``touched`` (the scores' queue), or for everything (None). Returns the rows written."""
    weeks, days, users = _t(PartnerWeek), _t(PartnerDay), _t(PartnerDayUser)
    if touched is None:
        cursor.execute(f"DELETE FROM {weeks}")
        cursor.execute(
            f"""INSERT INTO {weeks} (week, partner_id, users, active_days)
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
