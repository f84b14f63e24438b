"""Both settings modes, checked in fresh interpreters so the environment really decides."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "from prm.celery import app;"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    " 'cache': settings.CACHES['default']['BACKEND'], 'broker': app.conf.broker_url,"
    " 'debug': settings.DEBUG, 'email': settings.EMAIL_BACKEND,"
    " 'beat': sorted(settings.CELERY_BEAT_SCHEDULE),"
    " 'storage': settings.STORAGES['default']['BACKEND']}))"
)
# Variables a test run may carry that would change what the fresh interpreter sees
# (DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests and would fail check --deploy).
SERVICE_VARS = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "DEBUG",
    "EMAIL_URL",
    "S3_BUCKET",
)


def run_probe(settings_module: str, **env_overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **env_overrides)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_server(tmp_path):
    found = run_probe("prm.settings.dev", CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path / "broker"))
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert found["broker"].startswith("filesystem://")
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"
    assert (tmp_path / "broker" / "queue").is_dir()  # the transport needs its folders up front


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    found = run_probe(
        "prm.settings.dev",
        DATABASE_URL="postgres://prm:pw@db.example:5432/prm",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["cache"] == "kernel.cache.FailoverRedisCache"
    assert found["broker"] == "redis://cache.example:6379/0"


def test_uploads_go_to_local_disk_by_default_and_to_s3_when_a_bucket_is_set():
    assert run_probe("prm.settings.dev")["storage"].endswith("FileSystemStorage")
    found = run_probe(
        "prm.settings.production",
        SECRET_KEY="x" * 60,
        S3_BUCKET="prm-files",
        S3_ENDPOINT_URL="https://minio.example:9000",
    )
    assert found["storage"] == "storages.backends.s3.S3Storage"


def test_every_mode_carries_the_same_schedule():
    embedded = run_probe("prm.settings.dev")["beat"]
    production = run_probe(
        "prm.settings.production", SECRET_KEY="x" * 60, REDIS_URL="redis://r:6379/0"
    )["beat"]
    assert embedded == production and "partners-expire-invitations" in embedded


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_probe("prm.settings.production")
    assert "SECRET_KEY" in failure.value.stderr


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="prm.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="prm.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_example_documents_every_variable_the_settings_read():
    import re

    read = set()
    for module in (ROOT / "prm" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', module.read_text()))
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert read - documented == set()


@pytest.mark.parametrize("entry_point", ["prm.wsgi", "prm.asgi", "prm.celery"])
def test_servers_default_to_production_settings(entry_point):
    """gunicorn, uvicorn and celery started with nothing set must not fall back to DEBUG-on
    dev settings (importing the prm package runs prm/celery.py first)."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(SECRET_KEY=secrets.token_urlsafe(50))
    code = (
        f"import {entry_point}, os; from django.conf import settings;"
        " print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[-2:] == ["prm.settings.production", "False"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "ture"),
        ("PRM_INGEST_PARTNER_EVENTS", "enabled"),
        ("PRM_ROLLUP_SHARDS", "lots"),
        ("PRM_TIER_FX_RATES", "USD=1,EUR=one"),
    ],
)
def test_a_value_the_settings_cannot_read_stops_the_process_naming_the_variable(variable, value):
    """``DEBUG=ture`` used to read as False without a word; now the process refuses to start."""
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_probe("prm.settings.dev", **{variable: value})
    assert "ImproperlyConfigured" in failure.value.stderr
    assert variable in failure.value.stderr.strip().splitlines()[-1]
