"""Production cookies and headers (RELIABILITY.md B6, J5) and the inline-script detector the
access sweep runs on every HTML page it requests (so a strict CSP never breaks a page)."""

import importlib

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from tests.security.inline import inline_script_problems

PRODUCTION_KEYS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
)


@pytest.fixture
def production_security():
    production = importlib.import_module("prm.settings.production")
    with override_settings(**{key: getattr(production, key) for key in PRODUCTION_KEYS}):
        yield


def test_the_detector_flags_inline_scripts_handlers_and_javascript_urls():
    html = (
        '<script>alert(1)</script><button onclick="go()">x</button>'
        '<a href="javascript:void(0)">y</a><img src=x ONERROR=boom>'
    )
    problems = inline_script_problems(html)
    assert len(problems) == 4, problems


def test_the_detector_allows_static_scripts_and_json_script_data():
    html = (
        '<script src="/static/app.js"></script>'
        '<script id="chart-data" type="application/json">{"a": 1}</script>'
        '<a href="/portal/" data-on="x">ok</a>'
    )
    assert inline_script_problems(html) == []


@pytest.mark.django_db
def test_production_sends_hsts_csp_and_friends(production_security):
    client = Client()
    assert client.get(reverse("account_login")).status_code == 301  # http goes to https
    response = client.get(reverse("account_login"), secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["path"] == "/"
    assert not csrf["domain"]


@pytest.mark.django_db
def test_production_session_cookie_is_host_prefixed_secure_and_httponly(production_security):
    user = UserFactory(email="cookie@alpha.example")
    response = Client().post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
