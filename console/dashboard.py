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
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.forms import DashboardQuery
from kernel.money import format_money
from metrics import churn_pages
from metrics import definitions as d
from metrics.definitions import program as p
from partners.choices import PartnerStatus

CURVE_POINTS = 52


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    figure: str = ""  # the drill-down's figure kind (data-figure in the page), "" for others

    def __str__(self):
        return self.text


class LinkedCount(int):
    """A count that is also a link to the partners behind it (it adds up like the number)."""

    href: str
    figure: str

    def __new__(cls, value: int, href: str, figure: str = ""):
        count = super().__new__(cls, value)
        count.href, count.figure = href, figure
        return count

    def __reduce__(self):  # the page cache pickles it
        return (LinkedCount, (int(self), self.href, self.figure))

    @property
    def text(self) -> str:
        return f"{int(self)}"


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: dict | None = None
    caption: str = ""
    total_rows: int | None = None  # when the page shows only the first rows
    links: list[Link] = field(default_factory=list)  # drill-downs of figures outside the rows

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


# --- Drill-down -----------------------------------------------------------------------------------
#: The dashboard's filters as the partner list's parameters (docs/partner-list.md).
LIST_PARAMS = {
    "program": "program",
    "partner_type": "type",
    "tier": "tier",
    "region": "region",
    "owner": "owner",
}


def list_url(q: DashboardQuery, figure: str = "", key="", **extra) -> str:
    """The partner list showing the partners behind a figure (``metrics.drilldown``), with the
    dashboard's filters carried over; without ``figure``, the list with the filters and
    ``extra`` (e.g. a status). No query: the filters are already loaded."""
    params = list(extra.items())
    if figure:
        params.append(("figure", figure))
        if key != "":
            params.append(("figure_key", key))
        params += [("since", q.since.isoformat()), ("until", q.until.isoformat())]
    return _list_prefix(q) + ("&" + urlencode(params) if params else "")


def _list_prefix(q: DashboardQuery) -> str:
    """The partner list's address with the dashboard's filters, the start of every ``list_url``:
    made once per query (a page has about 300 drill-down links; reversing and encoding the
    filters for each cost ~15 ms of a build)."""
    prefix = q.memo.get("list_prefix")
    if prefix is None:
        params = [("scope", "all")]
        params += [
            (name, getattr(q.filters[k], "pk", q.filters[k]))
            for k, name in LIST_PARAMS.items()
            if q.filters.get(k) not in (None, "")
        ]
        prefix = q.memo["list_prefix"] = reverse("partners:manager_home") + "?" + urlencode(params)
    return prefix


def _drill(q: DashboardQuery, value, figure: str, key="", **extra) -> Link:
    """``value`` as a link to the partners behind it."""
    return Link(f"{value}", list_url(q, figure, key, **extra), figure)


# --- Tables ---------------------------------------------------------------------------------------
def table_status(q: DashboardQuery) -> Table:
    counts = p.partner_status_counts(**q.filters)
    return Table(
        "status",
        _("Partners by status"),
        [_("Status"), _("Partners")],
        [
            [PartnerStatus(s).label, Link(f"{n}", list_url(q, status=s), "status")]
            for s, n in counts.items()
        ],
    )


def table_cohorts(q: DashboardQuery) -> Table:
    since = min(q.since, q.until - timedelta(days=364)).replace(day=1)
    rows = d.activation_cohorts(since=since, until=q.until, **q.filters)
    return Table(
        "cohorts",
        _("Activation rate by signup cohort"),
        [
            _("Cohort"),
            _("Joined"),
            _("Activated in window"),
            _("Still in window"),
            _("Activation rate"),
        ],
        [
            [
                f"{r.month:%Y-%m}",
                _drill(q, r.partners, "cohort", f"{r.month:%Y-%m}"),
                _drill(q, r.activated, "activated", f"{r.month:%Y-%m}"),
                _drill(q, r.pending, "pending", f"{r.month:%Y-%m}"),
                _pct(r.rate),
            ]
            for r in rows
        ],
        chart=_chart(
            "bar",
            [f"{r.month:%b %Y}" for r in rows],
            [
                {
                    "label": "Activation rate (%)",
                    "data": [r.rate for r in rows],
                    "hrefs": [list_url(q, "activated", f"{r.month:%Y-%m}") for r in rows],
                }
            ],
            max=100,
        ),
        caption="Partners who joined each month over the 12 months up to the end of the range.",
    )


def table_funnel(q: DashboardQuery) -> Table:
    funnel = d.activation_funnel(since=q.since, until=q.until, **q.filters)
    steps = funnel.steps
    return Table(
        "funnel",
        _("Activation funnel by checklist step"),
        [_("Step"), _("Required"), _("Partners done"), _("Not done"), _("Share of cohort")],
        [
            [
                s.title,
                "yes" if s.required else "no",
                _drill(q, s.partners, "step_done", s.step),
                _drill(q, funnel.cohort - s.partners, "step_not", s.step),
                _pct(s.share),
            ]
            for s in steps
        ],
        chart=_chart(
            "bar",
            [s.title for s in steps],
            [
                {
                    "label": "Partners done",
                    "data": [s.partners for s in steps],
                    "hrefs": [list_url(q, "step_done", s.step) for s in steps],
                }
            ],
            horizontal=True,
        ),
        caption=f"{funnel.cohort} partners joined in the range.",
        links=[_drill(q, _("All %(n)s partners of the cohort") % {"n": funnel.cohort}, "cohort")],
    )


def table_scores(q: DashboardQuery, dist=None) -> Table:
    dist = dist or p.adoption_score_distribution(day=q.until, **q.filters)
    return Table(
        "scores",
        _("Adoption score distribution"),
        [_("Score"), _("Partners")],
        [[b.label, _drill(q, b.partners, "score", b.low)] for b in dist.buckets],
        chart=_chart(
            "bar",
            [b.label for b in dist.buckets],
            [
                {
                    "label": "Partners",
                    "data": [b.partners for b in dist.buckets],
                    "hrefs": [list_url(q, "score", b.low) for b in dist.buckets],
                }
            ],
        ),
        caption=f"Scores on {q.until:%d %b %Y} of {dist.partners} partners (no activity: 0).",
        links=[_drill(q, _("All %(n)s scored partners") % {"n": dist.partners}, "scored")],
    )


def table_features(q: DashboardQuery) -> Table:
    result = d.feature_adoption(as_of=q.until, **q.filters)
    return Table(
        "features",
        _("Feature adoption"),
        [
            _("Feature area"),
            _("Partners using it"),
            _("Not using it"),
            _("Share of active partners"),
        ],
        [
            [
                a.label,
                _drill(q, a.partners, "area", a.area),
                _drill(q, result.active_partners - a.partners, "area_not", a.area),
                _pct(a.share),
            ]
            for a in result.areas
        ],
        chart=_chart(
            "bar",
            [a.label for a in result.areas],
            [
                {
                    "label": "Share of active partners (%)",
                    "data": [a.share for a in result.areas],
                    "hrefs": [list_url(q, "area", a.area) for a in result.areas],
                }
            ],
            max=100,
        ),
        caption=f"{result.active_partners} partners active in the 30 days up to the end.",
        links=[_drill(q, _("All %(n)s active partners") % {"n": result.active_partners}, "active")],
    )


def table_offerings(q: DashboardQuery) -> Table:
    rows = d.offering_adoption(as_of=q.until, **q.filters)
    return Table(
        "offerings",
        _("Offering adoption"),
        [_("Offering"), _("Eligible partners"), _("Adopted"), _("Not adopted"), _("Share")],
        [
            [
                r.offering.name,
                _drill(q, r.eligible, "eligible", r.offering.slug),
                _drill(q, r.adopted, "adopted", r.offering.slug),
                _drill(q, r.eligible - r.adopted, "not_adopted", r.offering.slug),
                _pct(r.share),
            ]
            for r in rows
        ],
        chart=_chart(
            "bar",
            [r.offering.name for r in rows],
            [
                {
                    "label": "Share of partners (%)",
                    "data": [r.share for r in rows],
                    "hrefs": [list_url(q, "adopted", r.offering.slug) for r in rows],
                }
            ],
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
        [_("Day"), _("Eligible partners"), _("Adopted"), _("Share")],
        [
            [
                f"{c.day:%Y-%m-%d}",
                _drill(q, c.eligible, "curve_eligible", f"{offering.slug}:{c.day:%Y-%m-%d}"),
                _drill(q, c.adopted, "curve_adopted", f"{offering.slug}:{c.day:%Y-%m-%d}"),
                _pct(c.share),
            ]
            for c in points
        ],
        chart=_chart(
            "line",
            [f"{c.day:%d %b %Y}" for c in points],
            [
                {
                    "label": "Share adopted (%)",
                    "data": [c.share for c in points],
                    "hrefs": [
                        list_url(q, "curve_adopted", f"{offering.slug}:{c.day:%Y-%m-%d}")
                        for c in points
                    ],
                }
            ],
            max=100,
        ),
        caption=f"Since launch, at most {CURVE_POINTS} points (weekly for a recent launch).",
    )


def table_weekly(q: DashboardQuery) -> Table:
    # From the per-partner weekly summary (metrics.summaries); equals p.weekly_active.
    weeks = p.weekly_active_from_summary(since=q.since, until=q.until, **q.filters)
    return Table(
        "weekly",
        _("Weekly active partners and users"),
        [_("Week of"), _("Active partners"), _("Active users")],
        [
            [f"{w.week:%Y-%m-%d}", _drill(q, w.partners, "weekly", f"{w.week:%Y-%m-%d}"), w.users]
            for w in weeks
        ],
        chart=_chart(
            "line",
            [f"{w.week:%d %b}" for w in weeks],
            [
                {
                    "label": "Active partners",
                    "data": [w.partners for w in weeks],
                    "hrefs": [list_url(q, "weekly", f"{w.week:%Y-%m-%d}") for w in weeks],
                },
                {"label": "Active users", "data": [w.users for w in weeks]},
            ],
        ),
    )


def table_pipeline(q: DashboardQuery) -> Table:
    stages = p.deal_pipeline(**q.filters)
    return Table(
        "pipeline",
        _("Deal pipeline by stage"),
        [_("Stage"), _("Open deals"), _("Amount")],
        [
            [s.label, s.deals, ", ".join(format_money(a, c) for c, a in s.amounts.items()) or "—"]
            for s in stages
        ],
        chart=_chart(
            "bar",
            [s.label for s in stages],
            [{"label": "Open deals", "data": [s.deals for s in stages]}],
        ),
        caption="Registrations submitted or approved, now; amounts per currency.",
        # The figures count deals: the links name the partners who have them, with no number.
        links=[Link(_("Partners with open deals"), list_url(q, "deals_open"), "deals_open")]
        + [
            Link(
                _("… in %(stage)s") % {"stage": s.label},
                list_url(q, "deals_open", s.stage),
                "deals_open",
            )
            for s in stages
            if s.deals
        ],
    )


def _forecast_cell(forecast) -> str:
    if forecast is None:
        return "—"
    if not forecast.reasons:
        return forecast.percent
    return f"{forecast.percent}: {' '.join(forecast.reasons)}"


def table_at_risk(q: DashboardQuery, limit: int | None = None) -> Table:
    """The rule-based at-risk list, each partner with its churn forecast beside the rules'
    reasons (the forecast of the latest scores day, metrics.churn_pages)."""
    page = d.at_risk_overview(as_of=q.until, limit=limit, **q.filters)
    total, shown = page.total, page.shown
    forecasts = churn_pages.forecasts_for([r.partner.pk for r in shown])
    reasons = {
        "drop": _("Activity drop"),
        "dormant": _("Dormant"),
        "stalled": _("Onboarding stalled"),
    }
    return Table(
        "at-risk",
        _("At-risk and stalled partners"),
        [_("Partner"), _("Status"), _("Owner"), _("Reasons"), _("Churn forecast (90 days)")],
        [
            [
                _partner_link(r.partner.pk, r.partner.name),
                r.partner.get_status_display(),
                r.partner.owner.get_full_name() if r.partner.owner else "Unassigned",
                " ".join(r.reasons),
                _forecast_cell(forecasts.get(r.partner.pk)),
            ]
            for r in shown
        ],
        total_rows=total,
        links=[_drill(q, _("All %(n)s at-risk partners") % {"n": total}, "at_risk")]
        + [
            _drill(q, f"{label}: {len(page.by_reason[kind])}", "at_risk", kind)
            for kind, label in reasons.items()
        ],
    )


CHURN_ON_PAGE = 10


def table_churn_forecast(q: DashboardQuery, limit: int | None = CHURN_ON_PAGE, state=None) -> Table:
    """The partners most likely to go inactive, churn or halve their activity in 90 days (the
    forecast of the latest scores day, within the filters), with the reasons in words and the
    rules' verdict. When the model did not beat the rules the caption says so: the rule-based
    card above stays the primary list."""
    state = state or churn_pages.model_state()
    day = churn_pages.current_score_day()
    partners = d.partners_matching(**q.filters)
    total, top = churn_pages.top_forecasts(partners=partners, limit=limit or 10**9, day=day)
    rules = churn_pages.rule_reasons_for([f.partner_id for f, _p in top], day=day)
    if state.primary:
        caption = _(
            "Model version %(version)s (backtest AUC %(auc)s, the rules %(rules)s): it beat the "
            "at-risk rules, so this list leads."
        ) % {
            "version": state.version.pk,
            "auc": f"{state.auc:.2f}",
            "rules": "—" if state.rules_auc is None else f"{state.rules_auc:.2f}",
        }
    else:
        caption = state.why
    return Table(
        "churn-forecast",
        _("Churn forecast: highest risk"),
        [_("Partner"), _("Owner"), _("Probability"), _("Why (model)"), _("At-risk rules")],
        [
            [
                _partner_link(partner.pk, partner.name),
                partner.owner.get_full_name() if partner.owner else _("Unassigned"),
                forecast.percent,
                " ".join(forecast.reasons) or "—",
                "—" if rules is None else " ".join(rules.get(partner.pk, [])) or _("Not at risk"),
            ]
            for forecast, partner in top
        ],
        caption=caption,
        total_rows=total,
        links=[Link(_("The model, its versions and backtest"), reverse("console:churn_model"))],
    )


def table_leaders_adoption(q: DashboardQuery) -> Table:
    rows = d.adoption_ranking(day=q.until, limit=10, **q.filters)
    return Table(
        "leaders-adoption",
        _("Top partners by adoption"),
        ["#", _("Partner"), _("Score"), _("Active users"), _("Feature areas")],
        [
            [i, _partner_link(s.partner_id, s.partner.name), s.score, s.active_users, s.areas]
            for i, s in enumerate(rows, 1)
        ],
    )


def table_leaders_won(q: DashboardQuery) -> Table:
    rows = p.won_deals_ranking(since=q.since, until=q.until, limit=10, **q.filters)
    return Table(
        "leaders-won",
        _("Top partners by deals won"),
        ["#", _("Partner"), _("Deals won")],
        [[i, _partner_link(r.partner_id, r.name), r.won] for i, r in enumerate(rows, 1)],
        links=[Link(_("All partners who won deals"), list_url(q, "deals_won"), "deals_won")],
    )


def _revenue(figures) -> str:
    return ", ".join(format_money(a, c) for c, a in sorted(figures.revenue.items())) or "—"


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
    gettext_lazy("Offers answered"),
    gettext_lazy("Accepted"),
    gettext_lazy("Acceptance rate"),
    gettext_lazy("Median time to accept"),
    gettext_lazy("Converted to deal"),
    gettext_lazy("Conversion rate"),
    gettext_lazy("Deals won"),
    gettext_lazy("Lead to won"),
    gettext_lazy("Revenue (won)"),
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
        _("Leads"),
        [_("Program"), *LEAD_COLUMNS],
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
        _("Leads by partner"),
        [_("Partner"), *LEAD_COLUMNS],
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
    "churn-forecast": lambda q: table_churn_forecast(q, limit=None),
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
    breakdown: list[tuple[str, int]] = field(default_factory=list)  # counts: LinkedCount
    href: str = ""  # the partners behind the value ("" for a figure that counts deals)
    links: list[Link] = field(default_factory=list)  # the partners behind its parts


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
    rates = (
        d.activation_rate(since=since, until=until, **f),
        d.activation_rate(since=psince, until=puntil, **f),
    )
    rate = (rates[0].rate, rates[1].rate)
    ttas = (
        d.time_to_activation(since=since, until=until, **f),
        d.time_to_activation(since=psince, until=puntil, **f),
    )
    ttds = (
        d.time_to_first_deal(since=since, until=until, **f),
        d.time_to_first_deal(since=psince, until=puntil, **f),
    )
    tta, ttd = (
        (ttas[0].median_days, ttas[1].median_days),
        (ttds[0].median_days, ttds[1].median_days),
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
    now = rates[0]
    return [
        _kpi(
            "partners",
            _("Partners joined"),
            joined[0],
            joined[1],
            integer,
            breakdown=[
                (PartnerStatus(s).label, LinkedCount(n, list_url(q, "joined", status=s), "joined"))
                for s, n in status.items()
            ],
            href=list_url(q, "joined"),
        ),
        _kpi(
            "activation",
            _("Activation rate"),
            rate[0],
            rate[1],
            one,
            unit=" pts",
            value_unit="%",
            href=list_url(q, "activated"),
            links=[
                _drill(q, _("%(n)s activated") % {"n": now.activated}, "activated"),
                _drill(q, _("of %(n)s joined") % {"n": now.partners}, "cohort"),
            ],
        ),
        _kpi(
            "tta",
            _("Median days to activation"),
            tta[0],
            tta[1],
            one,
            good_when_up=False,
            href=list_url(q, "tta"),
            links=[_drill(q, _("of %(n)s activated") % {"n": ttas[0].count}, "tta")],
        ),
        _kpi(
            "ttd",
            _("Median days to first deal"),
            ttd[0],
            ttd[1],
            one,
            good_when_up=False,
            href=list_url(q, "first_deal"),
            links=[_drill(q, _("of %(n)s with a deal") % {"n": ttds[0].count}, "first_deal")],
        ),
        _kpi(
            "score",
            _("Average adoption score"),
            dist_now.average,
            dist_before.average,
            one,
            href=list_url(q, "scored"),
            links=[_drill(q, _("of %(n)s partners") % {"n": dist_now.partners}, "scored")],
        ),
        # These count deals, not partners: no number on the link to the partners who have them.
        _kpi(
            "registered",
            _("Deals registered"),
            deals[0].registered,
            deals[1].registered,
            integer,
            links=[
                Link(
                    _("Partners with these deals"),
                    list_url(q, "deals_registered"),
                    "deals_registered",
                )
            ],
        ),
        _kpi(
            "won",
            _("Deals won"),
            deals[0].won,
            deals[1].won,
            integer,
            links=[Link(_("Partners with these deals"), list_url(q, "deals_won"), "deals_won")],
        ),
    ]


# --- The page -------------------------------------------------------------------------------------
AT_RISK_ON_PAGE = 25


def build(q: DashboardQuery) -> dict:
    """Everything the dashboard page shows (bounded queries whatever the data size). Tables are
    keyed by their key with ``_`` for ``-``, so templates can name them."""
    dist = p.adoption_score_distribution(day=q.until, **q.filters)
    churn_state = churn_pages.model_state()
    tables = {
        "scores": table_scores(q, dist),
        "at-risk": table_at_risk(q, limit=AT_RISK_ON_PAGE),
        "churn-forecast": table_churn_forecast(q, state=churn_state),
    }
    leads = _lead_performance(q)  # one read for both leads cards
    tables["leads"] = table_leads(q, leads)
    tables["leads-partners"] = table_leads_partners(q, leads)
    for key in TABLES:
        if key not in tables:
            tables[key] = build_one(key, q)
    return {
        "kpis": kpis(q, dist),
        "churn_primary": churn_state.primary,
        "tables": {key.replace("-", "_"): table for key, table in tables.items()},
    }


def build_one(key: str, q: DashboardQuery) -> Table:
    return TABLES[key](q)
