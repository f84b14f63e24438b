"""The churn forecast in a real browser (issue 22): on the dashboard's at-risk list each partner
shows its forecast as a percentage with its reasons in words; the forecast card links to the
model page with its backtest AUC and reliability chart; the partner page shows the forecast next
to the rules' reasons. Built on a planted history (metrics/tests/churn_world.py) anchored today."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import churn_model
from metrics.at_risk_store import at_risk_store
from metrics.models import ChurnForecast
from metrics.tests.churn_world import plant
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERCENT = re.compile(r"\b\d{1,3}%")


def test_the_at_risk_list_shows_each_forecast_with_its_reasons(
    browser, live_server, world, settings
):
    settings.PRM_CHURN_MIN_ROWS = 50
    settings.PRM_CHURN_MIN_POSITIVES = 10
    today = timezone.now().date()
    manager = world.users["manager_owner"]
    plant(today, program=world.partner_a.program, owner=manager, count=40)
    version = churn_model.churn_model_train()
    assert version.beats_rules
    assert churn_model.churn_forecast_store(day=today, version=version) > 0
    at_risk_store(day=today)
    # a partner the rules list (collapsed) whose forecast has reasons
    listed = (
        ChurnForecast.objects.filter(day=today)
        .exclude(contributions=[])
        .order_by("-probability")
        .first()
    )
    assert listed is not None

    context = logged_in_context(browser, live_server, manager)
    page = context.new_page()
    page.goto(live_server.url + reverse("metrics:dashboard"))
    at_risk = page.locator("#at-risk-table")
    at_risk.wait_for()
    header = at_risk.locator("thead").inner_text()
    assert "Churn forecast (90 days)" in header
    cells = at_risk.locator("tbody tr td:last-child").all_inner_texts()
    with_forecast = [c for c in cells if PERCENT.match(c)]
    assert with_forecast, cells
    assert any(":" in c and c.rstrip().endswith(".") for c in with_forecast)  # "34%: reasons."

    forecast_card = page.locator("#churn-forecast-table")
    first_row = forecast_card.locator("tbody tr").first.inner_text()
    assert PERCENT.search(first_row)
    assert any(
        phrase in first_row
        for phrase in (
            "Activity fell",
            "Active users fell",
            "events in the last 30 days",
            "Active on",
        )
    ), first_row

    page.click("text=The model, its versions and backtest")
    page.wait_for_url("**/manage/churn-model/")
    auc = page.locator("[data-model-auc]").inner_text()
    assert float(auc) > 0.5
    assert page.locator("#chart-reliability").is_visible()

    page.goto(live_server.url + reverse("partners:manager_partner", args=[listed.partner_id]))
    panel = page.locator("[data-testid=churn-panel]")
    assert PERCENT.search(panel.locator("[data-churn-probability]").inner_text())
    assert panel.locator("[data-churn-reasons] li").count() >= 1
    assert "At-risk rules" in panel.inner_text()
    context.close()
