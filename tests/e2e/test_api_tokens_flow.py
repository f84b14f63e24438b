"""The API-token page in a real browser: a partner admin creates a write token, sees the secret
once, uses it against the API, revokes it, and the API then refuses it."""

import pytest
from django.test import Client

from accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def api_status(raw: str) -> int:
    return Client().get("/api/v1/partners/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_create_see_once_use_and_revoke_a_token(page, live_server, world, tmp_path):
    log_in(page, live_server, "admin@alpha.example")
    page.click("#user-menu")
    page.click("a:has-text('API tokens')")
    page.fill("input[name=name]", "CRM sync")
    page.check("input[name=scope][value=write]")
    page.click("button:has-text('Create token')")
    page.wait_for_load_state("networkidle")

    secret = page.input_value("#new-token")
    assert secret.startswith("prm_")
    row = page.locator("tr", has_text="CRM sync")
    assert "Read and write" in row.inner_text() and secret not in row.inner_text()
    page.screenshot(path=str(tmp_path / "api-token-created.png"), full_page=True)
    assert api_status(secret) == 200

    page.goto(page.url)  # shown once: gone when the page is opened again
    assert page.locator("#new-token").count() == 0
    assert secret not in page.content()

    row.locator("button:has-text('Revoke')").click()
    page.wait_for_load_state("networkidle")
    assert "revoked" in page.locator(".alert, [role=status]").first.inner_text().lower()
    assert "Revoked" in page.locator("tr", has_text="CRM sync").inner_text()
    assert api_status(secret) == 401
