"""The churn forecast's pages (issue 22): vendor staff only, in a bounded number of queries,
the forecast and its reasons where the at-risk list is shown; a partner never sees a forecast."""

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import churn_model
from metrics.at_risk_store import at_risk_store
from metrics.models import ChurnForecast
from metrics.tests.churn_world import plant


@pytest.fixture
def forecast(world, settings):
    settings.PRM_CHURN_MIN_ROWS = 50
    settings.PRM_CHURN_MIN_POSITIVES = 10
    today = timezone.now().date()
    plant(today, program=world.partner_a.program, owner=world.users["manager_owner"], count=30)
    version = churn_model.churn_model_train()
    churn_model.churn_forecast_store(day=today, version=version)
    at_risk_store(day=today)
    # partner A gets a forecast of its own, with a reason written from its numbers
    ChurnForecast.objects.filter(day=today, partner=world.partner_a).delete()
    ChurnForecast.objects.create(
        day=today,
        partner=world.partner_a,
        model=version,
        probability=0.99,
        values={"users_now": 2, "users_before": 9},
        contributions=[["users_trend", 1.0]],
    )
    return version


def test_the_model_page_is_for_vendor_staff_in_bounded_queries(
    client_as, forecast, django_assert_max_num_queries
):
    url = reverse("console:churn_model")
    assert client_as("partner_a_admin").get(url).status_code == 404
    client = client_as("manager_other")
    client.get(reverse("partners:manager_home"))  # warm the session
    # session, user, the bell's count, versions
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert f"Version {forecast.pk}" in html and "data-model-auc" in html
    assert 'id="chart-reliability-data"' in html


def test_the_partner_page_shows_the_forecast_and_its_reasons(client_as, world, forecast):
    html = (
        client_as("manager_owner")
        .get(reverse("partners:manager_partner", args=[world.partner_a.pk]))
        .content.decode()
    )
    assert "99%" in html
    assert "Active users fell from 9 to 2 in 30 days." in html
    assert reverse("console:churn_model") in html


def test_a_partner_never_sees_a_forecast(client_as, world, forecast):
    client = client_as("partner_a_admin")
    for url in (reverse("partners:home"), reverse("metrics:partner_adoption")):
        html = client.get(url).content.decode()
        assert "99%" not in html and "Churn" not in html and "churn" not in html
    url = reverse("partners:manager_partner", args=[world.partner_a.pk])
    assert client.get(url).status_code == 404


def test_the_dashboard_shows_the_forecast_next_to_the_rules(client_as, world, forecast):
    html = client_as("manager_owner").get(reverse("metrics:dashboard")).content.decode()
    assert "Churn forecast (90 days)" in html
    assert "Churn forecast: highest risk" in html
    card = html[html.index('id="churn-forecast-table"') :]
    assert "99%" in card and "Active users fell from 9 to 2 in 30 days." in card
    # the model beat the rules on the planted history: the forecast card comes first
    assert forecast.beats_rules
    assert html.index('id="churn-forecast-table"') < html.index('id="at-risk-table"')


def test_without_a_better_model_the_rules_lead_and_say_why(client_as, world, forecast):
    forecast.beats_rules = False
    forecast.save(update_fields=["beats_rules"])
    html = client_as("manager_owner").get(reverse("metrics:dashboard")).content.decode()
    assert "did not beat the at-risk rules" in html
    assert html.index('id="at-risk-table"') < html.index('id="churn-forecast-table"')


def test_below_the_minimum_history_the_pages_say_the_rules_apply(client_as, world, settings):
    from metrics.models import ChurnModelStatus

    settings.PRM_CHURN_MIN_ROWS = 300
    version = churn_model.churn_model_train()
    assert version.status == ChurnModelStatus.TOO_LITTLE_HISTORY
    html = client_as("manager_owner").get(reverse("console:churn_model")).content.decode()
    assert "Too little history to train a churn model" in html and "at least 300" in html
    page = client_as("manager_owner").get(
        reverse("partners:manager_partner", args=[world.partner_a.pk])
    )
    assert "The at-risk rules apply." in page.content.decode()
