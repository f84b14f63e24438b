"""Redis down drill (RELIABILITY.md H6). Prints figures; not part of `make test`.

    make drills      # runs it after the rollup kill drill, on the database that drill seeded

Runs Django in this process (the test client, development settings) against the drill's own
database (``prm_drills``) and its OWN redis-server (port 6390, cache and broker). It serves the
portal and manager pages and records events with Redis up, then stops that redis-server
(``redis-cli -p 6390 shutdown nosave``), does the same again, starts Redis again, lets the rollup
catch up and compares the five summary tables with a full recompute.

During the outage it also logs in (right password: 302; five wrong ones: the sixth attempt,
with the right password, is refused by the rate limit, counted in the database cache table),
submits a deal from the portal (a ``deal.submitted`` webhook delivery and a deal email to the
vendor) and sends a webhook test delivery from the manager page, each answering 302, not 500.
After Redis is back it starts a real Celery worker, lets the sweeps re-enqueue what the outage
left (``send_due_deliveries`` through the broker; the pending deal emails as
``kernel.tasks.send_due_emails`` does), and checks every delivery reached the drill's HTTP receiver
exactly once and every deal email was sent once, then runs the sweeps again: nothing more.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
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
DRILL_PASSWORD = "drill-Password-2026"  # noqa: S105 -- set on the drill's own seeded user


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
    from events.services import record_event

    users = list(User.objects.filter(membership__isnull=False).select_related("membership")[:50])
    started, stored = time.monotonic(), 0
    for i in range(n):
        stored += record_event(
            kind="auth.login",
            key=f"drill:{run}:{i}",
            user=users[i % len(users)],
            properties={"method": "session"},
        )
    return stored, time.monotonic() - started


def outage_actions(run: str, partner_user, manager, endpoint) -> dict[str, object]:
    """What people do while Redis is down: log in, submit a deal, test a webhook endpoint."""
    from django.test import Client

    from deals.tests.factories import make_deal

    out: dict[str, object] = {}
    ok = Client(HTTP_HOST="localhost", raise_request_exception=False)
    right = {"login": partner_user.email, "password": DRILL_PASSWORD}
    answer = ok.post("/accounts/login/", right)
    out["login (right password)"] = answer.status_code
    out["login -> redirected to"] = answer.get("Location")
    out["login -> signed in"] = "_auth_user_id" in ok.session
    bad = Client(HTTP_HOST="localhost", raise_request_exception=False)
    wrong = {"login": partner_user.email, "password": "wrong-password"}
    out["login (5 wrong passwords)"] = [
        bad.post("/accounts/login/", wrong).status_code for _ in range(5)
    ]
    locked = bad.post("/accounts/login/", right)
    out["6th login, right password, rate-limited"] = (
        "Too many failed login attempts" in locked.content.decode()
        and "_auth_user_id" not in bad.session
    )
    deal = make_deal(user=partner_user, customer_name=f"Drill {run}")  # a draft
    out["POST submit deal (webhook + email)"] = ok.post(
        f"/portal/deals/{deal.pk}/submit/"
    ).status_code
    boss = Client(HTTP_HOST="localhost", raise_request_exception=False)
    boss.force_login(manager)
    out["POST webhook test delivery"] = boss.post(
        f"/manage/webhooks/{endpoint.pk}/test/"
    ).status_code
    return out


def main() -> int:
    import django

    start_redis()
    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.core import mail
    from django.core.cache import caches
    from django.test import Client

    from accounts.models import User, VendorRole
    from bench.drills.run import TABLES, env_for, snapshot, start_worker
    from events.models import Event
    from kernel.models import OutboundEmail
    from kernel.outbox import emails_due, emails_send
    from metrics.rollups import rollup_recompute
    from metrics.tasks import rollup_metrics
    from webhooks import services as webhook_services
    from webhooks.models import WebhookDelivery
    from webhooks.tasks import send_due_deliveries
    from webhooks.tests.server import Receiver
    from webhooks.tests.server import start as start_receiver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    partner_user = (
        User.objects.filter(membership__isnull=False, membership__role="admin", is_active=True)
        .order_by("pk")
        .first()
    )
    partner_user.set_password(DRILL_PASSWORD)
    partner_user.save()
    EmailAddress.objects.update_or_create(
        user=partner_user, email=partner_user.email, defaults={"verified": True, "primary": True}
    )
    manager = User.objects.filter(vendor_role=VendorRole.ADMIN, is_active=True).first()
    receiver = Receiver()
    receiver_server = start_receiver(receiver)
    # the drill's own database: endpoints of earlier runs point at receivers that are gone
    webhook_services.WebhookEndpoint.objects.all().delete()
    issued = webhook_services.endpoint_create(url=receiver.url, event_types=["deal.submitted"])
    endpoint = issued.endpoint
    notices_before = set(OutboundEmail.objects.values_list("pk", flat=True))
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
    caches["fallback"].clear()  # rate-limit counters a previous run left in the table
    login = Client(HTTP_HOST="localhost", raise_request_exception=False)
    form = {"login": partner_user.email, "password": "wrong-password"}
    actions = outage_actions(run, partner_user, manager, endpoint)
    login_status = login.post("/accounts/login/", form).status_code
    deliveries_in_outage = WebhookDelivery.objects.filter(status="pending").count()
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

    # The queued work of the outage: a real worker, the sweeps as beat would run them.
    log = Path(tempfile.mkdtemp(prefix="redis-drill-")) / "worker.log"
    worker = start_worker(env_for(DB, PORT), log)
    try:
        newest = WebhookDelivery.objects.order_by("created_at").last().created_at
        from django.utils import timezone

        wait = 31 - (timezone.now() - newest).total_seconds()  # the sweep's 30 s grace
        if wait > 0:
            time.sleep(wait)
        t_sweep = time.monotonic()
        send_due_deliveries.delay()  # what beat sends every minute
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
        while time.monotonic() - t_sweep < 60 and deliveries.filter(status="pending").exists():
            time.sleep(0.5)
        delivered_in = time.monotonic() - t_sweep
        new_notices = [n for n in emails_due(grace=timedelta(0)) if n not in notices_before]
        mail.outbox = []
        sent_notices = emails_send(email_ids=new_notices).sent
        # again, as the next beat ticks would: nothing may be sent twice
        send_due_deliveries.delay()
        time.sleep(3)
        again = emails_send(email_ids=new_notices).sent
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        receiver_server.shutdown()
    ids = [json.loads(r.body)["id"] for r in receiver.requests]
    statuses = dict(deliveries.values_list("event_type", "status"))

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
    for action, answer in actions.items():
        print(f"with Redis down: {action}: {answer}")
    print(f"rollup_metrics.delay() with Redis down: {enqueue}")
    print(
        f"webhook deliveries left pending by the outage: {deliveries_in_outage}; after Redis came "
        f"back: {statuses} in {delivered_in:.1f} s after the sweep; receiver got {len(ids)} "
        f"requests for {len(set(ids))} deliveries"
    )
    print(
        f"deal emails of the outage sent after it: {sent_notices} of {len(new_notices)} "
        f"({len(mail.outbox)} messages); sent again by a second sweep: {again}"
    )
    print(f"outage {outage:.1f} s; catch-up rollup after restart: {result} in {catch_up:.1f} s")
    same = all(caught_up[t] == clean[t] for t in TABLES)
    print(
        f"five summary tables after catch-up vs full recompute: {'IDENTICAL' if same else 'DIFFERENT'}"
    )
    actions_ok = (
        actions["login (right password)"] == 302
        and actions["login -> signed in"]
        and actions["6th login, right password, rate-limited"]
        and actions["POST submit deal (webhook + email)"] == 302
        and actions["POST webhook test delivery"] == 302
    )
    work_ok = (
        deliveries_in_outage == 2
        and set(statuses.values()) == {"succeeded"}
        and len(ids) == len(set(ids)) == 2
        and len(new_notices) == sent_notices == len(mail.outbox) >= 1
        and again == 0
    )
    ok = same and down_stored == 1000 and not failed and login_status < 500
    ok = ok and actions_ok and work_ok
    print("REDIS DOWN DRILL:", "PASS" if ok else "FAIL (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
