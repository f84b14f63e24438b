"""Redis down drill (RELIABILITY.md H6). Prints figures; not part of `make test`.

    make drills      # runs it after the rollup kill drill, on the database that drill seeded

Runs Django in this process (the test client, development settings) against the drill's own
database (``prm_drills``) and its OWN redis-server (port 6390, cache and broker). It serves the
portal and manager pages and records events with Redis up, then stops that redis-server
(``redis-cli -p 6390 shutdown nosave``), does the same again, starts Redis again, lets the rollup
catch up and compares the five summary tables with a full recompute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("DRILL_REDIS_PORT", "6390"))
DB = os.environ.get("DRILL_DB", "prm_drills")
os.environ.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
    REDIS_URL=f"redis://127.0.0.1:{PORT}/0",
    DJANGO_SETTINGS_MODULE="prm.settings.dev",
)
os.environ.pop("CELERY_BROKER_URL", None)

PARTNER_PAGES = ["/portal/", "/portal/deals/", "/portal/adoption/", "/portal/onboarding/"]
PARTNER_PAGES += ["/learn/", "/library/"]
MANAGER_PAGES = ["/manage/", "/manage/deals/", "/manage/dashboard/", "/manage/tiers/"]
ANONYMOUS_PAGES = ["/", "/apply/", "/accounts/login/", "/healthz"]


def redis(*args: str) -> str:
    cmd = ["redis-cli", "-p", str(PORT), *args]
    return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()  # noqa: S603


def start_redis() -> None:
    if redis("ping") != "PONG":
        subprocess.run(  # noqa: S603
            [*("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(PORT)),
             *("--save", "", "--appendonly", "no")],
            check=True,
        )  # fmt: skip
        time.sleep(0.5)


def serve(clients: dict) -> dict[str, int]:
    """Status per page; an exception inside the view counts as 500."""
    statuses = {}
    for who, (client, pages) in clients.items():
        for page in pages:
            try:
                statuses[f"{who} {page}"] = client.get(page).status_code
            except Exception as exc:  # the drill reports it as a 500
                statuses[f"{who} {page}"] = 500
                statuses[f"{who} {page} error"] = type(exc).__name__
    return statuses


def record(run: str, n: int) -> tuple[int, float]:
    from accounts.models import User
    from metrics.services import record_event

    users = list(User.objects.filter(membership__isnull=False).select_related("membership")[:50])
    started, stored = time.monotonic(), 0
    for i in range(n):
        stored += record_event(
            kind="auth.login", key=f"drill:{run}:{i}", user=users[i % len(users)]
        )
    return stored, time.monotonic() - started


def main() -> int:
    import django

    start_redis()
    django.setup()
    from django.test import Client

    from accounts.models import User, VendorRole
    from bench.drills.run import TABLES, snapshot
    from metrics.models import Event
    from metrics.rollups import rollup_recompute
    from metrics.tasks import rollup_metrics

    partner_user = User.objects.filter(membership__isnull=False, is_active=True).first()
    manager = User.objects.filter(vendor_role=VendorRole.ADMIN, is_active=True).first()
    clients = {}
    for who, user, pages in (
        ("partner", partner_user, PARTNER_PAGES),
        ("manager", manager, MANAGER_PAGES),
        ("anonymous", None, ANONYMOUS_PAGES),
    ):
        client = Client(HTTP_HOST="localhost", raise_request_exception=True)
        if user is not None:
            client.force_login(user)
        clients[who] = (client, pages)
    rollup_metrics()  # start from rolled-up data
    run = str(time.time_ns())

    up = serve(clients)
    up_stored, _ = record(f"{run}:up", 200)
    redis("shutdown", "nosave")
    time.sleep(0.5)
    print(f"redis on {PORT} stopped: ping -> {redis('ping') or 'no answer'}")
    events_before = Event.objects.count()
    t_down = time.monotonic()
    down = serve(clients)
    down_stored, down_secs = record(f"{run}:down", 1000)
    login = Client(HTTP_HOST="localhost", raise_request_exception=False)
    form = {"login": partner_user.email, "password": "wrong-password"}
    login_status = login.post("/accounts/login/", form).status_code
    try:
        rollup_metrics.delay()
        enqueue = "enqueued"
    except Exception as exc:
        enqueue = f"{type(exc).__name__} after {time.monotonic() - t_down:.1f} s of outage"
    events_after = Event.objects.count()
    start_redis()
    outage = time.monotonic() - t_down
    t_catch = time.monotonic()
    result = rollup_metrics()  # what the next beat tick runs
    catch_up = time.monotonic() - t_catch
    caught_up = snapshot(DB)
    rollup_recompute()
    clean = snapshot(DB)

    print(f"{'page':40} {'redis up':>8} {'redis down':>10}")
    for page in (p for p in up if not p.endswith(" error")):
        err = down.get(f"{page} error", "")
        print(f"{page:40} {up[page]:>8} {down.get(page, '-'):>10} {err}")
    failed = [p for p in down if not p.endswith(" error") and down[p] >= 500]
    print(f"pages served with Redis down: {len(down) - 2 * len(failed)} of {len(up)} without 5xx")
    print(f"events recorded with Redis up: {up_stored} of 200")
    print(
        f"events recorded with Redis down: {down_stored} of 1000 in {down_secs:.1f} s; "
        f"stored rows {events_after - events_before}"
    )
    print(f"POST /accounts/login/ (wrong password) with Redis down: {login_status}")
    print(f"rollup_metrics.delay() with Redis down: {enqueue}")
    print(f"outage {outage:.1f} s; catch-up rollup after restart: {result} in {catch_up:.1f} s")
    same = all(caught_up[t] == clean[t] for t in TABLES)
    print(
        f"five summary tables after catch-up vs full recompute: {'IDENTICAL' if same else 'DIFFERENT'}"
    )
    ok = same and down_stored == 1000 and not failed
    print("REDIS DOWN DRILL:", "PASS" if ok else "FAIL (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
