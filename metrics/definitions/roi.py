"""Program ROI: partner-sourced won revenue against what the program paid the partners (MDF), for a
date range, per program, per tier and per partner, all in the reporting currency
(``PRM_TIER_CURRENCY``, converted with ``PRM_TIER_FX_RATES`` by ``kernel.money`` inside the readers
deals and incentives register). docs/metrics.md, "Program ROI", gives the formula with an example.

- revenue: the final amounts of deals closed as won in the range (every deal is a partner's
  registration, so all are partner-sourced);
- MDF paid: the claimed amounts of MDF claims approved (paid) in the range;
- cost = MDF paid. Points are the only other incentive and carry no money value, so they are
  shown beside the cost (``points``), never converted into it;
- ROI = (revenue - cost) / cost, multiple = revenue / cost; both None when the cost is 0;
- a deal or a claim in a currency without a rate is left out of every sum and listed in
  ``excluded`` with its count and amount, never summed as if it were the reporting currency.

Programs and tiers are the partners' current ones. Four queries (three readers, the names of the
programs and tiers), whatever the number of partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from metrics.definitions.common import _day_start, partners_matching
from partners.models import Program, Tier
from partners.readers import readers

ZERO = Decimal("0")
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
TOP_PARTNERS = 10


@dataclass
class RoiFigures:
    """The figures of one row (a program, a tier, a partner, the rest or the total)."""

    revenue: Decimal = ZERO  # won revenue, reporting currency
    won_deals: int = 0  # the won deals counted in revenue (a currency without a rate: excluded)
    mdf_paid: Decimal = ZERO  # reporting currency
    mdf_claims: int = 0  # the paid claims counted in mdf_paid
    points: int = 0  # points awarded in the range (no money value)
    partners: int = 0  # partners with any figure in the range

    @property
    def cost(self) -> Decimal:
        return self.mdf_paid

    @property
    def roi(self) -> Decimal | None:
        """(revenue - cost) / cost, e.g. 2.5 for +250 %; None when nothing was paid."""
        if not self.cost:
            return None
        return ((self.revenue - self.cost) / self.cost).quantize(RATIO)

    @property
    def multiple(self) -> Decimal | None:
        """revenue / cost; None when nothing was paid."""
        if not self.cost:
            return None
        return (self.revenue / self.cost).quantize(RATIO)

    def add(self, other: RoiFigures) -> None:
        self.revenue += other.revenue
        self.won_deals += other.won_deals
        self.mdf_paid += other.mdf_paid
        self.mdf_claims += other.mdf_claims
        self.points += other.points
        self.partners += other.partners


@dataclass
class RoiRow:
    """A program (``pk``: its id), a tier of a program (``pk`` None and ``name`` "": its partners
    without a tier) or a partner (``program_id``, ``tier_id``: its own)."""

    pk: int | None
    name: str
    figures: RoiFigures = field(default_factory=RoiFigures)
    program_id: int | None = None
    tier_id: int | None = None
    program_name: str = ""


@dataclass(frozen=True)
class Excluded:
    """Money in a currency without a reporting rate, left out of every figure."""

    source: str  # "deals" (won revenue) or "mdf" (MDF paid)
    currency: str
    count: int  # deals or claims
    amount: Decimal  # in ``currency``


@dataclass
class ProgramRoi:
    currency: str
    since: date
    until: date
    total: RoiFigures
    programs: list[RoiRow]
    tiers: list[RoiRow]
    partners: list[RoiRow]  # the top partners by revenue (then cost, name)
    rest: RoiFigures  # every other partner with a figure, added up (``rest.partners`` of them)
    excluded: list[Excluded]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def program_roi(
    *, since: date, until: date, top: int | None = TOP_PARTNERS, **filters
) -> ProgramRoi:
    """The ROI figures of the partners matching ``filters`` between ``since`` and ``until``
    (whole days, UTC, both included). ``top``: how many partners to list (None: all)."""
    start, end = _day_start(since), _day_start(until + timedelta(days=1))
    currency, rates = settings.PRM_TIER_CURRENCY, settings.PRM_TIER_FX_RATES
    partners = partners_matching(**filters)
    won = readers.get("deals.won_revenue")(
        partners=partners, start=start, end=end, rates=rates, target=currency
    )
    mdf = readers.get("incentives.mdf_paid")(
        partners=partners, start=start, end=end, rates=rates, target=currency
    )
    points = readers.get("incentives.points_awarded")(partners=partners, start=start, end=end)

    by_partner: dict[int, RoiRow] = {}
    excluded: dict[tuple[str, str], list] = {}

    def row_of(r: dict) -> RoiRow:
        found = by_partner.get(r["partner_id"])
        if found is None:
            found = by_partner[r["partner_id"]] = RoiRow(
                r["partner_id"],
                r["name"],
                RoiFigures(partners=1),
                program_id=r["program_id"],
                tier_id=r["tier_id"],
            )
        return found

    for source, rows, count in (("deals", won, "deals"), ("mdf", mdf, "claims")):
        for r in rows:
            figures = row_of(r).figures
            if r["converted"] is None:  # no rate: listed, never summed
                seen = excluded.setdefault((source, r["currency"]), [0, ZERO])
                seen[0] += r[count]
                seen[1] += _money(r["amount"])
            elif source == "deals":
                figures.revenue += _money(r["converted"])
                figures.won_deals += r[count]
            else:
                figures.mdf_paid += _money(r["converted"])
                figures.mdf_claims += r[count]
    for r in points:
        row_of(r).figures.points += r["points"] or 0

    ranked = sorted(
        by_partner.values(),
        key=lambda r: (-r.figures.revenue, -r.figures.cost, r.name, r.pk),
    )
    shown = ranked if top is None else ranked[:top]
    rest = RoiFigures()
    for r in ranked[len(shown) :]:
        rest.add(r.figures)
    total = RoiFigures()
    for r in ranked:
        total.add(r.figures)
    programs, tiers = _groups(ranked)
    return ProgramRoi(
        currency=currency,
        since=since,
        until=until,
        total=total,
        programs=programs,
        tiers=tiers,
        partners=shown,
        rest=rest,
        excluded=[
            Excluded(source, code, n, amount)
            for (source, code), (n, amount) in sorted(excluded.items())
        ],
    )


def _groups(rows: list[RoiRow]) -> tuple[list[RoiRow], list[RoiRow]]:
    """The partners' figures added up per program and per tier (two queries for the names, none
    without partners). Programs by name; tiers by program name, then rank, "No tier" last."""
    program_ids = {r.program_id for r in rows}
    tier_ids = {r.tier_id for r in rows if r.tier_id is not None}
    names = dict(Program.objects.filter(pk__in=program_ids).values_list("pk", "name"))
    tiers_found = {
        t.pk: t
        for t in Tier.objects.filter(pk__in=tier_ids)
        .select_related("program")
        .only("pk", "name", "rank", "program__name")
    }
    programs: dict[int, RoiRow] = {}
    tiers: dict[tuple[int, int | None], RoiRow] = {}
    for r in rows:
        program = programs.setdefault(
            r.program_id, RoiRow(r.program_id, names.get(r.program_id, "—"))
        )
        program.figures.add(r.figures)
        tier = tiers_found.get(r.tier_id) if r.tier_id is not None else None
        group = tiers.setdefault(
            (r.program_id, r.tier_id),
            RoiRow(
                r.tier_id,
                tier.name if tier else "",
                program_id=r.program_id,
                tier_id=r.tier_id,
                program_name=program.name,
            ),
        )
        group.figures.add(r.figures)

    def tier_order(row: RoiRow):
        tier = tiers_found.get(row.tier_id) if row.tier_id is not None else None
        return (
            names.get(row.program_id, ""),
            row.program_id,
            tier is None,
            tier.rank if tier else 0,
        )

    return (
        sorted(programs.values(), key=lambda r: (r.name, r.pk)),
        sorted(tiers.values(), key=tier_order),
    )
