"""The notifications centre in a real browser at phone width (390 px): the bell shows the unread
count outside the folded menu, the list opens a notice, and "Mark all read" clears the bell."""

import pytest
from django.conf import settings

from accounts.tests.factories import PASSWORD
from kernel.outbox import email_queue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_bell_the_list_and_mark_all_read_at_390_px(browser, live_server, world, tmp_path):
    user = world.users["partner_a_admin"]
    for i in range(2):
        email_queue(
            key=f"e2e.notice:{i}",
            to=[user.email],
            subject=f"Message {i} from your channel manager",
            template="partner_message",
            context={"body": f"See {settings.SITE_URL.rstrip('/')}/notifications/preferences/"},
        )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")

    bell = page.locator("#notification-bell")
    assert bell.is_visible()  # not hidden in the folded menu
    assert bell.get_attribute("aria-label") == "Notifications, 2 unread"
    bell.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#notification-list li").count() == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the list scrolls sideways at 390 px ({width} px)"
    page.screenshot(path=str(tmp_path / "notifications-390.png"), full_page=True)

    page.locator("#notification-list li").first.locator("button:has-text('Open')").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notifications/preferences/")
    assert page.locator("#notification-bell").get_attribute("aria-label") == (
        "Notifications, 1 unread"
    )

    page.locator("#notification-bell").click()
    page.click("button:has-text('Mark all read')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#notification-bell").get_attribute("aria-label") == "Notifications"
    context.close()
