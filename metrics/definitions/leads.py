"""Lead metrics (issue 20): how partners answer and work the vendor's leads, per partner and per
program, from the answered offers leads registers as a reader (``leads.answered_offers``,
``partners.readers``); metrics never imports leads. docs/metrics.md gives the formulas.

The population is the offers **answered** (accepted or declined) between ``since`` and
``until`` (inclusive UTC days); what became of an accepted lead (converted to a deal
registration, the deal won, its amount) is read as it is now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from metrics.definitions.common import _day_start, partners_matching, percentile
from partners.readers import readers


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class LeadFigures:
    """One partner's or one program's (or everyone's) lead figures. Rates are percentages (None
    when their denominator is 0)."""

    pk: int | None  # the partner's or the program's id (None: the total)
    name: str
    answered: int = 0  # offers accepted or declined
    accepted: int = 0
    converted: int = 0  # accepted leads registered as a deal
    won: int = 0  # of those, deals won
    revenue: dict[str, Decimal] = field(default_factory=dict)  # currency → sum of won amounts
    hours: list[float] = field(default_factory=list)  # offered → accepted, each accepted offer

    @property
    def declined(self) -> int:
        return self.answered - self.accepted

    @property
    def acceptance_rate(self) -> float | None:
        """accepted / answered."""
        return _rate(self.accepted, self.answered)

    @property
    def conversion_rate(self) -> float | None:
        """converted to a deal registration / accepted."""
        return _rate(self.converted, self.accepted)

    @property
    def win_rate(self) -> float | None:
        """deals won / accepted (lead to won deal)."""
        return _rate(self.won, self.accepted)

    @property
    def median_hours_to_accept(self) -> float | None:
        value = percentile(self.hours, 0.5)
        return None if value is None else round(value, 1)

    def add(self, row: dict) -> None:
        self.answered += 1
        if not row["accepted"]:
            return
        self.accepted += 1
        self.hours.append((row["answered_at"] - row["offered_at"]).total_seconds() / 3600)
        if row["converted"]:
            self.converted += 1
        if row["outcome"] == "won":
            self.won += 1
            if row["amount"] is not None and row["currency"]:
                self.revenue[row["currency"]] = (
                    self.revenue.get(row["currency"], Decimal("0")) + row["amount"]
                )


@dataclass(frozen=True)
class LeadPerformance:
    total: LeadFigures
    programs: list[LeadFigures]  # by name
    partners: list[LeadFigures]  # most accepted first, then most answered, then by name


def lead_performance(*, since: date, until: date, **filters) -> LeadPerformance:
    """The lead figures of the partners matching ``filters`` for the offers they answered between
    ``since`` and ``until`` (inclusive): in all, per program (the lead's) and per partner. One
    query (the reader's)."""
    start, end = _day_start(since), _day_start(until + timedelta(days=1))
    rows = readers.get("leads.answered_offers")(
        partners=partners_matching(**filters), start=start, end=end
    )
    total = LeadFigures(None, "")
    programs: dict[int, LeadFigures] = {}
    partners: dict[int, LeadFigures] = defaultdict(lambda: LeadFigures(None, ""))
    for row in rows:
        total.add(row)
        programs.setdefault(
            row["program_id"], LeadFigures(row["program_id"], row["program_name"])
        ).add(row)
        figures = partners[row["partner_id"]]
        figures.pk, figures.name = row["partner_id"], row["partner_name"]
        figures.add(row)
    return LeadPerformance(
        total=total,
        programs=sorted(programs.values(), key=lambda f: (f.name, f.pk)),
        partners=sorted(partners.values(), key=lambda f: (-f.accepted, -f.answered, f.name, f.pk)),
    )


def lead_performance_for_partner(*, partner_id: int, since: date, until: date) -> LeadFigures:
    """One partner's lead figures (the partner 360 page). One query."""
    start, end = _day_start(since), _day_start(until + timedelta(days=1))
    rows = readers.get("leads.answered_offers")(
        partners=partners_matching().filter(pk=partner_id), start=start, end=end
    )
    figures = LeadFigures(partner_id, rows[0]["partner_name"] if rows else "")
    for row in rows:
        figures.add(row)
    return figures
