"""The program ROI page (``/manage/roi/``), its CSV exports and the dashboard's ROI card on the
generated data of console/tests/roi_data.py: the figures shown are the hand-computed ones, every
row links to what is behind it (and the deal list behind a revenue figure holds exactly its
deals), the CSV holds the page's rows, the query count is bounded, only vendor staff get in."""

import csv
import io
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from console.tests import roi_data
from console.tests.roi_data import RATES, SINCE, UNTIL
from partners.tests.factories import MembershipFactory, PartnerFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db
ROI = "/manage/roi/"
RANGE = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}
PARTNER_USERS_GET_404 = {"partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}
STAFF_200 = {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}


@pytest.fixture(autouse=True)
def frozen():
    with (
        time_machine.travel(roi_data.NOW, tick=False),
        override_settings(PRM_TIER_CURRENCY="USD", PRM_TIER_FX_RATES=RATES),
    ):
        yield


@pytest.fixture
def rw(world):
    return roi_data.build()


class Cells(HTMLParser):
    """Every <table id="roi-…-table">: rows of (text, href or None) cells; and [data-roi] values."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self.figures: dict[str, str] = {}
        self._table = self._row = self._cell = self._figure = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("roi-"):
            self._table = attrs["id"].removeprefix("roi-").removesuffix("-table")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ["", None]
        elif tag == "a" and self._cell is not None:
            self._cell[1] = attrs.get("href")
        if attrs.get("data-roi"):
            self._figure = attrs["data-roi"]
            self.figures[self._figure] = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append((self._cell[0].strip(), self._cell[1]))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag in ("p", "dd") and self._figure:
            self.figures[self._figure] = self.figures[self._figure].strip()
            self._figure = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data
        if self._figure:
            self.figures[self._figure] += data


def parse(response) -> Cells:
    parser = Cells()
    parser.feed(response.content.decode())
    return parser


def texts(rows):
    return [[text for text, _ in row] for row in rows]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- Who may see it -------------------------------------------------------------------------------
def test_the_roi_page_is_for_vendor_staff_and_partner_users_get_404(client_as):
    assert_role_matrix(client_as, ROI, {"anonymous": LOGIN} | PARTNER_USERS_GET_404 | STAFF_200)


@pytest.mark.parametrize("table", ["programs", "tiers", "partners"])
def test_the_roi_csv_is_for_vendor_staff_only(client_as, table):
    url = reverse("metrics:roi_export", args=[table])
    assert_role_matrix(client_as, url, {"anonymous": LOGIN} | PARTNER_USERS_GET_404 | STAFF_200)


def test_a_bad_filter_is_a_400_with_the_reason_and_an_unknown_table_404(client_as):
    client = client_as("manager_owner")
    response = client.get(ROI, {"since": "2026-06-30", "until": "2026-01-01"})
    assert response.status_code == 400
    assert "The start comes after the end." in response.content.decode()
    assert client.get(ROI, {"tier": "nope"}).status_code == 400
    bad_csv = client.get(reverse("metrics:roi_export", args=["programs"]), {"until": "2999-01-01"})
    assert bad_csv.status_code == 400
    assert client.get(reverse("metrics:roi_export", args=["nope"])).status_code == 404


# --- Figures --------------------------------------------------------------------------------------
def test_the_page_shows_the_hand_computed_figures_per_program_tier_and_partner(client_as, rw):
    page = parse(client_as("manager_owner").get(ROI, RANGE))
    assert page.figures == {
        "revenue": "20,500.00",
        "mdf": "2,100.00",
        "roi": "876.2%",  # (20500 - 2100) / 2100
        "multiple": "9.76x",
        "points": "60",
    }
    assert texts(page.tables["programs"]) == [
        ["Roi Alpha", "3", "16,500.00", "4", "2,100.00", "60", "685.7%", "7.86x"],
        ["Roi Beta", "1", "4,000.00", "1", "0.00", "0", "—", "—"],
        ["Total", "4", "20,500.00", "5", "2,100.00", "60", "876.2%", "9.76x"],
    ]
    assert texts(page.tables["tiers"]) == [
        ["Roi Alpha", "Silver", "1", "2,000.00", "1", "600.00", "10", "233.3%", "3.33x"],
        ["Roi Alpha", "Gold", "2", "14,500.00", "3", "1,500.00", "50", "866.7%", "9.67x"],
        ["Roi Beta", "No tier", "1", "4,000.00", "1", "0.00", "0", "—", "—"],
    ]
    assert texts(page.tables["partners"]) == [
        ["1", "Aardvark IT", "1", "13,000.00", "2", "1,000.00", "50", "1,200.0%", "13.00x"],
        ["2", "Coyote Cloud", "1", "4,000.00", "1", "0.00", "0", "—", "—"],
        ["3", "Badger Consulting", "1", "2,000.00", "1", "600.00", "10", "233.3%", "3.33x"],
        ["4", "Dingo Systems", "1", "1,500.00", "1", "500.00", "0", "200.0%", "3.00x"],
    ]


def test_the_currency_without_a_rate_is_named_with_its_count(client_as, rw):
    body = client_as("manager_owner").get(ROI, RANGE).content.decode()
    assert "1 won deals in JPY (100,000 JPY)" in body


def test_the_filters_narrow_the_page(client_as, rw):
    client = client_as("manager_owner")
    page = parse(client.get(ROI, {**RANGE, "region": "apac"}))
    assert [row[1][0] for row in page.tables["partners"]] == ["Dingo Systems"]
    assert page.figures["revenue"] == "1,500.00"
    gold = parse(client.get(ROI, {**RANGE, "program": rw.alpha.pk, "tier": rw.gold.pk}))
    assert texts(gold.tables["programs"])[-1][:4] == ["Total", "2", "14,500.00", "3"]


# --- Drill-down -----------------------------------------------------------------------------------
def test_rows_link_to_the_partners_behind_them(client_as, rw):
    client = client_as("manager_owner")
    page = parse(client.get(ROI, {**RANGE, "region": "emea"}))
    alpha = page.tables["programs"][0][0]
    assert alpha[0] == "Roi Alpha"
    assert parse_qs(urlsplit(alpha[1]).query) == {
        "scope": ["all"],
        "program": [str(rw.alpha.pk)],
        "region": ["emea"],
    }
    gold = page.tables["tiers"][1][1]
    assert parse_qs(urlsplit(gold[1]).query)["tier"] == [str(rw.gold.pk)]
    listed = client.get(gold[1])
    assert listed.status_code == 200
    # Gold partners in EMEA: Aardvark only (Dingo is in APAC)
    assert [p.name for p in listed.context["page"].object_list] == ["Aardvark IT"]
    aardvark = page.tables["partners"][0][1]
    assert aardvark == ("Aardvark IT", reverse("partners:manager_partner", args=[rw.a.pk]))


def test_a_revenue_figure_opens_exactly_the_deals_behind_it(client_as, rw):
    client = client_as("manager_owner")
    page = parse(client.get(ROI, RANGE))
    for row in page.tables["partners"]:
        won_deals, href = int(row[4][0]), row[3][1]
        listed = client.get(href)
        assert listed.status_code == 200
        deals = listed.context["page"].paginator.count
        excluded = 1 if row[1][0] == "Badger Consulting" else 0  # its JPY deal, listed too
        assert deals == won_deals + excluded, row[1][0]
    program = page.tables["programs"][1]  # Roi Beta
    assert client.get(program[2][1]).context["page"].paginator.count == int(program[3][0])
    mdf = page.tables["partners"][0][5][1]
    assert mdf == reverse("incentives:manager_mdf") + "?scope=all"


# --- CSV ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["programs", "tiers", "partners"])
def test_the_csv_holds_the_rows_of_the_page(client_as, rw, table):
    client = client_as("manager_owner")
    page = parse(client.get(ROI, RANGE))
    rows = csv_rows(client.get(reverse("metrics:roi_export", args=[table]), RANGE))
    assert rows[1:] == texts(page.tables[table])
    assert len(rows[0]) == len(rows[1])


def test_the_partner_csv_adds_up_the_partners_after_the_top(client_as, rw, monkeypatch):
    monkeypatch.setattr("console.roi.PAGE_TOP", 2)
    client = client_as("manager_owner")
    rows = csv_rows(client.get(reverse("metrics:roi_export", args=["partners"]), RANGE))
    assert [r[1] for r in rows[1:]] == ["Aardvark IT", "Coyote Cloud", "Other partners (2)"]
    assert rows[-1][2:4] == ["2", "3,500.00"]  # Badger 2000 + Dingo 1500


# --- Bounded queries ------------------------------------------------------------------------------
def test_the_page_runs_the_same_number_of_queries_whatever_the_number_of_partners(
    client_as, rw, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("manager_owner")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(ROI, RANGE).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(6):
        p = PartnerFactory(program=rw.alpha, tier=rw.silver, owner=rw.manager)
        MembershipFactory(partner=p, role="admin")
        roi_data.won(
            p, rw.manager, currency="USD", amount="100.00", closed=roi_data.at(2026, 5, 5), n=n
        )
    assert count() == few
    with django_assert_max_num_queries(16):
        client.get(ROI, RANGE)


# --- The dashboard's card -------------------------------------------------------------------------
def test_the_dashboard_card_shows_the_totals_and_links_to_the_page(client_as, rw):
    client = client_as("manager_owner")
    response = client.get("/manage/dashboard/", RANGE)
    assert response.status_code == 200
    page = parse(response)
    assert page.figures["revenue"] == "20,500.00"
    assert page.figures["mdf"] == "2,100.00"
    assert page.figures["roi"] == "876.2%"
    assert page.figures["multiple"] == "9.76x"
    body = response.content.decode()
    assert 'data-testid="roi-card"' in body
    assert "1 won deals in JPY" in body
    assert f'href="{ROI}?since=2026-04-01&amp;until=2026-06-30"' in body


def test_a_negative_roi_reads_the_same_on_the_page_and_in_the_csv(client_as, rw):
    client = client_as("manager_owner")
    march = {"since": "2026-03-15", "until": "2026-03-15"}  # only Aardvark's 300 USD claim paid
    page = parse(client.get(ROI, march))
    assert texts(page.tables["partners"]) == [
        ["1", "Aardvark IT", "1", "0.00", "0", "300.00", "0", "\u2212100.0%", "0.00x"]
    ]
    rows = csv_rows(client.get(reverse("metrics:roi_export", args=["partners"]), march))
    assert rows[1:] == texts(page.tables["partners"])
