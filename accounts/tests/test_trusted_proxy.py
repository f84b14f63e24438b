"""TRUSTED_PROXY_COUNT (the environment) must reach allauth: its login rate limits count per client
address. Under the name ACCOUNT_TRUSTED_PROXY_COUNT allauth ignored it, so behind a proxy every
person shared the proxy's address and its 30 logins a minute (found by bench/load/)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory

from audit.context import client_ip

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_environment_setting_reaches_allauth():
    code = (
        "import django; django.setup(); from allauth import app_settings; "
        "print(app_settings.TRUSTED_PROXY_COUNT)"
    )
    env = {
        **os.environ,
        "TRUSTED_PROXY_COUNT": "2",
        "DJANGO_SETTINGS_MODULE": "prm.settings.dev",
        "SECRET_KEY": "x" * 50,
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "2"


@pytest.mark.parametrize("count, expected", [(0, "127.0.0.1"), (1, "10.0.0.7")])
def test_allauth_and_the_audit_log_see_the_same_client(settings, count, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.7"
    )
    assert get_adapter().get_client_ip(request) == expected
    assert client_ip(request) == expected
