"""Celery really delivers tasks in both modes: through the filesystem broker of the embedded
default, and through Redis when REDIS_URL is set. A worker runs in a thread for each test."""

import socket
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from conftest import require_service
from prm.celery import app as project_app


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _round_trip(broker_url: str, transport_options: dict, marker: Path) -> None:
    app = Celery("probe", broker=broker_url, set_as_current=False)
    app.conf.update(broker_transport_options=transport_options, task_ignore_result=True)

    @app.task(name=f"probe.touch.{marker.parent.name}")  # unique: task names are process-wide
    def touch(path: str) -> None:
        Path(path).write_text("done")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        touch.delay(str(marker))
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert marker.read_text() == "done"


def test_filesystem_broker_delivers_tasks_without_any_server(tmp_path):
    folders = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "data_folder_processed": str(tmp_path / "processed"),
        "control_folder": str(tmp_path / "control"),
    }
    for folder in folders.values():
        Path(folder).mkdir(exist_ok=True)
    _round_trip("filesystem://", folders, tmp_path / "marker")


@pytest.mark.services
def test_redis_broker_delivers_tasks(tmp_path):
    url = settings.REDIS_URL
    require_service("Redis", bool(url) and _redis_reachable(url), "set REDIS_URL to run this")
    _round_trip(url, {"visibility_timeout": 3600}, tmp_path / "marker")


def test_every_scheduled_task_is_registered():
    project_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in project_app.tasks, entry["task"]
        assert entry["options"]["expires"] > 0


def test_scheduled_session_cleanup_removes_only_expired_sessions(db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.tasks import clear_expired_sessions

    live, stale = SessionStore(), SessionStore()
    live.create()
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(expire_date=timezone.now())
    assert clear_expired_sessions.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
