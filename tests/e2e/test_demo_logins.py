"""Each demo role logs in through the real login form and lands on its own home."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", partners=8, events=300, verbosity=0)
    from demo.seed import DEMO_LOGINS

    return {login["role"]: login for login in DEMO_LOGINS}


def log_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def pick(demo, word):
    return next(login for role, login in demo.items() if word in role.lower())


def test_partner_user_logs_in_and_sees_the_partner_home(page, live_server, demo):
    login = pick(demo, "partner admin")
    log_in(page, live_server, login["email"], login["password"])
    assert page.url == f"{live_server.url}/portal/"
    assert page.locator("h1").first.inner_text().strip() != ""
    assert "Acme Cloud Solutions" in page.content()
    # the team page is one click away for a partner admin
    # (a click returns once the next page starts loading: expect() waits for it to be there)
    page.click("a[href='/portal/team/']")
    expect(page).to_have_url(f"{live_server.url}/portal/team/")
    expect(page.locator("main")).to_contain_text("user@acme.example")
    # the demo partner's registrations are real: the list shows them and each one opens
    page.goto(f"{live_server.url}/portal/deals/")
    page.locator("table a[href^='/portal/deals/']").first.click()
    expect(page).to_have_url(re.compile(r"/portal/deals/\d+/$"))


def test_channel_manager_logs_in_and_sees_the_manager_home(page, live_server, demo):
    login = pick(demo, "channel manager")
    log_in(page, live_server, login["email"], login["password"])
    assert page.url.startswith(f"{live_server.url}/manage/")
    assert page.locator("table").count() >= 1
    page.locator("table a[href^='/manage/partners/']").first.click()
    expect(page).to_have_url(re.compile(r"/manage/partners/"))
    # the review queue holds the demo partners' submitted registrations
    page.goto(f"{live_server.url}/manage/deals/?status=submitted")
    page.locator("table a[href^='/manage/deals/']").first.click()
    expect(page).to_have_url(re.compile(r"/manage/deals/\d+/$"))


def test_vendor_admin_logs_in_and_reaches_the_django_admin(page, live_server, demo):
    login = pick(demo, "admin")
    log_in(page, live_server, login["email"], login["password"])
    page.goto(f"{live_server.url}/admin/")
    assert "Site administration" in page.content() or "PRM administration" in page.content()


def test_a_wrong_password_shows_an_error_in_the_browser(page, live_server, demo):
    log_in(page, live_server, "manager@prm.example", "definitely-wrong")
    assert "/accounts/login/" in page.url
    assert "not correct" in page.content()
