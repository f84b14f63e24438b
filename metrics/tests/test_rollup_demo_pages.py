"""The metric numbers on the demo data (``seed_demo``, small) agree with what the pages show.

Everything is read back through the test client as vendor staff would see it, and compared with
a plain count from the raw records: the adoption page's score and its parts, the deal counts of
the deals pages, the activation dates and statuses of the partner pages."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import VendorAdminFactory
from events.models import Event
from metrics import conf, definitions
from metrics.definitions import area_of
from metrics.models import PartnerDayKind
from partners.models import Partner, PartnerMembership

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
ARGS = ["--partners", "20", "--events", "2000", "--seed", "7", "--now", NOW.isoformat()]


@pytest.fixture
def staff():
    """The demo data, rolled up as the every-minute task would, and a vendor admin's client."""
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", *ARGS, stdout=StringIO())
        call_command("rollup_metrics", "--full", stdout=StringIO())
        client = Client()
        client.force_login(VendorAdminFactory(email="metrics-check@vendor.example"))
        yield client


def naive_parts(partner: Partner) -> dict:
    """The adoption score's parts over the 30 days ending today, straight from raw events."""
    start = TODAY - timedelta(days=29)
    events = list(Event.objects.filter(partner=partner, day__range=(start, TODAY)))
    # Active users are the partner's own people; vendor staff acting on its deals are not.
    own = set(PartnerMembership.objects.filter(partner=partner).values_list("user_id", flat=True))
    return {
        "areas": len({area_of(e.kind, e.properties) for e in events} - {None}),
        "active_days": len({e.day for e in events}),
        "active_users": len({e.user_id for e in events if e.user_id in own}),
        "seats": PartnerMembership.objects.filter(partner=partner, user__is_active=True).count(),
    }


def expected_score(parts: dict) -> float:
    w = conf.adoption_weights()
    target = conf.adoption_frequency_target_days()
    users = min(parts["active_users"] / parts["seats"], 1.0) if parts["seats"] else 0.0
    value = (
        w.breadth * parts["areas"] / 5
        + w.frequency * min(parts["active_days"] / target, 1.0)
        + w.users * users
    )
    return 100.0 * value / w.total


def deals_shown(client: Client, partner: Partner, status: str = "") -> int:
    url = f"{reverse('deals:manager_list')}?scope=all&partner={partner.pk}&status={status}"
    html = client.get(url).content.decode()
    return int(re.search(r'id="deals-table-title">Deals <span[^>]*>\((\d+)\)', html).group(1))


def events_counted(partner: Partner, kind: str) -> int:
    rows = PartnerDayKind.objects.filter(partner=partner, kind=kind)
    return rows.aggregate(n=Sum("events"))["n"] or 0


def test_adoption_page_score_and_parts_match_a_count_of_the_raw_events(staff):
    with time_machine.travel(NOW, tick=False):
        active = 0
        for partner in Partner.objects.order_by("pk"):
            response = staff.get(reverse("metrics:manager_partner_adoption", args=[partner.pk]))
            assert response.status_code == 200
            html = response.content.decode()
            parts = naive_parts(partner)
            shown = int(re.search(r"data-adoption-score>(\d+)", html).group(1))
            if not parts["active_days"]:
                assert shown == 0 and "No activity in the last 30 days." in html
                continue
            active += 1
            assert f"{parts['areas']} of 5 feature areas used in 30 days" in html
            assert f"active on {parts['active_days']} of 30 days" in html
            assert f"{parts['active_users']} active of {parts['seats']} people" in html
            expected = expected_score(parts)
            assert response.context["score"].score == pytest.approx(expected, abs=0.051)
            assert abs(shown - expected) <= 0.51
        assert active >= 5  # the demo has activity to compare, or this test proves nothing


def test_deal_counts_in_the_summaries_match_the_deals_pages(staff):
    compared = 0
    for partner in Partner.objects.order_by("pk"):
        listed = deals_shown(staff, partner)
        drafts = deals_shown(staff, partner, "draft")
        assert events_counted(partner, "deal.submitted") == listed - drafts
        assert events_counted(partner, "deal.won") == deals_shown(staff, partner, "won")
        compared += listed
    assert compared >= 10


def test_activation_rate_matches_the_activation_dates_and_statuses_on_partner_pages(staff):
    window = timedelta(days=conf.activation_window_days())
    shown = []
    for partner in Partner.objects.order_by("pk"):
        html = staff.get(reverse("partners:manager_partner", args=[partner.pk])).content.decode()
        joined = re.search(r'Joined</dt>\s*<dd[^>]*><time datetime="([^"]+)"', html).group(1)
        activated = re.search(r'Activated</dt>\s*<dd[^>]*>(?:<time datetime="([^"]+)")?', html)
        status = re.search(r'Status</dt>\s*<dd[^>]*><span class="badge[^"]*">([^<]+)<', html)
        at = activated.group(1)
        shown.append((datetime.fromisoformat(joined), at and datetime.fromisoformat(at)))
        if status.group(1) == "Active":
            assert at, f"{partner} is active without an activation date"
        if status.group(1) in {"Applicant", "Onboarding"}:
            assert not at, f"{partner} is {status.group(1)} but shows an activation date"
    with time_machine.travel(NOW, tick=False):
        rate = definitions.activation_rate()
        everyone = definitions.activation_rate(window_days=100_000)
        cohorts = definitions.activation_cohorts()
    assert rate.partners == len(shown) == sum(c.partners for c in cohorts)
    assert rate.activated == sum(1 for j, a in shown if a and a - j <= window)
    assert rate.activated == sum(c.activated for c in cohorts)
    assert everyone.activated == sum(1 for _, a in shown if a) > 0
