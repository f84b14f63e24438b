"""Drill-down (issue 19, item 1): every dashboard figure links to the partner list showing the
partners behind it, and the list's count equals the figure, on generated data and with the
dashboard's filters carried over. Each test builds the figure the way the dashboard does
(``console.dashboard``), follows its link as a channel manager and reads the list's count."""

import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from console import dashboard
from console.forms import DashboardFilterForm
from deals import services as deal_services
from deals.choices import OPEN_STATUSES, DealStatus
from deals.models import Deal
from events.services import record_events
from metrics.models import OfferingAdoptionRule
from metrics.tests.domain import checklist, deal_submitted
from metrics.tests.helpers import event, roll
from partners.choices import PartnerStatus, Region
from partners.models import SavedPartnerView
from partners.tests.factories import (
    MembershipFactory,
    OfferingFactory,
    PartnerFactory,
    PartnerTypeFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
LIST = "/manage/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _events(partner, member, rng, profile: str, joined: date):
    """A partner's activity: ``steady`` (every few days, several areas and offerings), ``drop``
    (busy 31-120 days ago, one event since), ``light`` (a few events lately), ``dormant``
    (nothing in the last 130 days)."""
    if profile == "steady":
        days = range(0, 140, rng.choice([2, 3, 5]))
    elif profile == "drop":
        days = [3, *range(31, 121)]
    elif profile == "dormant":
        days = range(130, 200, 4)
    elif profile == "light":
        days = [rng.randint(0, 29) for _ in range(rng.randint(1, 4))] + [45, 80]
    else:
        return []
    kinds = [
        ("auth.login", {}),
        ("resource.viewed", {}),
        ("resource.viewed", {"marketing_asset": True}),
        ("deal.won", {"offerings": ["edge"]}),
        ("offering.used", {"offering": "core"}),
    ]
    found = []
    for n, ago in enumerate(days):
        day = TODAY - timedelta(days=ago)
        if day < joined:
            continue
        kind, props = kinds[rng.randrange(len(kinds))] if n % 2 else kinds[0]
        found.append(
            event(
                kind, f"e-{partner.pk}-{n}", partner=partner, user=member, day=day, properties=props
            )
        )
    return found


@pytest.fixture
def data(world):
    """Thirty partners in two programs, two types, two regions and three owners (one none), of
    every status; some activated within the window, late, imported active or not at all;
    checklists partly done; steady, dropping, dormant or no activity; some deals; two offerings,
    one read from its adoption spans and one (rules changed since) from the usage summary."""
    rng = random.Random(19)
    cloud = ProgramFactory(name="Cloud", slug="cloud")
    msp = PartnerTypeFactory(name="MSP", slug="msp")
    reseller = PartnerTypeFactory()
    owners = [world.users["manager_owner"], world.users["manager_other"], None]
    OfferingFactory(name="Edge", slug="edge", launched_on=TODAY - timedelta(days=200))
    core = OfferingFactory(name="Core", slug="core", launched_on=TODAY - timedelta(days=100))
    statuses = (
        [PartnerStatus.ACTIVE] * 5
        + [PartnerStatus.ONBOARDING] * 3
        + [
            PartnerStatus.CHURNED,
            PartnerStatus.APPLICANT,
        ]
    )
    events = []
    for n in range(30):
        status = rng.choice(statuses)
        joined_at = None
        activated_at = None
        if status != PartnerStatus.APPLICANT:
            joined_at = NOW - timedelta(days=rng.randint(3, 400), hours=rng.randint(0, 23))
            if status == PartnerStatus.ACTIVE:
                late = rng.random()
                if late < 0.15:
                    activated_at = joined_at  # imported already active
                else:
                    activated_at = min(
                        joined_at + timedelta(days=rng.randint(1, 160)), NOW - timedelta(hours=1)
                    )
        partner = PartnerFactory(
            name=f"Generated {n:02d}",
            program=rng.choice([world.partner_a.program, cloud]),
            partner_type=rng.choice([msp, reseller]),
            tier=None,
            region=rng.choice([Region.EMEA, Region.NORTH_AMERICA]),
            owner=rng.choice(owners),
            status=status,
            joined_at=joined_at,
            activated_at=activated_at,
        )
        if joined_at is None:
            continue
        joined = joined_at.date()
        member = MembershipFactory(partner=partner).user
        checklist(
            partner,
            [
                (
                    "agreement",
                    "Sign the agreement",
                    1,
                    True,
                    joined if rng.random() < 0.6 else None,
                ),
                ("training", "Complete training", 2, True, joined if rng.random() < 0.3 else None),
            ],
        )
        if rng.random() < 0.4 and joined < TODAY - timedelta(days=2):
            for k in range(rng.randint(1, 3)):
                deal = deal_submitted(
                    partner, joined + timedelta(days=1 + k), customer_domain=f"c{n}-{k}.example"
                )
                if rng.random() < 0.4:
                    deal = deal_services.deal_approve(deal=deal, actor=owners[0])
                    deal_services.deal_mark_won(
                        deal=deal, actor=deal.created_by, final_amount=Decimal("1000.00")
                    )
        profile = rng.choice(["steady", "steady", "light", "light", "drop", "dormant", "none"])
        events += _events(partner, member, rng, profile, joined)
    rule = OfferingAdoptionRule.objects.create(
        offering=core, description="Used", kinds=["offering.used"], window_days=30, min_events=2
    )
    record_events(events)
    roll()
    # Changed after the rollup: core's spans no longer match its rules, so its adoption is read
    # from the usage summary (the other code path).
    rule.min_events = 1
    rule.save()
    return world


def query(world, **params):
    form = DashboardFilterForm(params, user=world.users["manager_owner"])
    assert form.is_valid(), form.errors
    return form.query()


@pytest.fixture
def manager(client_as):
    return client_as("manager_owner")


def listed(client, href: str) -> int:
    """The partner list's count behind ``href``; the figure is shown and nothing was ignored."""
    response = client.get(href)
    assert response.status_code == 200
    assert response.context["query"].errors == []
    if "figure=" in href:
        assert response.context["figure"]
    return response.context["page"].paginator.count


def links(table) -> list[tuple[int, dashboard.Link]]:
    found = [(cell, cell.href) for row in table.rows for cell in row if getattr(cell, "href", "")]
    return [(int(cell.text), cell) for cell, _href in found if cell.text.isdigit()]


def assert_links_match(client, cells, *, at_least: int = 1):
    """Every linked number of ``cells`` equals its list's count; some are not zero."""
    assert len(cells) >= at_least
    for figure, link in cells:
        assert listed(client, link.href) == figure, (link.figure, link.href)
    assert any(figure for figure, _link in cells), "the data should give non-zero figures"


def filtered(href: str, **expected):
    params = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    for key, value in expected.items():
        assert params[key] == str(value)


# --- One test per kind of figure ------------------------------------------------------------------
def test_partners_joined_kpi_and_its_breakdown_by_status(data, manager):
    program = data.partner_a.program
    q = query(data, program=program.pk, since="2025-09-01", until="2026-06-30")
    kpi = {
        k.key: k for k in dashboard.kpis(q, dashboard.p.adoption_score_distribution(**q.filters))
    }
    joined = kpi["partners"]
    filtered(joined.href, program=program.pk, figure="joined", since="2025-09-01")
    assert listed(manager, joined.href) == int(joined.value.replace(",", "")) > 0
    for _label, count in joined.breakdown:
        assert listed(manager, count.href) == count
    # The breakdown adds up to the figure, on the list too.
    assert sum(count for _label, count in joined.breakdown) == int(joined.value)


def test_activation_rate_kpi_and_cohort_rows(data, manager):
    q = query(data, region=Region.EMEA, since="2025-07-01", until="2026-06-30")
    kpi = {
        k.key: k for k in dashboard.kpis(q, dashboard.p.adoption_score_distribution(**q.filters))
    }
    rate = kpi["activation"]
    activated, cohort = rate.links
    assert listed(manager, rate.href) == listed(manager, activated.href)
    n_activated = int(activated.text.split()[0])
    n_cohort = int(cohort.text.split()[1])
    assert listed(manager, activated.href) == n_activated
    assert listed(manager, cohort.href) == n_cohort
    assert rate.value == f"{100 * n_activated / n_cohort:.1f}%"
    table = dashboard.table_cohorts(q)
    assert_links_match(manager, links(table), at_least=6)
    filtered(table.rows[0][1].href, region="emea", figure="cohort")


def test_median_days_kpis_link_to_the_partners_they_measure(data, manager):
    owner = data.users["manager_owner"]
    q = query(data, owner="mine", since="2025-06-01", until="2026-06-30")
    kpi = {
        k.key: k for k in dashboard.kpis(q, dashboard.p.adoption_score_distribution(**q.filters))
    }
    tta = dashboard.d.time_to_activation(since=q.since, until=q.until, **q.filters)
    ttd = dashboard.d.time_to_first_deal(since=q.since, until=q.until, **q.filters)
    assert tta.count and ttd.count
    filtered(kpi["tta"].href, owner=owner.pk, figure="tta")
    assert listed(manager, kpi["tta"].href) == tta.count
    assert listed(manager, kpi["ttd"].href) == ttd.count


def test_funnel_steps_done_and_not_done(data, manager):
    msp = PartnerTypeFactory(name="MSP", slug="msp")
    q = query(data, partner_type=msp.pk, since="2025-06-01", until="2026-06-30")
    table = dashboard.table_funnel(q)
    funnel = dashboard.d.activation_funnel(since=q.since, until=q.until, **q.filters)
    assert [r[2].figure for r in table.rows] == ["step_done"] * 2
    assert [r[3].figure for r in table.rows] == ["step_not"] * 2
    assert_links_match(manager, links(table), at_least=4)
    for row in table.rows:
        assert int(row[2].text) + int(row[3].text) == funnel.cohort
    (cohort,) = table.links
    assert listed(manager, cohort.href) == funnel.cohort
    filtered(table.rows[0][3].href, type=msp.pk, figure="step_not", figure_key="agreement")


def test_score_buckets_on_the_dashboards_last_day(data, manager):
    cloud = ProgramFactory(slug="cloud")
    until = TODAY - timedelta(days=10)  # not today: the buckets are of that day's scores
    q = query(data, program=cloud.pk, since="2026-04-01", until=until.isoformat())
    table = dashboard.table_scores(q)
    assert_links_match(manager, links(table), at_least=10)
    dist = dashboard.p.adoption_score_distribution(day=until, **q.filters)
    assert [int(r[1].text) for r in table.rows] == [b.partners for b in dist.buckets]
    assert dist.buckets[0].partners and sum(1 for b in dist.buckets[1:] if b.partners) >= 4
    (scored,) = table.links
    assert listed(manager, scored.href) == dist.partners


def test_feature_areas_used_and_not_used(data, manager):
    q = query(data, region=Region.NORTH_AMERICA, since="2026-04-01", until="2026-06-20")
    table = dashboard.table_features(q)
    assert_links_match(manager, links(table), at_least=10)
    result = dashboard.d.feature_adoption(as_of=q.until, **q.filters)
    (active,) = table.links
    assert listed(manager, active.href) == result.active_partners > 0


def test_offerings_adopted_and_eligible_but_not(data, manager):
    program = data.partner_a.program
    q = query(data, program=program.pk, since="2026-04-01", until="2026-06-30")
    table = dashboard.table_offerings(q)
    assert {"Edge", "Core"} <= {r[0] for r in table.rows}
    assert_links_match(manager, links(table), at_least=6)
    adopted = {r[0]: int(r[2].text) for r in table.rows}
    assert adopted["Edge"] and adopted["Core"]  # both code paths (spans, usage) are exercised


def test_curve_points(data, manager):
    q = query(data, region=Region.EMEA, since="2026-04-01", until="2026-06-30")
    table = dashboard.table_curve(q)
    cells = links(table)
    # Every point would take long: the first, some in the middle and the last.
    chosen = cells[:2] + cells[len(cells) // 2 : len(cells) // 2 + 2] + cells[-2:]
    assert_links_match(manager, chosen, at_least=6)
    chart = table.chart["datasets"][0]
    assert len(chart["hrefs"]) == len(chart["data"]) == len(table.rows)


def test_at_risk_in_all_and_per_reason(data, manager):
    q = query(
        data, owner=str(data.users["manager_other"].pk), since="2026-04-01", until="2026-06-30"
    )
    table = dashboard.table_at_risk(q, limit=5)
    total, *per_reason = table.links
    assert listed(manager, total.href) == table.total_rows > 0
    counts = {}
    for link in per_reason:
        reason = parse_qs(urlsplit(link.href).query)["figure_key"][0]
        counts[reason] = int(re.search(r"(\d+)$", link.text).group(1))
        assert listed(manager, link.href) == counts[reason]
    # every partner at risk has at least one reason; here more than one kind of reason shows
    assert sum(counts.values()) >= table.total_rows
    assert sum(1 for n in counts.values() if n) >= 2
    filtered(total.href, owner=data.users["manager_other"].pk, figure="at_risk")


def test_weekly_active_partners(data, manager):
    program = data.partner_a.program
    q = query(data, program=program.pk, since="2026-05-01", until="2026-06-30")
    table = dashboard.table_weekly(q)
    assert_links_match(manager, links(table)[::3], at_least=3)


def test_partners_by_status(data, manager):
    q = query(data, region=Region.EMEA)
    table = dashboard.table_status(q)
    assert_links_match(manager, links(table), at_least=5)
    filtered(table.rows[0][1].href, region="emea", status=PartnerStatus.values[0])


def test_deal_figures_link_to_the_partners_with_those_deals(data, manager):
    """Deals registered, won and open count deals, not partners: their links (no number on
    them) list the partners with at least one such deal, which the test counts from the deals."""
    program = data.partner_a.program
    q = query(data, program=program.pk, since="2025-06-01", until="2026-06-30")
    kpi = {
        k.key: k for k in dashboard.kpis(q, dashboard.p.adoption_score_distribution(**q.filters))
    }
    assert not kpi["registered"].href and not kpi["won"].href  # the number is of deals
    deals = Deal.objects.filter(partner__program=program)
    start = datetime(2025, 6, 1, tzinfo=UTC)
    registered = deals.filter(submitted_at__gte=start).values("partner").distinct().count()
    won = deals.filter(status=DealStatus.WON, closed_at__gte=start).values("partner").distinct()
    assert registered and won.count()
    (link,) = kpi["registered"].links
    assert registered == listed(manager, link.href) <= int(kpi["registered"].value)
    (link,) = kpi["won"].links
    assert won.count() == listed(manager, link.href) <= int(kpi["won"].value)
    pipeline = dashboard.table_pipeline(q)
    every, *stages = pipeline.links
    open_deals = deals.filter(status__in=OPEN_STATUSES)
    assert listed(manager, every.href) == open_deals.values("partner").distinct().count() > 0
    for link in stages:
        stage = parse_qs(urlsplit(link.href).query)["figure_key"][0]
        expected = open_deals.filter(stage=stage).values("partner").distinct().count()
        assert listed(manager, link.href) == expected > 0


# --- The page -------------------------------------------------------------------------------------
def test_dashboard_page_links_figures_and_the_list_names_the_figure(data, manager):
    program = data.partner_a.program
    response = manager.get(
        "/manage/dashboard/", {"program": program.pk, "since": "2025-09-01", "until": "2026-06-30"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    for figure in ("step_done", "step_not", "score", "area", "area_not", "adopted", "weekly"):
        assert f'data-figure="{figure}"' in html
    assert html.count("data-kpi-value><a ") == 5  # the tiles counting partners; not the deals
    assert html.count('"hrefs": [') >= 7  # chart bars follow the same links
    href = re.search(r'href="([^"]*figure=step_not[^"]*)"', html).group(1).replace("&amp;", "&")
    page = manager.get(href)
    text = page.content.decode()
    assert "Partners behind:" in text
    assert "Funnel step “agreement” — not done · joined 1 Sep 2025 to 30 Jun 2026" in text
    back = page.context["figure_dashboard"]
    assert parse_qs(back) == {
        "program": [str(program.pk)],
        "since": ["2025-09-01"],
        "until": ["2026-06-30"],
    }
    # Changing another filter keeps the figure (hidden fields of the filter form).
    assert 'name="figure" value="step_not"' in text


def test_a_drill_down_saved_as_a_view_and_exported_keeps_the_figure(data, manager):
    q = query(data, region=Region.EMEA, since="2025-09-01", until="2026-06-30")
    (row, *_rest) = dashboard.table_funnel(q).rows
    not_done = row[3]
    params = {k: v[0] for k, v in parse_qs(urlsplit(not_done.href).query).items()}
    saved = manager.post("/manage/views/", {**params, "name": "Agreement to chase"})
    assert saved.status_code == 302
    view = SavedPartnerView.objects.get(name="Agreement to chase")
    opened = manager.get(f"/manage/views/{view.pk}/", follow=True)
    assert opened.context["page"].paginator.count == int(not_done.text) > 0
    assert opened.context["query"].params["figure"] == "step_not"
    body = b"".join(manager.get("/manage/partners.csv", params).streaming_content).decode()
    assert len(body.strip().splitlines()) == 1 + int(not_done.text)


@pytest.mark.parametrize(
    "params",
    [
        {"figure": "nope"},
        {"figure": "score", "figure_key": "15"},
        {"figure": "score", "figure_key": "10"},  # no range
        {"figure": "joined", "since": "2026-06-30", "until": "2026-01-01"},
        {"figure": "joined", "since": "1900-01-01", "until": "2026-01-01"},
        {"figure": "joined", "since": "2026-01-01", "until": "99999-01-01"},
        {"figure": "joined", "figure_key": "x", "since": "2026-01-01", "until": "2026-02-01"},
        {"figure": "weekly", "figure_key": "2026-06-03", "since": "2026-06-01", "until": "2026-06-30"},
        {"figure": "cohort", "figure_key": "2026-13", "since": "2026-01-01", "until": "2026-06-30"},
        {"figure": "adopted", "figure_key": "nothing", "since": "2026-01-01", "until": "2026-06-30"},
        {"figure": "curve_adopted", "figure_key": "edge:x", "since": "2026-01-01", "until": "2026-06-30"},
        {"figure": "curve_adopted", "figure_key": "edge:2027-01-01", "since": "2026-01-01",
         "until": "2026-06-30"},
        {"figure": "deals_open", "figure_key": "nope", "since": "2026-01-01", "until": "2026-06-30"},
        {"figure": "area", "figure_key": "nope", "since": "2026-01-01", "until": "2026-06-30"},
        {"figure": "at_risk", "figure_key": "bored", "since": "2026-01-01", "until": "2026-06-30"},
        {"figure": "step_not", "figure_key": "k" * 200, "since": "2026-01-01", "until": "2026-06-30"},
    ],
)  # fmt: skip
def test_a_bad_figure_is_reported_and_ignored(world, client_as, params):
    response = client_as("manager_owner").get(LIST, {"scope": "all", **params})
    assert response.status_code == 200
    assert response.context["query"].errors
    assert "figure" not in response.context["query"].params
    assert not response.context["figure"]
    assert response.context["page"].paginator.count == 2  # every partner: the figure is ignored


def test_the_list_with_a_figure_runs_a_bounded_number_of_queries(
    data, manager, django_assert_max_num_queries
):
    q = query(data, since="2025-06-01", until="2026-06-30")
    hrefs = [
        dashboard.list_url(q, "step_not", "agreement"),
        dashboard.list_url(q, "at_risk"),
        dashboard.list_url(q, "curve_adopted", "core:2026-06-30"),
        dashboard.list_url(q, "not_adopted", "core"),
    ]
    for href in hrefs:
        with django_assert_max_num_queries(32):
            assert manager.get(href).status_code == 200


def test_partner_users_cannot_drill_down(world, client_as):
    href = "/manage/?scope=all&figure=joined&since=2026-01-01&until=2026-06-30"
    assert client_as("partner_a_admin").get(href).status_code == 404
