"""The channel-manager program dashboard: who may see it, filters, numbers, exports, query counts."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from deals import services as deal_services
from events.services import record_events
from metrics.definitions import program as p
from metrics.tests.domain import checklist, deal_submitted
from metrics.tests.helpers import event, roll
from partners.choices import PartnerStatus, Region
from partners.tests.factories import MembershipFactory, OfferingFactory, PartnerFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
DASHBOARD = "/manage/dashboard/"
PARTNER_USERS_GET_404 = {"partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}
STAFF_200 = {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def busy_partner(n: int, *, program, owner, region=Region.EMEA, won=False):
    """A partner with a checklist, a registered (maybe won) deal and a month of logins."""
    joined_at = NOW - timedelta(days=20 + n)
    partner = PartnerFactory(
        program=program,
        owner=owner,
        region=region,
        tier=None,
        joined_at=joined_at,
        activated_at=joined_at + timedelta(days=5),
        status=PartnerStatus.ACTIVE,
    )
    member = MembershipFactory(partner=partner)
    checklist(
        partner,
        [
            ("agreement", "Sign the agreement", 1, True, (joined_at + timedelta(days=1)).date()),
            ("training", "Complete training", 2, True, None),
        ],
    )
    deal = deal_submitted(partner, TODAY - timedelta(days=3), customer_domain=f"c{n}.example")
    if won:
        deal = deal_services.deal_approve(deal=deal, actor=owner)
        deal_services.deal_mark_won(
            deal=deal, actor=deal.created_by, final_amount=Decimal("1000.00")
        )
    record_events(
        event(
            "auth.login",
            f"login-{partner.pk}-{k}",
            partner=partner,
            user=member.user,
            day=TODAY - timedelta(days=k),
        )
        for k in range(0, 20, 2)
    )
    return partner


# --- Who may see it -------------------------------------------------------------------------------
def test_dashboard_is_for_vendor_staff_and_partner_users_get_404(client_as):
    assert_role_matrix(
        client_as, DASHBOARD, {"anonymous": LOGIN} | PARTNER_USERS_GET_404 | STAFF_200
    )


@pytest.mark.parametrize("table", ["cohorts", "at-risk", "leaders-won", "status"])
def test_csv_exports_are_for_vendor_staff_only(client_as, table):
    url = reverse("metrics:dashboard_export", args=[table])
    assert_role_matrix(client_as, url, {"anonymous": LOGIN} | PARTNER_USERS_GET_404 | STAFF_200)


def test_my_partners_shows_only_the_partners_the_manager_owns(client_as, world):
    client = client_as("manager_owner")
    mine = csv_rows(
        client.get(reverse("metrics:dashboard_export", args=["status"]), {"owner": "mine"})
    )
    everyone = csv_rows(client.get(reverse("metrics:dashboard_export", args=["status"])))
    assert sum(int(n) for _, n in mine[1:]) == 1  # partner A only
    assert sum(int(n) for _, n in everyone[1:]) == 2
    page = client.get(DASHBOARD, {"owner": "mine"})
    assert page.context["query"].filters == {"owner": world.users["manager_owner"].pk}


def test_my_partners_lists_only_own_partners_in_the_leaderboard(client_as, world):
    busy_partner(1, program=world.partner_a.program, owner=world.users["manager_owner"], won=True)
    other = busy_partner(
        2, program=world.partner_a.program, owner=world.users["manager_other"], won=True
    )
    client = client_as("manager_owner")
    url = reverse("metrics:dashboard_export", args=["leaders-won"])
    assert other.name in {row[1] for row in csv_rows(client.get(url))}
    assert other.name not in {row[1] for row in csv_rows(client.get(url, {"owner": "mine"}))}


# --- Filters --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"program": "not-a-number"}, "Select a valid choice"),
        ({"program": "999999"}, "Select a valid choice"),
        ({"region": "mars"}, "Select a valid choice"),
        ({"owner": "-1"}, "Select a valid choice"),
        ({"since": "2026-13-45"}, "Enter a valid date"),
        ({"until": "2026-07-01"}, "cannot end in the future"),
        ({"since": "2026-06-01", "until": "2026-05-01"}, "start comes after the end"),
        ({"since": "1999-12-31"}, "cannot start before"),
        ({"since": "2020-01-01"}, "at most three years"),
    ],
)
def test_invalid_filters_get_400_with_the_reason(client_as, params, message):
    client = client_as("manager_owner")
    page = client.get(DASHBOARD, params)
    assert page.status_code == 400
    assert message in page.content.decode()
    export = client.get(reverse("metrics:dashboard_export", args=["cohorts"]), params)
    assert export.status_code == 400 and message in export.content.decode()


def test_unknown_table_export_is_404(client_as):
    assert client_as("manager_owner").get("/manage/dashboard/nothing.csv").status_code == 404


def test_filters_are_kept_in_links_so_a_view_can_be_shared(client_as, world):
    params = {"region": "emea", "owner": "mine", "since": "2026-04-01", "until": "2026-06-30"}
    page = client_as("manager_owner").get(DASHBOARD, params).content.decode()
    assert "/manage/dashboard/cohorts.csv?region=emea&amp;owner=mine&amp;since=2026-04-01" in page
    assert '<option value="emea" selected>' in page
    assert 'value="2026-04-01"' in page


def test_region_filter_changes_the_numbers(client_as, world):
    owner = world.users["manager_owner"]
    for n in range(3):
        busy_partner(n, program=world.partner_a.program, owner=owner, region=Region.APAC)
    busy_partner(9, program=world.partner_a.program, owner=owner, region=Region.EMEA)
    client = client_as("manager_owner")

    def registered(region):
        page = client.get(DASHBOARD, {"region": region} if region else {})
        return {k.key: k.value for k in page.context["kpis"]}["registered"]

    assert (registered(""), registered("apac"), registered("emea")) == ("4", "3", "1")


# --- Numbers ---------------------------------------------------------------------------------------
def test_kpis_compare_with_the_previous_period_of_the_same_length(client_as, world):
    owner = world.users["manager_owner"]
    busy_partner(1, program=world.partner_a.program, owner=owner)
    earlier = PartnerFactory(owner=owner, tier=None, joined_at=NOW - timedelta(days=100))
    deal_submitted(earlier, TODAY - timedelta(days=45), customer_domain="early.example")
    deal_submitted(earlier, TODAY - timedelta(days=40), customer_domain="early2.example")
    params = {"since": "2026-06-01", "until": "2026-06-30"}  # previous: 2 May - 31 May
    page = client_as("manager_owner").get(DASHBOARD, params)
    kpi = {k.key: k for k in page.context["kpis"]}["registered"]
    assert (kpi.value, kpi.previous, kpi.change, kpi.trend) == ("1", "2", "-1", "down")


def test_every_table_is_in_the_page_without_javascript(client_as, world):
    busy_partner(1, program=world.partner_a.program, owner=world.users["manager_owner"])
    roll()
    page = client_as("manager_owner").get(DASHBOARD).content.decode()
    for key in ("cohorts", "funnel", "scores", "features", "offerings", "curve", "weekly",
                "pipeline", "at-risk", "leaders-adoption", "leaders-won", "status"):  # fmt: skip
        assert f'id="{key}-table"' in page
    assert "Complete training" in page  # a funnel step, as a table row
    assert "Metrics updated" in page


def test_csv_export_applies_filters_and_neutralises_formulas(client_as, world):
    owner = world.users["manager_owner"]
    sneaky = busy_partner(1, program=world.partner_a.program, owner=owner, won=True)
    sneaky.name = "=HYPERLINK(1)"
    sneaky.save()
    client = client_as("manager_owner")
    url = reverse("metrics:dashboard_export", args=["leaders-won"])
    response = client.get(url, {"since": "2026-06-01"})
    assert response["Content-Disposition"].startswith('attachment; filename="prm-leaders-won-')
    assert csv_rows(response)[1] == ["1", "'=HYPERLINK(1)", "1"]
    assert csv_rows(client.get(url, {"region": "apac"})) == [["#", "Partner", "Deals won"]]


def test_score_distribution_counts_partners_without_activity_as_zero(world):
    owner = world.users["manager_owner"]
    busy_partner(1, program=world.partner_a.program, owner=owner)
    roll()
    dist = p.adoption_score_distribution(day=TODAY)
    assert dist.partners == 3  # A and B (no activity) and the busy one
    assert sum(b.partners for b in dist.buckets) == 3
    assert dist.buckets[0].partners >= 2
    assert dist.average == round(dist.total / 3, 1) and dist.total > 0


def test_weekly_active_lists_every_week_of_the_range(world):
    busy_partner(1, program=world.partner_a.program, owner=world.users["manager_owner"])
    roll()
    weeks = p.weekly_active(since=date(2026, 5, 18), until=TODAY)
    assert [w.week for w in weeks][:2] == [date(2026, 5, 18), date(2026, 5, 25)]
    assert weeks[-1].week == date(2026, 6, 29)
    assert [w.partners for w in weeks] == [0, 0, 0, 1, 1, 1, 1]
    # the member who logs in every other day, plus the admin who registered the deal on 27 June
    assert [w.users for w in weeks] == [0, 0, 0, 1, 1, 2, 1]


# --- Bounded queries ------------------------------------------------------------------------------
def test_dashboard_runs_the_same_number_of_queries_whatever_the_number_of_partners(
    client_as, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = world.users["manager_owner"]
    OfferingFactory(slug="cloud", launched_on=TODAY - timedelta(days=60))
    client = client_as("manager_owner")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DASHBOARD, {"since": "2026-01-01"}).status_code == 200
        return len(ctx.captured_queries)

    for n in range(4):
        busy_partner(n, program=world.partner_a.program, owner=owner, won=n % 2 == 0)
    roll()
    few = count()
    for n in range(4, 16):
        busy_partner(n, program=world.partner_a.program, owner=owner, won=n % 2 == 0)
    roll()
    assert count() == few
    # 60, the ROI card's 5 (console.roi.card) and the business plans panel's 3, live (plans.program:
    # partners per program, approved plans, plans awaiting approval), and the churn forecast's 7
    # (issue 22: the model version; the at-risk card's forecasts; the forecast card's scores day,
    # count, top rows and the stored at-risk set's day and rows)
    with django_assert_max_num_queries(75):
        client.get(DASHBOARD, {"since": "2026-01-01"})
