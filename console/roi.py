"""The program ROI card of the dashboard and the ROI page (``/manage/roi/``): the figures of
``metrics.definitions.program_roi`` as tables per program, tier and partner, each figure a link to
what is behind it (the partner list filtered, the partner's page, the won deals of the range, the
MDF review list). The page, its CSV and the card read the same ``RoiPage``, so they always agree.
docs/metrics.md ("Program ROI") gives the formula."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from console.dashboard import Link, Table, _chart
from console.forms import DashboardQuery
from kernel.money import format_money
from metrics import definitions as d

PAGE_TOP = 25  # partners listed on the page (and its CSV); the rest are one row
CARD_TOP = 5


def _pk(value):
    return getattr(value, "pk", value)


def money(value: Decimal, currency: str | None = None) -> str:
    """A figure of the page (its heading names the currency): ``kernel.money.format_money``."""
    return format_money(value, currency, symbol=False)


# A negative ROI starts with the minus sign U+2212 on the page and in the CSV alike (a leading
# hyphen would make kernel.exports.safe_cell quote the cell as a would-be formula).
MINUS = "\u2212"


def ratio_pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{abs(value) * 100:,.1f}%"
    return f"{MINUS}{text}" if value < 0 else text


def multiple(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}x"


# --- Drill-down links -----------------------------------------------------------------------------
def _url(name: str, params: dict) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    return f"{reverse(name)}?{query.urlencode()}"


def partner_list_url(q: DashboardQuery, **narrow) -> str:
    """The partner list (docs/partner-list.md) with the dashboard's partner filters, narrowed."""
    f = q.filters
    params = {
        "scope": "all",
        "program": _pk(f.get("program")),
        "type": _pk(f.get("partner_type")),
        "tier": _pk(f.get("tier")),
        "region": f.get("region"),
        "owner": f.get("owner"),
    }
    params.update(narrow)
    return _url("partners:manager_home", params)


def won_deals_url(q: DashboardQuery, **narrow) -> str:
    """The vendor deal list: the deals won in the range, of the dashboard's program and tier (the
    deal list has no type, region or owner filter), narrowed to a program, tier or partner."""
    params = {
        "scope": "all",
        "status": "won",
        "closed_from": q.since.isoformat(),
        "closed_to": q.until.isoformat(),
        "program": _pk(q.filters.get("program")),
        "tier": _pk(q.filters.get("tier")),
    }
    params.update(narrow)
    return _url("deals:manager_list", params)


def mdf_url() -> str:
    """The MDF review list (it has no filters: the queue and recent requests of every partner)."""
    return _url("incentives:manager_mdf", {"scope": "all"})


# --- Tables ---------------------------------------------------------------------------------------
def _figure_cells(f: d.RoiFigures, *, deals_href: str = "", mdf_href: str = "") -> list:
    revenue, paid = money(f.revenue), money(f.mdf_paid)
    return [
        f.partners,
        Link(revenue, deals_href) if deals_href and f.won_deals else revenue,
        f.won_deals,
        Link(paid, mdf_href) if mdf_href and f.mdf_claims else paid,
        f.points,
        ratio_pct(f.roi),
        multiple(f.multiple),
    ]


def _figure_columns(currency: str) -> list[str]:
    return [
        _("Partners"),
        _("Won revenue (%(currency)s)") % {"currency": currency},
        _("Won deals"),
        _("MDF paid (%(currency)s)") % {"currency": currency},
        _("Points awarded"),
        _("ROI"),
        _("Revenue multiple"),
    ]


def table_programs(q: DashboardQuery, roi: d.ProgramRoi) -> Table:
    rows = [
        [
            Link(r.name, partner_list_url(q, program=r.pk)),
            *_figure_cells(
                r.figures, deals_href=won_deals_url(q, program=r.pk), mdf_href=mdf_url()
            ),
        ]
        for r in roi.programs
    ]
    rows.append([_("Total"), *_figure_cells(roi.total)])
    return Table(
        "programs",
        _("ROI by program"),
        [_("Program"), *_figure_columns(roi.currency)],
        rows,
        chart=_chart(
            "bar",
            [r.name for r in roi.programs],
            [
                {
                    "label": _("Won revenue"),
                    "data": [float(r.figures.revenue) for r in roi.programs],
                },
                {"label": _("MDF paid"), "data": [float(r.figures.mdf_paid) for r in roi.programs]},
            ],
        ),
    )


def table_tiers(q: DashboardQuery, roi: d.ProgramRoi) -> Table:
    rows = []
    for r in roi.tiers:
        if r.pk is None:  # the partner list has no "no tier" filter: the program's partners
            tier = _("No tier")
        else:
            tier = Link(r.name, partner_list_url(q, program=r.program_id, tier=r.pk))
        deals = won_deals_url(q, program=r.program_id, tier=r.pk) if r.pk else ""
        rows.append(
            [r.program_name, tier, *_figure_cells(r.figures, deals_href=deals, mdf_href=mdf_url())]
        )
    return Table(
        "tiers",
        _("ROI by tier"),
        [_("Program"), _("Tier"), *_figure_columns(roi.currency)],
        rows,
        caption=_("Partners count in the tier they hold now."),
    )


def table_partners(q: DashboardQuery, roi: d.ProgramRoi) -> Table:
    rows = [
        [
            i,
            Link(r.name, reverse("partners:manager_partner", args=[r.pk])),
            *_figure_cells(
                r.figures, deals_href=won_deals_url(q, partner=r.pk), mdf_href=mdf_url()
            ),
        ]
        for i, r in enumerate(roi.partners, 1)
    ]
    if roi.rest.partners:
        label = _("Other partners (%(n)s)") % {"n": roi.rest.partners}
        rows.append(["", label, *_figure_cells(roi.rest)])
    return Table(
        "partners",
        _("ROI by partner"),
        ["#", _("Partner"), *_figure_columns(roi.currency)],
        rows,
        caption=_("The %(n)s partners with the most won revenue; the others added up.")
        % {"n": len(roi.partners)},
        total_rows=roi.total.partners,
    )


def excluded_lines(roi: d.ProgramRoi) -> list[str]:
    """One line per currency left out, e.g. "1 won deal in JPY (100,000.00 JPY)"."""
    lines = []
    for e in roi.excluded:
        what = _("won deals") if e.source == "deals" else _("paid MDF claims")
        lines.append(
            _("%(n)s %(what)s in %(currency)s (%(amount)s %(currency)s)")
            % {
                "n": e.count,
                "what": what,
                "currency": e.currency,
                "amount": money(e.amount, e.currency),
            }
        )
    return lines


TABLES = {"programs": table_programs, "tiers": table_tiers, "partners": table_partners}


@dataclass
class RoiPage:
    roi: d.ProgramRoi
    kpis: list[tuple[str, str, str]]  # (key, label, value) of the total
    tables: dict[str, Table]
    excluded: list[str]


def kpis(roi: d.ProgramRoi) -> list[tuple[str, str, str]]:
    total = roi.total
    return [
        (
            "revenue",
            _("Won revenue (%(currency)s)") % {"currency": roi.currency},
            money(total.revenue),
        ),
        ("mdf", _("MDF paid (%(currency)s)") % {"currency": roi.currency}, money(total.mdf_paid)),
        ("roi", _("ROI"), ratio_pct(total.roi)),
        ("multiple", _("Revenue multiple"), multiple(total.multiple)),
        ("points", _("Points awarded"), f"{total.points:,}"),
    ]


def build_page(q: DashboardQuery) -> RoiPage:
    roi = d.program_roi(since=q.since, until=q.until, top=PAGE_TOP, **q.filters)
    return RoiPage(
        roi=roi,
        kpis=kpis(roi),
        tables={key: build(q, roi) for key, build in TABLES.items()},
        excluded=excluded_lines(roi),
    )


# --- The dashboard's card -------------------------------------------------------------------------
def card(q: DashboardQuery) -> dict:
    """The dashboard's ROI card: the total's figures, a chart of revenue against MDF paid per
    program, the excluded currencies and the link to the page (the template adds the filters)."""
    roi = d.program_roi(since=q.since, until=q.until, top=CARD_TOP, **q.filters)
    total = roi.total
    return {
        "currency": roi.currency,
        "revenue": money(total.revenue),
        "won_deals": total.won_deals,
        "mdf_paid": money(total.mdf_paid),
        "points": total.points,
        "roi": ratio_pct(total.roi),
        "multiple": multiple(total.multiple),
        "revenue_href": won_deals_url(q),
        "mdf_href": mdf_url(),
        "excluded": excluded_lines(roi),
        "chart": table_programs(q, roi).chart,
    }
