"""The channel-manager dashboard in a real browser, on demo data: every chart is drawn, a filter
changes the numbers, a partner opens, a CSV downloads. Screenshots are kept in
test-results/e2e-dashboard/ (CI keeps that folder as an artifact)."""

from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e-dashboard"
CHARTS = ["cohorts", "funnel", "scores", "features", "offerings", "curve", "weekly", "pipeline"]

# A canvas counts as drawn when some of its pixels are painted (a blank canvas is all zeros).
PAINTED = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
  return painted;
}"""


@pytest.fixture
def demo():
    from metrics.rollups import rollup_recompute
    from metrics.scores import scores_refresh

    call_command("seed_demo", partners=24, events=3000, verbosity=0)
    rollup_recompute()
    scores_refresh()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def log_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "manager@prm.example")
    page.fill("input[name=password]", "prm-demo-manager")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def kpi(page, key: str) -> str:
    return page.inner_text(f"[data-kpi='{key}'] [data-kpi-value]").strip()


def test_manager_sees_every_chart_filters_opens_a_partner_and_downloads_a_csv(
    page, live_server, demo
):
    log_in(page, live_server)
    page.click("nav a:has-text('Dashboard')")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/manage/dashboard/")

    # Every chart is drawn, not blank, and offers a PNG once drawn.
    for key in CHARTS:
        canvas = page.locator(f"#chart-{key}")
        canvas.scroll_into_view_if_needed()
        assert canvas.get_attribute("data-drawn") == "true", key
        assert canvas.evaluate(PAINTED) > 500, f"{key} chart is blank"
        assert page.locator(f"[data-chart-png='chart-{key}']").is_visible(), key
    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    # A wider range changes the numbers; the filters are kept in the URL.
    before = kpi(page, "registered")
    page.click("a:has-text('Last 12 months')")
    page.wait_for_load_state("networkidle")
    assert "since=" in page.url
    wider = kpi(page, "registered")
    assert int(wider.replace(",", "")) > int(before.replace(",", ""))
    # ...and a region narrows them.
    page.select_option("select[name=region]", "emea")
    page.click("form[data-testid=dashboard-filters] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "region=emea" in page.url
    assert kpi(page, "registered") != wider
    page.screenshot(path=ARTIFACTS / "dashboard-filtered.png", full_page=True)

    # The PNG of a chart is an image.
    png = page.locator("[data-chart-png='chart-weekly']")
    with page.expect_download() as download_info:
        png.click()
    assert download_info.value.suggested_filename.endswith(".png")

    # A CSV of a table, with the filters applied.
    with page.expect_download() as download_info:
        page.click("[data-table='leaders-adoption'] a[data-csv]")
    download = download_info.value
    assert download.suggested_filename.startswith("prm-leaders-adoption-")
    body = Path(download.path()).read_text()
    assert body.splitlines()[0] == "#,Partner,Score,Active users,Feature areas"
    download.save_as(ARTIFACTS / download.suggested_filename)

    # Open a partner from the leaderboard: its page draws the score history.
    page.click("[data-table='leaders-adoption'] tbody a >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "/manage/partners/" in page.url
    history = page.locator("#chart-score-history")
    assert history.get_attribute("data-drawn") == "true"
    assert history.evaluate(PAINTED) > 500
    assert page.locator("[data-testid=timeline] li").count() > 0
    page.screenshot(path=ARTIFACTS / "partner.png", full_page=True)
