"""Browser tests: Python Playwright driving Debian's Chromium (never Playwright's own download)."""

import os
import shutil

import pytest

from conftest import require_service

CHROMIUM = os.environ.get("PRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine has no internet: background connections would be refused many at a time.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from the
# test body (SynchronousOnlyOperation) although nothing here is async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    require_service(
        "Chromium",
        os.path.exists(CHROMIUM) or bool(shutil.which(CHROMIUM)),
        "apt-get install chromium",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Destructive buttons ask "Are you sure…?" (data-confirm, static/js/prm.js); the people in
    # these flows mean it. (Playwright would otherwise dismiss the dialog and nothing would post.)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def logged_in_context(browser, live_server, user, viewport=DESKTOP):
    """A browser context already signed in as ``user`` (the session cookie of a test client that
    logged in), for flows that do not test the login itself."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context
