"""The lead metrics on the program dashboard (the "Leads" cards, their CSV and drill-down links)
and on the partner 360 page (the leads panel), with the figures of ``leads.tests.test_metrics``'s
story worked out by hand there; neither page's query count grows with the leads."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.tests.factories import make_lead
from leads.tests.test_metrics import story  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

DASHBOARD = "/manage/dashboard/"


def _range() -> dict:
    today = timezone.now().date()
    return {"since": (today - timedelta(days=7)).isoformat(), "until": today.isoformat()}


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_shows_the_leads_cards_with_drill_down_links(story, client_as):  # noqa: F811
    world, _leads, _deals = story
    a, b, program = world.partner_a, world.partner_b, world.partner_a.program
    html = client_as("manager_owner").get(DASHBOARD, _range()).content.decode()
    assert 'id="leads-title"' in html and 'id="leads-partners-title"' in html
    # per program: the program's leads, and the 7 offers answered, drill down to the leads list
    assert f'href="/manage/leads/?program={program.pk}">Global</a>' in html
    assert f'href="/manage/leads/?program={program.pk}">7</a>' in html
    assert "57.1%" in html and "4.5 h" in html and "€5,000.00" in html
    # per partner: A first (most accepted); its name opens the 360 page, its count its leads
    partners = html[html.index('id="leads-partners-table"') :]
    assert partners.index("Alpha Systems") < partners.index("Bravo Consulting")
    assert f'href="{reverse("partners:manager_partner", args=[a.pk])}">Alpha Systems</a>' in html
    assert f'href="/manage/leads/?partner={a.pk}">5</a>' in partners
    assert f'href="/manage/leads/?partner={b.pk}">2</a>' in partners
    assert "60.0%" in partners and "6.0 h" in partners and "66.7%" in partners


def test_the_leads_csv_has_every_partner(story, client_as):  # noqa: F811
    url = reverse("metrics:dashboard_export", args=["leads-partners"])
    response = client_as("manager_owner").get(url, _range())
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Partner", "Offers answered", "Accepted"]
    assert rows[1] == [
        "Alpha Systems", "5", "3", "60.0%", "6.0 h", "2", "66.7%", "1", "33.3%", "€5,000.00",
    ]  # fmt: skip
    assert rows[2] == [
        "Bravo Consulting",
        "2",
        "1",
        "50.0%",
        "3.0 h",
        "0",
        "0.0%",
        "0",
        "0.0%",
        "—",
    ]


def test_the_dashboards_query_count_does_not_grow_with_the_leads(story, client_as):  # noqa: F811
    world, _leads, _deals = story
    client = client_as("manager_owner")
    before = _count(client, DASHBOARD, _range())
    for n in range(6):
        lead = make_lead(
            actor=world.users["manager_owner"], program=world.partner_a.program,
            company=f"More {n}", domain=f"more{n}.example",
        )  # fmt: skip
        offer = lead.offers.get()
        from leads import services

        services.offer_accept(offer=offer, actor=world.users["partner_a_admin"])
    after = _count(client, DASHBOARD, _range())
    assert after == before <= 75  # the dashboard's bound (console/tests/test_dashboard.py)


def test_partner_page_shows_the_leads_panel(story, client_as):  # noqa: F811
    world, _leads, _deals = story
    client = client_as("manager_owner")
    url = reverse("partners:manager_partner", args=[world.partner_a.pk])
    html = client.get(url).content.decode()
    panel = html[html.index('data-testid="leads-panel"') :]
    panel = panel[: panel.index("</section>")]
    assert f'href="/manage/leads/?partner={world.partner_a.pk}"' in panel
    assert 'data-metric="answered">5<' in panel
    assert 'data-metric="accepted">3 (60.0%)<' in panel
    assert 'data-metric="hours">6.0 h<' in panel
    assert 'data-metric="converted">2 (66.7%)<' in panel
    assert 'data-metric="won">1 (33.3%)<' in panel
    assert 'data-metric="revenue">€5,000.00<' in panel
    # B answered no offer with a deal: its panel says so in figures, not a blank
    b_html = client.get(reverse("partners:manager_partner", args=[world.partner_b.pk]))
    assert 'data-metric="converted">0 (0.0%)<' in b_html.content.decode()


def test_partner_page_without_leads_says_so(client_as, world):
    url = reverse("partners:manager_partner", args=[world.partner_a.pk])
    html = client_as("manager_owner").get(url).content.decode()
    assert "No lead offers answered yet." in html
