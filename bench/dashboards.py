"""Benchmark of the channel-manager pages on Postgres (issue 7). Prints figures; it is not a test.

    # 1. data: demo partners with their deals, checklists, courses (slow: run it early) ...
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        uv run python manage.py seed_demo --partners 10000 --events 0 --now 2026-11-25
    # 2. ... topped up to --events with COPY, rolled up (summaries + adoption scores):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        uv run python bench/dashboards.py --prepare --events 10000000
    # 3. measure:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        uv run python bench/dashboards.py --requests 40

(--prepare counts the events already there, e.g. from ``seed_demo --events N``, and adds only the
missing ones: the demo kinds with real partners, members and offering slugs, spread over the 365
days before the newest demo partner joined, a few partners much busier than most.)

The measurement starts gunicorn (1 worker, production-like settings, DEBUG off) on a loopback
port, logs in as a channel manager through a session cookie, and requests each page
``--requests`` times, reporting p50/p95/max of the wall time seen by the client (server time
plus loopback). Pages:

- the program dashboard with no filter (this quarter, every partner);
- the dashboard with filters (region, "my partners", last 12 months), and with a tier;
- the partner detail page of random partners (busy and quiet ones).

With the dashboard cache on (the default, see PRM_DASHBOARD_CACHE_SECONDS) the first request of a
query builds the page and the others read it from the cache until the rollup runs again; "cold"
rows clear the cache before every request, so they are the cost of building the page. The
machine is shared: the figures are upper bounds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory

EVENT_KINDS = [  # (kind, weight, properties builder(rng, offering slugs))
    ("auth.login", 40, lambda r, o: {"method": "password"}),
    ("lesson.viewed", 14, lambda r, o: {"course": r.randint(1, 20), "offerings": [r.choice(o)]}),
    (
        "resource.viewed",
        10,
        lambda r, o: {
            "resource": r.randint(1, 60),
            "offering": r.choice(o),
            "marketing_asset": r.random() < 0.3,
        },
    ),
    (
        "resource.downloaded",
        5,
        lambda r, o: {"resource": r.randint(1, 60), "marketing_asset": r.random() < 0.5},
    ),
    ("offering.used", 12, lambda r, o: {"offering": r.choice(o)}),
    ("deal.updated", 4, lambda r, o: {"offerings": [r.choice(o)]}),
    ("partner.profile_updated", 2, lambda r, o: {}),
]


def prepare(target: int, seed: int) -> None:
    import django

    django.setup()
    import io
    import json
    from datetime import UTC, datetime, timedelta

    from django.db import connection
    from django.db.models import Max

    from metrics.models import Event
    from metrics.rollups import rollup_recompute
    from metrics.scores import scores_refresh
    from partners.models import Offering, Partner, PartnerMembership

    have = Event.objects.count()
    missing = max(target - have, 0)
    print(f"{have:,} events present; adding {missing:,}.")
    end = Partner.objects.aggregate(m=Max("joined_at"))["m"] or datetime.now(UTC)
    end = max(end, Event.objects.aggregate(m=Max("occurred_at"))["m"] or end)
    start = end - timedelta(days=365)
    members: dict[int, list[int]] = {}
    for pid, uid in PartnerMembership.objects.values_list("partner_id", "user_id"):
        members.setdefault(pid, []).append(uid)
    partner_ids = sorted(members)
    slugs = list(Offering.objects.values_list("slug", flat=True)) or ["none"]
    rng = random.Random(seed)  # noqa: S311 -- synthetic data, reproducible on purpose
    kinds = [k for k, _, _ in EVENT_KINDS]
    weights = [w for _, w, _ in EVENT_KINDS]
    build = {k: b for k, _, b in EVENT_KINDS}
    span = (end - start).total_seconds()
    recorded = datetime.now(UTC).isoformat()
    started, chunk = time.perf_counter(), 200_000
    with connection.cursor() as cur:
        for base in range(0, missing, chunk):
            n = min(chunk, missing - base)
            buf = io.StringIO()
            for j, kind in enumerate(rng.choices(kinds, weights, k=n)):
                i = base + j
                at = start + timedelta(seconds=span * i / max(missing, 1))
                pid = partner_ids[int(len(partner_ids) * rng.random() ** 2)]
                uid = rng.choice(members[pid])
                props = json.dumps(build[kind](rng, slugs), separators=(",", ":"))
                buf.write(
                    f"{at.isoformat()}\t{at.date().isoformat()}\t{recorded}\t{pid}\t{uid}\t"
                    f"{kind}\t\t\t{props}\tbench7:{seed}:{i}\n"
                )
            buf.seek(0)
            cur.cursor.copy_expert(
                "COPY metrics_event (occurred_at, day, recorded_at, partner_id, user_id, kind, "
                "subject_type, subject_id, properties, idempotency_key) FROM STDIN",
                buf,
            )
            print(f"  {base + n:,}/{missing:,} in {time.perf_counter() - started:.0f} s")
        cur.execute("ANALYZE metrics_event")
    started = time.perf_counter()
    result = rollup_recompute()
    print(f"Rollup rebuilt in {time.perf_counter() - started:.0f} s: {result}")
    started = time.perf_counter()
    scores = scores_refresh()
    print(f"Scores refreshed in {time.perf_counter() - started:.0f} s: {scores}")
    with connection.cursor() as cur:
        # What autovacuum does in production after a bulk load: the visibility map that lets the
        # dashboard's covering-index reads (adoption_day_cover_idx) skip the heap.
        for table in ("metrics_adoptionscore", "metrics_offeringadoptionspan"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_for(email: str) -> str:
    """A logged-in session for ``email`` (no password round trip, no login rate limit)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"max {ordered[-1] * 1000:7.1f} ms   (n={len(ordered)})"
    )


def measure(requests: int, email: str, seed: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    from partners.models import Partner, Tier

    session = session_for(email)
    port = free_port()
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = subprocess.Popen(  # noqa: S603 -- fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "prm.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",  # a cold build on a loaded machine can take longer than the default 30 s
            "600",
        ],
        cwd=ROOT,
        env=env,
    )
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"

    def get(path: str) -> float:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie}
        )
        started = time.perf_counter()
        with opener.open(request) as response:
            response.read()
            assert response.status == 200, (path, response.status)
        return time.perf_counter() - started

    try:
        for _ in range(100):
            try:
                get("/manage/dashboard/")
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(seed)  # noqa: S311
        tier = Tier.objects.order_by("rank").first()
        pages = {
            "dashboard, no filter": ["/manage/dashboard/"],
            "dashboard, region + my partners + 12 months": [
                "/manage/dashboard/?region=emea&owner=mine&since=" + _year_ago()
            ],
            "dashboard, tier + 12 months": [
                f"/manage/dashboard/?tier={tier.pk}&since=" + _year_ago()
            ],
        }
        ids = list(Partner.objects.values_list("pk", flat=True))
        details = [f"/manage/partners/{pk}/" for pk in rng.sample(ids, min(requests, len(ids)))]
        print(f"{len(ids):,} partners; {requests} requests per row; gunicorn, 1 worker, loopback.")
        for name, urls in pages.items():
            cold = []
            for _ in range(max(requests // 10, 2)):
                cache.clear()
                cold.append(get(urls[0]))
            print(f"{name + ' (cold: built)':58} {percentiles(cold)}")
            get(urls[0])
            warm = [get(urls[0]) for _ in range(requests)]
            print(f"{name + ' (warm: cached)':58} {percentiles(warm)}")
        print(f"{'partner detail, random partners':58} {percentiles([get(u) for u in details])}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def _year_ago() -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.now().date() - timedelta(days=364)).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prepare", action="store_true", help="Top up events and roll up.")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--manager", default="manager@prm.example")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the Postgres benchmark database.")
    if args.prepare:
        prepare(args.events, args.seed)
    else:
        measure(args.requests, args.manager, args.seed)


if __name__ == "__main__":
    main()
