# ruff: noqa: E402
"""Profile the load test's pages in-process (issue 24): time, queries and where Python spends it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_x_prof REDIS_URL=redis://127.0.0.1:6379/8 \\
        python bench/load/profile_pages.py [--runs 5] [--profile PAGE] [--sql PAGE]

On a seeded data set (``seed_demo``; the load test's own is ``prm_load``), with the production
settings as ``bench/load/run.py`` starts gunicorn (DEBUG off, ``collectstatic`` done first), the
Django test client logged in (``force_login``) as a partner person of an active partner and as
that partner's channel manager requests each page the locustfile requests, once to warm up,
then ``--runs`` times. Per page: median and max wall time, queries, and the time inside the
database (an execute wrapper). The POSTs (register a deal and submit it;
approve a submitted deal) follow their redirect, as locust does. ``--profile PAGE`` prints
cProfile's top functions for that page (by cumulative time); ``--sql PAGE`` prints its queries
with their times. It writes into the database it is given (new deals, approvals): never point it
at a database anyone else uses.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.production")
os.environ.setdefault("SECRET_KEY", "profile-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PRM_MFA_REQUIRED_FOR_STAFF", "false")
os.environ.setdefault("EMAIL_URL", "consolemail://")

import django

django.setup()

import re

from django.db import connection
from django.test import Client

from bench.rollups import backend_cpu_seconds
from deals.choices import DealStatus
from deals.models import Deal
from partners.choices import PartnerStatus
from partners.models import PartnerMembership

OFFERING = re.compile(r'name="lines-0-offering"[^>]*>.*?<option value="(\d+)"', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COURSE_LINK = re.compile(r'href="(/learn/courses/[\w-]+/)"')
RESOURCE_LINK = re.compile(r'href="(/library/\d+/)"')
# How often the locustfile requests each page, per unit of time: its task weights times the users
# of each journey (40 partner people over task weights summing to 13, 8 managers over 7). A POST's
# row includes the page it redirects to, so it counts as two requests.
PARTNER_TASK, MANAGER_TASK = 40 / 13, 8 / 7
MIX = {
    "portal home": 3 * PARTNER_TASK,
    "checklist": 2 * PARTNER_TASK,
    "learn": 2 * PARTNER_TASK,
    "course": 2 * PARTNER_TASK,
    "library": 2 * PARTNER_TASK,
    "resource": 2 * PARTNER_TASK,
    "deals list": 3 * PARTNER_TASK,
    "deal detail": 3 * PARTNER_TASK,
    "deal form": 1 * PARTNER_TASK,
    "register deal POST": 1 * PARTNER_TASK,
    "dashboard": 2 * MANAGER_TASK,
    "dashboard filtered": 1 * MANAGER_TASK,
    "manage partners": 2 * MANAGER_TASK,
    "partner detail": 2 * MANAGER_TASK,
    "manager queue": 2 * MANAGER_TASK,
    "manager deal detail": 2 * MANAGER_TASK,
    "approve deal POST": 2 * MANAGER_TASK,
}
REQUESTS = {"register deal POST": 2, "approve deal POST": 2}  # the POST and its redirect


def backend_cpu() -> float | None:
    """CPU seconds so far of this connection's Postgres backend (``bench.rollups.
    backend_cpu_seconds``: ``/proc``, clock ticks of 10 ms, averaged over the runs); None when the
    database is not Postgres or the server runs elsewhere."""
    if connection.vendor != "postgresql":
        return None
    seconds = backend_cpu_seconds()
    return None if math.isnan(seconds) else seconds


class Timer:
    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql))


def client_for(user) -> Client:
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="10.9.9.9")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def register_deal(client):
    form = client.get("/portal/deals/new/").content.decode()
    tag = uuid.uuid4().hex[:10]
    data = {
        "customer_name": f"Profile Customer {tag}",
        "customer_domain": f"profile-{tag}.example",
        "customer_country": "US",
        "contact_name": "Pat Buyer",
        "contact_email": f"pat@profile-{tag}.example",
        "currency": "USD",
        "expected_close_date": (date.today() + timedelta(days=60)).isoformat(),
        "stage": "prospecting",
        "notes": "Registered by the profile.",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-offering": OFFERING.search(form).group(1),
        "lines-0-quantity": "3",
        "lines-0-unit_amount": "1200.00",
        "submit": "1",
    }

    def post():  # a new customer each time: no conflict with the last one
        tag = uuid.uuid4().hex[:12]
        return client.post(
            "/portal/deals/new/",
            data | {"customer_name": f"Profile {tag}", "customer_domain": f"p-{tag}.example"},
            follow=True,
        )

    return post


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        help="cProfile this page; 'mix': every page as often as the locustfile requests it.",
    )
    parser.add_argument("--sql", action="append", default=[], help="List its queries.")
    parser.add_argument("--only", action="append", default=[], help="Only these pages.")
    args = parser.parse_args()

    membership = (
        PartnerMembership.objects.filter(
            partner__status=PartnerStatus.ACTIVE,
            user__is_active=True,
            partner__deals__isnull=False,
            partner__owner__isnull=False,
        )
        .select_related("user", "partner")
        .order_by("pk")
        .first()
    )
    partner_user = membership.user
    # the partner's own channel manager: the deals registered below land in their queue
    manager = membership.partner.owner
    partner_client, manager_client = client_for(partner_user), client_for(manager)
    own_deal = Deal.objects.filter(partner=membership.partner).order_by("-pk").first()
    managed = membership.partner
    register = register_deal(partner_client)
    queue = []

    def approve():
        return manager_client.post(
            f"/manage/deals/{queue.pop()}/approve/",
            {"note": "Approved by the profile.", "acknowledge_conflicts": "on"},
            follow=True,
        )

    submitted = Deal.objects.filter(partner=managed).order_by("-pk").first()
    course = COURSE_LINK.search(partner_client.get("/learn/").content.decode())
    resource = RESOURCE_LINK.search(partner_client.get("/library/").content.decode())
    since = (date.today() - timedelta(days=364)).isoformat()
    pages = {
        "portal home": lambda: partner_client.get("/portal/"),
        "checklist": lambda: partner_client.get("/portal/onboarding/"),
        "learn": lambda: partner_client.get("/learn/"),
        "course": lambda: partner_client.get(course.group(1)),
        "library": lambda: partner_client.get("/library/"),
        "resource": lambda: partner_client.get(resource.group(1)),
        "deals list": lambda: partner_client.get("/portal/deals/"),
        "deal detail": lambda: partner_client.get(f"/portal/deals/{own_deal.pk}/"),
        "deal form": lambda: partner_client.get("/portal/deals/new/"),
        "register deal POST": register,
        "dashboard": lambda: manager_client.get("/manage/dashboard/"),
        "dashboard filtered": lambda: manager_client.get(
            f"/manage/dashboard/?owner=mine&since={since}"
        ),
        "manage partners": lambda: manager_client.get("/manage/"),
        "partner detail": lambda: manager_client.get(f"/manage/partners/{managed.pk}/"),
        "manager queue": lambda: manager_client.get("/manage/deals/?scope=mine&status=submitted"),
        "manager deal detail": lambda: manager_client.get(f"/manage/deals/{submitted.pk}/"),
        "approve deal POST": approve,
    }
    print(
        f"partner person {partner_user.email} of {membership.partner.name}; manager "
        f"{manager.email} (partner {managed.pk}); {args.runs} runs after a warm-up\n"
    )
    print(
        f"{'page':22} {'status':>6} {'med ms':>7} {'max ms':>7} {'queries':>7} {'SQL ms':>7} "
        f"{'app CPU':>7} {'db CPU':>7}"
    )
    weighted = {"app": 0.0, "db": 0.0, "weight": 0.0}
    mix_profiler = cProfile.Profile()
    for name, request in pages.items():
        if args.only and name not in args.only:
            continue
        if name == "approve deal POST":  # submitted deals to approve, registered beforehand
            needed = args.runs + 2 + ("mix" in args.profile) * round(MIX[name])
            for _ in range(needed):
                register()
            queue[:] = Deal.objects.filter(
                partner=membership.partner, status=DealStatus.SUBMITTED
            ).values_list("pk", flat=True)[:needed]
        response = request()
        status = response.status_code
        walls, timers = [], []
        db_before, app_before = backend_cpu(), time.process_time()
        for _ in range(args.runs):
            timer = Timer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                request()
                walls.append(time.perf_counter() - started)
            timers.append(timer)
        # CPU per request, means over the runs: this process's (the Django side) and the backend's
        app_cpu = 1000 * (time.process_time() - app_before) / args.runs
        db_after = backend_cpu()
        db_cpu = 1000 * (db_after - db_before) / args.runs if db_before is not None else None
        timer = timers[walls.index(statistics.median_low(walls))]
        sql_ms = 1000 * sum(t for t, _ in timer.queries)
        print(
            f"{name:22} {status:>6} {1000 * statistics.median(walls):7.1f} "
            f"{1000 * max(walls):7.1f} {len(timer.queries):7} {sql_ms:7.1f} {app_cpu:7.1f} "
            f"{db_cpu if db_cpu is not None else float('nan'):7.1f}",
            flush=True,
        )
        weight = MIX.get(name, 0.0)
        weighted["app"] += weight * app_cpu
        weighted["db"] += weight * (db_cpu or 0.0)
        weighted["weight"] += weight * REQUESTS.get(name, 1)
        if name in args.sql:
            for elapsed, sql in timer.queries:
                print(f"    {1000 * elapsed:6.1f} ms  {sql[:300]}")
        if "mix" in args.profile:  # the page as often as the locustfile requests it
            mix_profiler.enable()
            for _ in range(max(1, round(MIX.get(name, 1)))):
                request()
            mix_profiler.disable()
        if name in args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            request()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    if "mix" in args.profile:
        stats = pstats.Stats(mix_profiler)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(120)
    if weighted["weight"]:
        app, db = (weighted[k] / weighted["weight"] for k in ("app", "db"))
        print(
            f"\nthe locustfile's mix (requests weighted as its tasks pick them): {app:.1f} ms "
            f"app CPU + {db:.1f} ms db CPU = {app + db:.1f} ms CPU per request"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
