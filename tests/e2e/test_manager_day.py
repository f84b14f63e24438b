"""A channel manager's day in a real browser (issue 19's "Done when"), on demo data: filter the
dashboard, open a funnel step's non-completers, save that view, add a note and a task on one of
those partners, see the task in the notifications when it falls due, export the saved view.
Screenshots are kept in test-results/e2e-manager-day/."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.test_dashboard import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e-manager-day"


@pytest.fixture
def demo():
    from metrics.rollups import rollup_recompute
    from metrics.scores import scores_refresh

    call_command("seed_demo", partners=24, events=3000, verbosity=0)
    rollup_recompute()
    scores_refresh()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_a_manager_goes_from_a_funnel_step_to_a_saved_view_a_task_and_an_export(
    page, live_server, demo
):
    from followup import services as followup
    from partners.models import Partner

    log_in(page, live_server)
    page.goto(f"{live_server.url}/manage/dashboard/")
    page.click("a:has-text('Last 12 months')")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=owner]", "mine")
    page.click("form[data-testid=dashboard-filters] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "owner=mine" in page.url

    # The first funnel step some partners have not done: its "not done" figure is a link.
    links = page.locator("[data-table=funnel] a[data-figure=step_not]")
    link = next(
        links.nth(i) for i in range(links.count()) if _number(links.nth(i).inner_text()) > 0
    )
    figure = _number(link.inner_text())
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/manage/?")
    assert "figure=step_not" in page.url
    assert "not done" in page.inner_text("[data-figure-heading]")
    listed = page.locator("table tbody tr:has(input[name=partner])")
    assert int(page.get_attribute("#bulk-all-matching", "data-total")) == figure
    page.screenshot(path=ARTIFACTS / "non-completers.png", full_page=True)

    # Save it as a view, shared with the team.
    page.fill("#f-view-name", "Stuck in onboarding")
    page.check("#f-view-shared")
    page.click("button:has-text('Save view')")
    page.wait_for_load_state("networkidle")
    assert "Stuck in onboarding" in page.inner_text("body")
    view_url = page.url

    # A note and a task on the first of those partners.
    first = listed.first.locator("a.fw-medium")
    name = first.inner_text().strip()
    first.click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_note_body", "Called them: the agreement is with their lawyer.")
    page.click("text=Add note")
    page.wait_for_url("**#notes")
    assert "with their lawyer" in page.locator("#notes article").first.inner_text()
    page.click("a:has-text('New task')")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "Chase the signed agreement")
    today = page.evaluate("new Date().toISOString().slice(0, 10)")
    page.fill("#id_due_on", today)
    page.click("button:has-text('Save')")
    page.wait_for_load_state("networkidle")
    assert "Chase the signed agreement" in page.inner_text("#tasks")

    # The hourly reminder (what beat runs) tells the manager; the bell shows it.
    partner = Partner.objects.get(name=name)
    assert followup.reminders_send() == 1
    page.reload()
    bell = page.locator("#notification-bell")
    assert re.search(r"\d+ unread", bell.get_attribute("aria-label"))
    bell.click()
    page.wait_for_load_state("networkidle")
    notice = page.locator("#notification-list li", has_text="Chase the signed agreement")
    assert notice.count() == 1 and partner.name in notice.inner_text()
    page.screenshot(path=ARTIFACTS / "notifications.png", full_page=True)

    # The saved view exports exactly its partners.
    page.goto(view_url)
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert len(rows) - 1 == figure
    assert name in {row[0] for row in rows[1:]}
