"""The program ROI card and page in a real browser, on demo data: the card's chart is drawn, its
link opens the page with the same filters, the page's chart is drawn, a partner row opens the
partner, and the page fits a 390 px phone."""

import pytest
from django.core.management import call_command

from accounts.models import User
from tests.e2e.conftest import PHONE, logged_in_context
from tests.e2e.test_dashboard import PAINTED

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    from metrics.rollups import rollup_recompute
    from metrics.scores import scores_refresh

    call_command("seed_demo", partners=24, events=2000, verbosity=0)
    rollup_recompute()
    scores_refresh()


def test_manager_goes_from_the_roi_card_to_a_partner(browser, live_server, demo):
    context = logged_in_context(browser, live_server, User.objects.get(email="manager@prm.example"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/manage/dashboard/?owner=")
    card = page.locator("[data-testid='roi-card']")
    card.scroll_into_view_if_needed()
    canvas = page.locator("#chart-roi")
    assert canvas.get_attribute("data-drawn") == "true"
    assert canvas.evaluate(PAINTED) > 500
    revenue = card.locator("[data-roi='revenue']").inner_text().strip()

    card.locator("a[data-roi-details]").click()
    page.wait_for_load_state("networkidle")
    assert "/manage/roi/?owner=" in page.url
    assert page.locator("[data-roi='revenue']").inner_text().strip() == revenue
    chart = page.locator("#chart-programs")
    chart.scroll_into_view_if_needed()
    assert chart.get_attribute("data-drawn") == "true"
    assert chart.evaluate(PAINTED) > 500

    first = (
        page.locator("#roi-partners-table tbody tr >> nth=0").locator("td >> nth=1").locator("a")
    )
    name = first.inner_text().strip()
    first.click()
    page.wait_for_load_state("networkidle")
    assert "/manage/partners/" in page.url
    assert name in page.locator("h1").inner_text()
    context.close()
    assert not errors, errors


def test_the_roi_page_fits_a_390px_phone(browser, live_server, demo):
    context = logged_in_context(
        browser, live_server, User.objects.get(email="manager@prm.example"), PHONE
    )
    page = context.new_page()
    assert page.goto(f"{live_server.url}/manage/roi/").status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
