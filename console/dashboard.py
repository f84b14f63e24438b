"""The channel-manager dashboard's content: KPI tiles and tables (each table also feeds a chart and
a CSV export). Everything is read through ``metrics.definitions``; nothing here computes a metric
or reads raw events.

A table is built by one function of ``TABLES`` from a ``DashboardQuery``, so the page, the charts
and the CSV of a table always show the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils.http import urlencode

from console.forms import DashboardQuery
from metrics import definitions as d
from metrics.definitions import program as p
from partners.choices import PartnerStatus

CURVE_POINTS = 52


@dataclass(frozen=True)
class Link:
    text: str
    href: str

    def __str__(self):
        return self.text


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: dict | None = None
    caption: str = ""
    total_rows: int | None = None  # when the page shows only the first rows

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _days(value) -> str:
    return "—" if value is None else f"{value:.1f} d"


def _partner_link(pk: int, name: str) -> Link:
    return Link(name, reverse("partners:manager_partner", args=[pk]))


def _chart(kind: str, labels, datasets, **options) -> dict:
    return {"type": kind, "labels": [str(x) for x in labels], "datasets": datasets, **options}


# --- Tables ---------------------------------------------------------------------------------------
def table_status(q: DashboardQuery) -> Table:
    counts = p.partner_status_counts(**q.filters)
    return Table(
        "status",
        "Partners by status",
        ["Status", "Partners"],
        [[PartnerStatus(s).label, n] for s, n in counts.items()],
    )


def table_cohorts(q: DashboardQuery) -> Table:
    since = min(q.since, q.until - timedelta(days=364)).replace(day=1)
    rows = d.activation_cohorts(since=since, until=q.until, **q.filters)
    return Table(
        "cohorts",
        "Activation rate by signup cohort",
        ["Cohort", "Joined", "Activated in window", "Still in window", "Activation rate"],
        [[f"{r.month:%Y-%m}", r.partners, r.activated, r.pending, _pct(r.rate)] for r in rows],
        chart=_chart(
            "bar",
            [f"{r.month:%b %Y}" for r in rows],
            [{"label": "Activation rate (%)", "data": [r.rate for r in rows]}],
            max=100,
        ),
        caption="Partners who joined each month over the 12 months up to the end of the range.",
    )


def table_funnel(q: DashboardQuery) -> Table:
    funnel = d.activation_funnel(since=q.since, until=q.until, **q.filters)
    steps = funnel.steps
    return Table(
        "funnel",
        "Activation funnel by checklist step",
        ["Step", "Required", "Partners done", "Share of cohort"],
        [[s.title, "yes" if s.required else "no", s.partners, _pct(s.share)] for s in steps],
        chart=_chart(
            "bar",
            [s.title for s in steps],
            [{"label": "Partners done", "data": [s.partners for s in steps]}],
            horizontal=True,
        ),
        caption=f"{funnel.cohort} partners joined in the range.",
    )


def table_scores(q: DashboardQuery, dist=None) -> Table:
    dist = dist or p.adoption_score_distribution(day=q.until, **q.filters)
    return Table(
        "scores",
        "Adoption score distribution",
        ["Score", "Partners"],
        [[b.label, b.partners] for b in dist.buckets],
        chart=_chart(
            "bar",
            [b.label for b in dist.buckets],
            [{"label": "Partners", "data": [b.partners for b in dist.buckets]}],
        ),
        caption=f"Scores on {q.until:%d %b %Y} of {dist.partners} partners (no activity: 0).",
    )


def table_features(q: DashboardQuery) -> Table:
    result = d.feature_adoption(as_of=q.until, **q.filters)
    return Table(
        "features",
        "Feature adoption",
        ["Feature area", "Partners using it", "Share of active partners"],
        [[a.label, a.partners, _pct(a.share)] for a in result.areas],
        chart=_chart(
            "bar",
            [a.label for a in result.areas],
            [{"label": "Share of active partners (%)", "data": [a.share for a in result.areas]}],
            max=100,
        ),
        caption=f"{result.active_partners} partners active in the 30 days up to the end.",
    )


def table_offerings(q: DashboardQuery) -> Table:
    rows = d.offering_adoption(as_of=q.until, **q.filters)
    return Table(
        "offerings",
        "Offering adoption",
        ["Offering", "Eligible partners", "Adopted", "Share"],
        [[r.offering.name, r.eligible, r.adopted, _pct(r.share)] for r in rows],
        chart=_chart(
            "bar",
            [r.offering.name for r in rows],
            [{"label": "Share of partners (%)", "data": [r.share for r in rows]}],
            max=100,
        ),
    )


def table_curve(q: DashboardQuery) -> Table:
    offering = q.offering or d.first_launched_offering(as_of=q.until)
    points = (
        d.offering_adoption_curve(
            offering=offering,
            until=q.until,
            step_days=max(7, math.ceil((q.until - offering.launched_on).days / CURVE_POINTS)),
            **q.filters,
        )
        if offering and offering.launched_on <= q.until
        else []
    )
    name = offering.name if offering else "no offering launched"
    return Table(
        "curve",
        f"Adoption curve: {name}",
        ["Day", "Eligible partners", "Adopted", "Share"],
        [[f"{c.day:%Y-%m-%d}", c.eligible, c.adopted, _pct(c.share)] for c in points],
        chart=_chart(
            "line",
            [f"{c.day:%d %b %Y}" for c in points],
            [{"label": "Share adopted (%)", "data": [c.share for c in points]}],
            max=100,
        ),
        caption=f"Since launch, at most {CURVE_POINTS} points (weekly for a recent launch).",
    )


def table_weekly(q: DashboardQuery) -> Table:
    # From the per-partner weekly summary (metrics.summaries); equals p.weekly_active.
    weeks = p.weekly_active_from_summary(since=q.since, until=q.until, **q.filters)
    return Table(
        "weekly",
        "Weekly active partners and users",
        ["Week of", "Active partners", "Active users"],
        [[f"{w.week:%Y-%m-%d}", w.partners, w.users] for w in weeks],
        chart=_chart(
            "line",
            [f"{w.week:%d %b}" for w in weeks],
            [
                {"label": "Active partners", "data": [w.partners for w in weeks]},
                {"label": "Active users", "data": [w.users for w in weeks]},
            ],
        ),
    )


def table_pipeline(q: DashboardQuery) -> Table:
    stages = p.deal_pipeline(**q.filters)
    return Table(
        "pipeline",
        "Deal pipeline by stage",
        ["Stage", "Open deals", "Amount"],
        [
            [s.label, s.deals, ", ".join(f"{c} {a:,.2f}" for c, a in s.amounts.items()) or "—"]
            for s in stages
        ],
        chart=_chart(
            "bar",
            [s.label for s in stages],
            [{"label": "Open deals", "data": [s.deals for s in stages]}],
        ),
        caption="Registrations submitted or approved, now; amounts per currency.",
    )


def table_at_risk(q: DashboardQuery, limit: int | None = None) -> Table:
    total, shown = d.at_risk_page(as_of=q.until, limit=limit, **q.filters)
    return Table(
        "at-risk",
        "At-risk and stalled partners",
        ["Partner", "Status", "Owner", "Reasons"],
        [
            [
                _partner_link(r.partner.pk, r.partner.name),
                r.partner.get_status_display(),
                r.partner.owner.get_full_name() if r.partner.owner else "Unassigned",
                " ".join(r.reasons),
            ]
            for r in shown
        ],
        total_rows=total,
    )


def table_leaders_adoption(q: DashboardQuery) -> Table:
    rows = d.adoption_ranking(day=q.until, limit=10, **q.filters)
    return Table(
        "leaders-adoption",
        "Top partners by adoption",
        ["#", "Partner", "Score", "Active users", "Feature areas"],
        [
            [i, _partner_link(s.partner_id, s.partner.name), s.score, s.active_users, s.areas]
            for i, s in enumerate(rows, 1)
        ],
    )


def table_leaders_won(q: DashboardQuery) -> Table:
    rows = p.won_deals_ranking(since=q.since, until=q.until, limit=10, **q.filters)
    return Table(
        "leaders-won",
        "Top partners by deals won",
        ["#", "Partner", "Deals won"],
        [[i, _partner_link(r.partner_id, r.name), r.won] for i, r in enumerate(rows, 1)],
    )


def _revenue(figures) -> str:
    return ", ".join(f"{c} {a:,.2f}" for c, a in sorted(figures.revenue.items())) or "—"


def _hours(value) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _lead_cells(f) -> list:
    return [
        f.accepted,
        _pct(f.acceptance_rate),
        _hours(f.median_hours_to_accept),
        f.converted,
        _pct(f.conversion_rate),
        f.won,
        _pct(f.win_rate),
        _revenue(f),
    ]


LEAD_COLUMNS = [
    "Offers answered",
    "Accepted",
    "Acceptance rate",
    "Median time to accept",
    "Converted to deal",
    "Conversion rate",
    "Deals won",
    "Lead to won",
    "Revenue (won)",
]
LEAD_PARTNERS_ON_PAGE = 10


def _leads_link(text, **params) -> Link:
    return Link(str(text), f"{reverse('leads:manage_list')}?{urlencode(params)}")


def _lead_performance(q: DashboardQuery):
    return d.lead_performance(since=q.since, until=q.until, **q.filters)


def table_leads(q: DashboardQuery, perf=None) -> Table:
    perf = perf or _lead_performance(q)
    rows = [
        [_leads_link(f.name, program=f.pk), _leads_link(f.answered, program=f.pk), *_lead_cells(f)]
        for f in perf.programs
    ]
    if len(perf.programs) > 1:
        rows.append(["All programs", perf.total.answered, *_lead_cells(perf.total)])
    return Table(
        "leads",
        "Leads",
        ["Program", *LEAD_COLUMNS],
        rows,
        chart=_chart(
            "bar",
            [f.name for f in perf.programs],
            [
                {
                    "label": "Acceptance rate (%)",
                    "data": [f.acceptance_rate for f in perf.programs],
                },
                {
                    "label": "Conversion rate (%)",
                    "data": [f.conversion_rate for f in perf.programs],
                },
                {"label": "Lead to won (%)", "data": [f.win_rate for f in perf.programs]},
            ],
            max=100,
        ),
        caption="Offers partners answered in the range; conversion and won as of now.",
    )


def table_leads_partners(
    q: DashboardQuery, perf=None, limit: int | None = LEAD_PARTNERS_ON_PAGE
) -> Table:
    perf = perf or _lead_performance(q)
    shown = perf.partners if limit is None else perf.partners[:limit]
    return Table(
        "leads-partners",
        "Leads by partner",
        ["Partner", *LEAD_COLUMNS],
        [
            [_partner_link(f.pk, f.name), _leads_link(f.answered, partner=f.pk), *_lead_cells(f)]
            for f in shown
        ],
        caption="Most leads accepted first; the count of offers opens the partner's leads.",
        total_rows=len(perf.partners),
    )


TABLES: dict[str, Callable[[DashboardQuery], Table]] = {
    "status": table_status,
    "cohorts": table_cohorts,
    "funnel": table_funnel,
    "scores": table_scores,
    "features": table_features,
    "offerings": table_offerings,
    "curve": table_curve,
    "weekly": table_weekly,
    "pipeline": table_pipeline,
    "at-risk": table_at_risk,
    "leaders-adoption": table_leaders_adoption,
    "leaders-won": table_leaders_won,
    "leads": table_leads,
    "leads-partners": lambda q: table_leads_partners(q, limit=None),
}


# --- KPI tiles ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str
    previous: str
    change: str  # "+2.5 pts", "-3", "" when either side is missing
    trend: str  # "up", "down", "flat" or ""
    good_when_up: bool = True
    breakdown: list[tuple[str, int]] = field(default_factory=list)


def _kpi(key, label, now, before, fmt, unit="", good_when_up=True, value_unit="", **extra) -> Kpi:
    """``unit`` follows the change (" pts" for a rate), ``value_unit`` the values ("%")."""
    if now is None or before is None:
        change, trend = "", ""
    else:
        delta = now - before
        trend = "up" if delta > 0 else "down" if delta < 0 else "flat"
        sign = "+" if delta > 0 else "-" if delta < 0 else "±"
        change = f"{sign}{fmt(abs(delta))}{unit}"
    show = lambda v: "—" if v is None else f"{fmt(v)}{value_unit}"  # noqa: E731
    return Kpi(key, label, show(now), show(before), change, trend, good_when_up, **extra)


def kpis(q: DashboardQuery, dist_now) -> list[Kpi]:
    since, until = q.since, q.until
    psince, puntil = q.previous
    f = q.filters
    rate = (
        d.activation_rate(since=since, until=until, **f).rate,
        d.activation_rate(since=psince, until=puntil, **f).rate,
    )
    tta = (
        d.time_to_activation(since=since, until=until, **f).median_days,
        d.time_to_activation(since=psince, until=puntil, **f).median_days,
    )
    ttd = (
        d.time_to_first_deal(since=since, until=until, **f).median_days,
        d.time_to_first_deal(since=psince, until=puntil, **f).median_days,
    )
    dist_before = p.adoption_score_distribution(day=puntil, **f)
    deals = (
        p.deal_counts(since=since, until=until, **f),
        p.deal_counts(since=psince, until=puntil, **f),
    )
    # The breakdown is of the partners who joined in the range (their status now), so it adds up
    # to the card's number.
    status = p.partners_joined_by_status(since=since, until=until, **f)
    joined = (sum(status.values()), p.partners_joined(since=psince, until=puntil, **f))
    integer, one = (lambda v: f"{v:,}"), (lambda v: f"{v:.1f}")
    return [
        _kpi(
            "partners",
            "Partners joined",
            joined[0],
            joined[1],
            integer,
            breakdown=[(PartnerStatus(s).label, n) for s, n in status.items()],
        ),
        _kpi("activation", "Activation rate", rate[0], rate[1], one, unit=" pts", value_unit="%"),
        _kpi("tta", "Median days to activation", tta[0], tta[1], one, good_when_up=False),
        _kpi("ttd", "Median days to first deal", ttd[0], ttd[1], one, good_when_up=False),
        _kpi("score", "Average adoption score", dist_now.average, dist_before.average, one),
        _kpi("registered", "Deals registered", deals[0].registered, deals[1].registered, integer),
        _kpi("won", "Deals won", deals[0].won, deals[1].won, integer),
    ]


# --- The page -------------------------------------------------------------------------------------
AT_RISK_ON_PAGE = 25


def build(q: DashboardQuery) -> dict:
    """Everything the dashboard page shows (bounded queries whatever the data size). Tables are
    keyed by their key with ``_`` for ``-``, so templates can name them."""
    dist = p.adoption_score_distribution(day=q.until, **q.filters)
    tables = {
        "scores": table_scores(q, dist),
        "at-risk": table_at_risk(q, limit=AT_RISK_ON_PAGE),
    }
    leads = _lead_performance(q)  # one read for both leads cards
    tables["leads"] = table_leads(q, leads)
    tables["leads-partners"] = table_leads_partners(q, leads)
    for key in TABLES:
        if key not in tables:
            tables[key] = build_one(key, q)
    return {
        "kpis": kpis(q, dist),
        "tables": {key.replace("-", "_"): table for key, table in tables.items()},
    }


def build_one(key: str, q: DashboardQuery) -> Table:
    return TABLES[key](q)
