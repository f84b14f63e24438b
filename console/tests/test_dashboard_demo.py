"""On the demo data, the numbers the dashboard page shows (parsed from its HTML, as a manager reads
them) are the metric module's values, and the simplest ones also match a plain count."""

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from accounts.models import User
from console.forms import quarter_start
from deals.models import Deal
from metrics import definitions as d
from metrics.definitions import program as p
from metrics.rollups import rollup_recompute
from metrics.scores import scores_refresh
from partners.models import Partner

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Cells of every <table id="…-table"> and the text of every [data-kpi] value."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.kpis: dict[str, str] = {}
        self._table = self._row = self._cell = None
        self._kpi = None
        self._kpi_value = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").endswith("-table"):
            self._table = attrs["id"].removesuffix("-table")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        if "data-kpi" in attrs:
            self._kpi = attrs["data-kpi"]
        if "data-kpi-value" in attrs and self._kpi:
            self._kpi_value, self.kpis[self._kpi] = True, ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "p" and self._kpi_value:
            self._kpi_value = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._kpi_value:
            self.kpis[self._kpi] += data.strip()


@pytest.fixture
def demo_page(client):
    call_command("seed_demo", partners=40, events=4000, verbosity=0)
    rollup_recompute()
    scores_refresh()
    manager = User.objects.get(email="manager@prm.example")
    client.force_login(manager)
    response = client.get("/manage/dashboard/")
    assert response.status_code == 200
    parsed = Tables()
    parsed.feed(response.content.decode())
    return parsed, response.context["query"]


def body(rows):
    return rows[1:]  # without the header row


def test_dashboard_numbers_on_demo_data_are_the_metric_modules_values(demo_page):
    page, q = demo_page
    since, until = q.since, q.until
    assert (since, until) == (quarter_start(until), until)  # the default range

    deals = p.deal_counts(since=since, until=until)
    assert page.kpis["registered"] == f"{deals.registered:,}"
    assert page.kpis["won"] == f"{deals.won:,}"
    start = datetime.combine(since, datetime.min.time(), UTC)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC)
    assert deals.registered == Deal.objects.filter(submitted_at__range=(start, end)).count()
    rate = d.activation_rate(since=since, until=until).rate
    assert page.kpis["activation"] == ("—" if rate is None else f"{rate:.1f}%")
    dist = p.adoption_score_distribution(day=until)
    assert page.kpis["score"] == f"{dist.average:.1f}"
    assert dist.partners == Partner.objects.exclude(status__in=["applicant", "churned"]).count()

    status = {row[0]: int(row[1]) for row in body(page.tables["status"])}
    assert sum(status.values()) == Partner.objects.count() == 40

    cohorts = d.activation_cohorts(since=(until - timedelta(days=364)).replace(day=1), until=until)
    assert [[r[0], int(r[1]), int(r[2])] for r in body(page.tables["cohorts"])] == [
        [f"{c.month:%Y-%m}", c.partners, c.activated] for c in cohorts
    ]

    funnel = d.activation_funnel(since=since, until=until)
    assert [(r[0], int(r[2])) for r in body(page.tables["funnel"])] == [
        (s.title, s.partners) for s in funnel.steps
    ]

    features = d.feature_adoption(as_of=until)
    assert [(r[0], int(r[1])) for r in body(page.tables["features"])] == [
        (a.label, a.partners) for a in features.areas
    ]
    assert [int(r[1]) for r in body(page.tables["scores"])] == [b.partners for b in dist.buckets]

    weeks = p.weekly_active(since=since, until=until)
    assert [(int(r[1]), int(r[2])) for r in body(page.tables["weekly"])] == [
        (w.partners, w.users) for w in weeks
    ]
    assert any(w.partners for w in weeks)  # the demo data is active this quarter

    pipeline = p.deal_pipeline()
    assert [(r[0], int(r[1])) for r in body(page.tables["pipeline"])] == [
        (s.label, s.deals) for s in pipeline
    ]
    assert (
        sum(s.deals for s in pipeline)
        == Deal.objects.filter(status__in=["submitted", "approved"]).count()
    )

    offerings = d.offering_adoption(as_of=until)
    assert [(r[0], int(r[2])) for r in body(page.tables["offerings"])] == [
        (o.offering.name, o.adopted) for o in offerings
    ]
    at_risk = d.at_risk_partners(as_of=until)
    assert [r[0] for r in body(page.tables["at-risk"])] == [a.partner.name for a in at_risk][:25]


def test_the_roi_card_shows_real_money_on_demo_data(demo_page, client):
    """After ``make run`` (the demo seed) the card has won revenue and MDF paid this quarter."""
    _page, q = demo_page
    roi = d.program_roi(since=q.since, until=q.until)
    assert roi.total.revenue > 0 and roi.total.won_deals > 0
    assert roi.total.mdf_paid > 0 and roi.total.roi is not None
    response = client.get("/manage/dashboard/")
    body = response.content.decode()
    assert 'data-testid="roi-card"' in body
    assert f"{roi.total.revenue:,.2f}" in body and f"{roi.total.mdf_paid:,.2f}" in body
