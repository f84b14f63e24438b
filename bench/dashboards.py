"""Benchmark of the channel-manager pages on Postgres (issue 7). Prints figures; it is not a test.

    # 0. an empty database: createdb prm_dash_bench; manage.py migrate; manage.py createcachetable
    # 1. data: demo partners with their deals, checklists, courses (10 min for 10k) ...
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        uv run python manage.py seed_demo --partners 10000 --events 0 --now 2026-11-25
    # 2. ... topped up to --events by Postgres itself (INSERT ... SELECT generate_series), then
    #    the real code: full rollup rebuild, full scores and dashboard summaries, VACUUM ANALYZE:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        uv run python bench/dashboards.py --prepare --events 10000000
    # 3. measure (REDIS_URL: the production cache; without it, the database cache):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench REDIS_URL=redis://... \\
        flock /work/bench.lock uv run python bench/dashboards.py --requests 20
    # 4. the weekly actives table alone, in-process: buckets vs PartnerWeek (--requests // 4 runs)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        flock /work/bench.lock uv run python bench/dashboards.py --weekly --requests 20
    # 4b. the cold build card by card, in process: wall and SQL time, queries, the slowest
    #     statements with --verbose (median of --requests // 4 builds; runs on any code version)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench \\
        flock /work/bench.lock uv run python bench/dashboards.py --cards --requests 20
    # 5. across rollups: the three dashboard views requested in turn while events are recorded
    #    (--rate per second, through record_events) and the real rollup_metrics task is queued
    #    every --interval seconds to a real Celery worker (it writes events: use a copy)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_dash_bench REDIS_URL=redis://... \\
        flock /work/bench.lock uv run python bench/dashboards.py --across-rollups --duration 300

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

With the dashboard cache on (the default, see PRM_DASHBOARD_CACHE_SECONDS and
console/dashboard_cache.py) the first request of a query builds the page and the others read it
from the cache while its data is unchanged; "cold" rows clear the cache before every request, so
they are the cost of building the page. "Across rollups" is what users wait for while the data
changes: stale pages served at once while the worker rebuilds them. The machine is shared: the
figures are upper bounds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import add_cluster_argument, free_port, use_cluster  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory

# (kind, weight, properties as SQL over r1/r2/r3 = random() and slug = a random offering slug)
EVENT_KINDS = [
    ("auth.login", 40, "jsonb_build_object('method', 'password')"),
    (
        "lesson.viewed",
        14,
        "jsonb_build_object('course', 1 + floor(r1 * 20)::int, 'offerings', jsonb_build_array(slug))",
    ),
    (
        "resource.viewed",
        10,
        "jsonb_build_object('resource', 1 + floor(r1 * 60)::int, 'offering', slug, "
        "'marketing_asset', r3 < 0.3)",
    ),
    (
        "resource.downloaded",
        5,
        "jsonb_build_object('resource', 1 + floor(r1 * 60)::int, 'marketing_asset', r3 < 0.5)",
    ),
    ("offering.used", 12, "jsonb_build_object('offering', slug)"),
    ("deal.updated", 4, "jsonb_build_object('offerings', jsonb_build_array(slug))"),
    ("partner.profile_updated", 2, "'{}'::jsonb"),
]

# What the stale-while-revalidate run records through record_events: payloads as declared in
# events.choices.PAYLOADS (a mismatch would log a warning per event and skew the run).
SWR_PAYLOADS = {
    "auth.login": {"method": "session"},
    "offering.used": {"offering": "bench"},
    "resource.viewed": {
        "resource": 1, "category": "bench", "marketing_asset": False, "offerings": ["bench"],
    },
}  # fmt: skip

# The events are generated by Postgres itself (generate_series + random(), seeded with
# setseed): building 10M rows in Python for COPY took 10.5 min on the loaded box.
GENERATE = """
INSERT INTO metrics_event (occurred_at, day, recorded_at, partner_id, user_id, kind,
                           subject_type, subject_id, properties, idempotency_key)
SELECT e.at, (e.at AT TIME ZONE 'UTC')::date, now(), m.partner_id,
       m.users[1 + floor(e.ru * cardinality(m.users))::int], e.kind, '', '',
       CASE e.kind {props} END, 'bench7:' || %(seed)s || ':' || e.i
FROM (
    SELECT g.i, g.at, g.pidx, g.ru, g.r1, g.r3, g.slug,
           CASE {kinds} END AS kind
    FROM (
        SELECT i, %(start)s::timestamptz + make_interval(secs => %(span)s * i / %(total)s) AS at,
               floor(%(partners)s * random() ^ 2)::int AS pidx, random() AS rk, random() AS ru,
               random() AS r1, random() AS r3,
               (%(slugs)s::text[])[1 + floor(random() * %(nslugs)s)::int] AS slug
        FROM generate_series(%(lo)s, %(hi)s) AS i
    ) g
) e
JOIN bench_members m ON m.idx = e.pidx
"""


def prepare(target: int, seed: int) -> None:
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.db import connection
    from django.db.models import Max

    from events.models import Event
    from metrics.rollups import rollup_recompute
    from metrics.scores import scores_refresh
    from partners.models import Offering, Partner

    have = Event.objects.count()
    missing = max(target - have, 0)
    print(f"{have:,} events present; adding {missing:,}.")
    end = Partner.objects.aggregate(m=Max("joined_at"))["m"] or datetime.now(UTC)
    end = max(end, Event.objects.aggregate(m=Max("occurred_at"))["m"] or end)
    start = end - timedelta(days=365)
    slugs = list(Offering.objects.values_list("slug", flat=True)) or ["none"]
    total = sum(w for _, w, _ in EVENT_KINDS)
    thresholds, cumulative = [], 0
    for kind, weight, _ in EVENT_KINDS:
        cumulative += weight
        thresholds.append(f"WHEN rk < {cumulative / total!r} THEN '{kind}'")
    sql = GENERATE.format(  # the kinds and their property builders are constants above
        kinds=" ".join(thresholds[:-1]) + f" ELSE '{EVENT_KINDS[-1][0]}'",
        props=" ".join(f"WHEN '{k}' THEN {p}" for k, _, p in EVENT_KINDS),
    )
    started, chunk = time.perf_counter(), 1_000_000
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cur.execute(
            "CREATE TEMP TABLE bench_members AS SELECT row_number() OVER (ORDER BY partner_id) - 1"
            " AS idx, partner_id, array_agg(user_id ORDER BY user_id) AS users"
            " FROM partners_partnermembership GROUP BY partner_id"
        )
        cur.execute("CREATE UNIQUE INDEX ON bench_members (idx)")
        cur.execute("SELECT count(*) FROM bench_members")
        (partners,) = cur.fetchone()
        for lo in range(0, missing, chunk):
            hi = min(lo + chunk, missing) - 1
            params = {"seed": str(seed), "start": start, "span": (end - start).total_seconds(),
                      "total": max(missing, 1), "partners": partners, "slugs": slugs,
                      "nslugs": len(slugs), "lo": lo, "hi": hi}  # fmt: skip
            cur.execute(sql, params)
            print(f"  {hi + 1:,}/{missing:,} in {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute("DROP TABLE bench_members")
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


def serve(session: str, cookie_name: str):
    """gunicorn (1 sync worker, production-like settings, DEBUG off) on a loopback port, and a
    ``get(path) -> seconds`` that requests a page as the session's user (200 expected)."""
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
    cookie = f"{cookie_name}={session}"

    def get(path: str) -> float:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie}
        )
        started = time.perf_counter()
        with opener.open(request) as response:
            response.read()
            assert response.status == 200, (path, response.status)
        return time.perf_counter() - started

    for _ in range(150):
        try:
            get("/healthz")
            break
        except OSError:
            time.sleep(0.2)
    return server, get


def dashboard_pages() -> dict[str, str]:
    from partners.models import Tier

    tier = Tier.objects.order_by("rank").first()
    return {
        "dashboard, no filter": "/manage/dashboard/",
        "dashboard, region + my partners + 12 months": (
            "/manage/dashboard/?region=emea&owner=mine&since=" + _year_ago()
        ),
        "dashboard, tier + 12 months": f"/manage/dashboard/?tier={tier.pk}&since=" + _year_ago(),
    }


def measure(requests: int, email: str, seed: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    from partners.models import Partner

    session = session_for(email)
    server, get = serve(session, settings.SESSION_COOKIE_NAME)
    try:
        get("/manage/dashboard/")  # the process's first page loads templates and modules
        rng = random.Random(seed)  # noqa: S311
        pages = {name: [url] for name, url in dashboard_pages().items()}
        ids = list(Partner.objects.values_list("pk", flat=True))
        details = [f"/manage/partners/{pk}/" for pk in rng.sample(ids, min(requests, len(ids)))]
        print(f"{len(ids):,} partners; {requests} requests per row; gunicorn, 1 worker, loopback.")
        for name, urls in pages.items():
            cold = []
            for _ in range(max(requests // 10, 2)):
                cache.clear()
                cold.append(get(urls[0]))
            ordered = sorted(cold)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            verdict = "met" if p95 < 0.150 else "NOT met"
            print(
                f"{name + ' (cold: built)':58} {percentiles(cold)}  "
                f"(issue 24 target: p95 < 150 ms: {verdict})"
            )
            get(urls[0])
            warm = [get(urls[0]) for _ in range(requests)]
            print(f"{name + ' (warm: cached)':58} {percentiles(warm)}")
        print(f"{'partner detail, random partners':58} {percentiles([get(u) for u in details])}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def measure_across_rollups(
    duration: float, interval: float, rate: int, think: float, email: str, seed: int
) -> None:
    """What a channel manager waits for while the program is live: events are recorded through
    the real service (``record_events``, ``rate`` per second, by random partners' members), the
    real ``rollup_metrics`` task is queued every ``interval`` seconds (as beat does every minute)
    to a real Celery worker (solo pool), which folds them in, refreshes the scores and rebuilds
    the pages it pre-builds or that requests found stale; meanwhile the client requests the three
    dashboard views in turn (``think`` seconds apart) for ``duration`` seconds."""
    import threading

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from console import dashboard_cache
    from events.services import NewEvent, record_events
    from metrics.tasks import rollup_metrics
    from partners.models import PartnerMembership

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        sys.exit("Set REDIS_URL (cache and Celery broker), e.g. redis://127.0.0.1:6379/2.")
    rng = random.Random(seed)  # noqa: S311
    members = list(PartnerMembership.objects.values_list("partner_id", "user_id"))
    members = rng.sample(members, min(len(members), 5000))
    pages = dashboard_pages()
    session = session_for(email)
    cache.clear()  # FLUSHDB of this Redis db: the page cache and any old Celery messages
    started = time.perf_counter()
    print(f"catch-up rollup: {rollup_metrics()} in {time.perf_counter() - started:.1f} s")
    cache.clear()  # the catch-up queued pre-builds; the worker should start from nothing
    env = {**os.environ, "DEBUG": "false"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "prm", "worker", "--pool", "solo",
         "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    server, get = serve(session, settings.SESSION_COOKIE_NAME)
    stop = threading.Event()
    counts = {"events": 0, "rollups": 0, "versions": set()}

    def record() -> None:
        n = 0
        while not stop.is_set():
            tick = time.perf_counter()
            now = timezone.now()
            batch = []
            for _ in range(rate):
                partner, user = rng.choice(members)
                kind = rng.choice(list(SWR_PAYLOADS))
                n += 1
                batch.append(
                    NewEvent(kind=kind, key=f"bench-swr:{seed}:{time.time_ns()}:{n}",
                             partner_id=partner, user_id=user, occurred_at=now,
                             properties=SWR_PAYLOADS[kind])
                )  # fmt: skip
            counts["events"] += record_events(batch)
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - tick)))
        connection.close()

    def beat() -> None:
        while not stop.wait(interval):
            rollup_metrics.delay()  # to the worker, as beat does
            counts["rollups"] += 1
            counts["versions"].add(dashboard_cache.data_state().version)
        connection.close()

    try:
        get("/manage/dashboard/?since=" + _year_ago())  # the process's first page: imports
        cache.delete(dashboard_cache.RECENT_KEY)  # not a view to keep warm
        first = {name: get(url) for name, url in pages.items()}  # never built: built in request
        for name, seconds in first.items():
            print(f"{name + ' (first request: built)':58} {seconds * 1000:7.1f} ms")
        threads = [threading.Thread(target=record), threading.Thread(target=beat)]
        for thread in threads:
            thread.start()
        times: dict[str, list[float]] = {name: [] for name in pages}
        end = time.perf_counter() + duration
        while time.perf_counter() < end:
            for name, url in pages.items():
                times[name].append(get(url))
                time.sleep(think)
        stop.set()
        for thread in threads:
            thread.join()
        print(
            f"{duration:.0f} s: {counts['events']:,} events recorded, {counts['rollups']} rollups "
            f"queued every {interval:.0f} s, {len(counts['versions'])} data versions seen; "
            f"client think time {think} s"
        )
        for name in pages:
            slow = sum(t > 0.150 for t in times[name])
            print(f"{name + ' (across rollups)':58} {percentiles(times[name])}  >150 ms: {slow}")
        every = [t for ts in times.values() for t in ts]
        print(f"{'all three views (across rollups)':58} {percentiles(every)}")
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        worker.wait(timeout=60)


def measure_weekly(repeats: int, email: str) -> None:
    """In-process cold cost of the weekly active partners/users table for the dashboard's three
    queries: ``program.weekly_active`` (distinct users over every ``PartnerDayUser`` row of the
    range, what the dashboard read before) against ``program.weekly_active_from_summary``
    (``PartnerWeek`` sums, partial edge weeks from the buckets), in one run, after checking they are equal."""
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from console.forms import quarter_start
    from metrics.definitions import program
    from partners.models import Tier

    today = timezone.now().date()
    year_ago = today - timedelta(days=364)
    manager = User.objects.get(email=email)
    tier = Tier.objects.order_by("rank").first()
    queries = {
        "no filter, this quarter": (quarter_start(today), {}),
        "region + my partners + 12 months": (year_ago, {"region": "emea", "owner": manager}),
        "tier + 12 months": (year_ago, {"tier": tier}),
    }
    for name, (since, filters) in queries.items():
        times = {}
        for label, fn in (
            ("buckets", program.weekly_active),
            ("summary", program.weekly_active_from_summary),
        ):
            runs = []
            for _ in range(repeats):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    result = fn(since=since, until=today, **filters)
                runs.append(time.perf_counter() - started)
            times[label] = (runs, result, len(captured))
        assert times["buckets"][1] == times["summary"][1], name
        b, s = statistics.median(times["buckets"][0]), statistics.median(times["summary"][0])
        print(
            f"weekly actives, {name:34} buckets {b * 1000:8.1f} ms   summary {s * 1000:7.1f} ms"
            f" ({times['summary'][2]} queries)   {b / s:6.1f}x   (median of {repeats})"
        )


def _explained(statements: list[str], verbose: bool) -> tuple[float, str]:
    """The server's own time for ``statements`` (the SELECTs of one card as last run): the sum
    of ``EXPLAIN ANALYZE``'s planning and execution times, in ms; the card's SQL floor. With
    ``verbose``, the plan of the slowest one (else "")."""
    import json

    from django.db import connection

    total, slowest = 0.0, (0.0, "")
    with connection.cursor() as cur:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            (plan,) = cur.fetchone()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            ms = plan[0]["Planning Time"] + plan[0]["Execution Time"]
            total += ms
            slowest = max(slowest, (ms, sql))
    plan = ""
    if verbose and slowest[1]:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[1])
            plan = "\n".join(f"      {row[0]}" for row in cur.fetchall())
    return total, plan


def measure_cards(repeats: int, email: str, verbose: bool, explain: bool) -> None:
    """In-process cost of the cold build of each dashboard view, card by card, as
    ``console.dashboard.build`` and ``dashboard_cache.build_page`` make it (the KPI tiles split
    per figure): the median over ``repeats`` builds of wall time, SQL time and queries per card,
    and with ``verbose`` the slowest statement of each card. Only public functions of the
    dashboard are called, so the same script times any version of the code."""
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from console import dashboard, roi
    from console.forms import DashboardFilterForm
    from metrics import churn_pages
    from metrics.definitions import program as p

    manager = User.objects.get(email=email)
    for name, url in dashboard_pages().items():
        form = DashboardFilterForm(QueryDict(url.partition("?")[2]), user=manager)
        assert form.is_valid(), form.errors
        q = form.query()

        def kpi_parts(q=q):
            f, (ps, pu) = q.filters, q.previous
            from metrics import definitions as d

            return {
                "kpi: activation rate x2": lambda: (
                    d.activation_rate(since=q.since, until=q.until, **f),
                    d.activation_rate(since=ps, until=pu, **f),
                ),
                "kpi: time to activation x2": lambda: (
                    d.time_to_activation(since=q.since, until=q.until, **f),
                    d.time_to_activation(since=ps, until=pu, **f),
                ),
                "kpi: time to first deal x2": lambda: (
                    d.time_to_first_deal(since=q.since, until=q.until, **f),
                    d.time_to_first_deal(since=ps, until=pu, **f),
                ),
                "kpi: score distribution (previous)": lambda: p.adoption_score_distribution(
                    day=pu, **f
                ),
                "kpi: deal counts x2": lambda: (
                    p.deal_counts(since=q.since, until=q.until, **f),
                    p.deal_counts(since=ps, until=pu, **f),
                ),
                "kpi: partners joined x2": lambda: (
                    p.partners_joined_by_status(since=q.since, until=q.until, **f),
                    p.partners_joined(since=ps, until=pu, **f),
                ),
            }

        def leads_cards(q):
            perf = dashboard._lead_performance(q)
            return dashboard.table_leads(q, perf), dashboard.table_leads_partners(q, perf)

        cards = {
            "scores (distribution)": lambda q=q: dashboard.table_scores(q),
            "KPI tiles (whole)": lambda q=q: dashboard.kpis(
                q, p.adoption_score_distribution(day=q.until, **q.filters)
            ),
            **kpi_parts(),
            "at-risk": lambda q=q: dashboard.table_at_risk(q, limit=dashboard.AT_RISK_ON_PAGE),
            "churn-forecast": lambda q=q: dashboard.table_churn_forecast(
                q, state=churn_pages.model_state()
            ),
            "leads (both cards)": lambda q=q: leads_cards(q),
            **{
                key: (lambda key=key, q=q: dashboard.build_one(key, q))
                for key in dashboard.TABLES
                if key not in ("scores", "at-risk", "churn-forecast", "leads", "leads-partners")
            },
            "roi card": lambda q=q: roi.card(q),
        }
        results = {card: [] for card in cards}
        last: dict[str, list[str]] = {}
        for _ in range(repeats):
            for card, fn in cards.items():
                reset_queries()
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    fn()
                wall = time.perf_counter() - started
                sql = sum(float(c["time"]) for c in captured.captured_queries)
                slowest = max(captured.captured_queries, key=lambda c: float(c["time"]),
                              default=None)  # fmt: skip
                results[card].append((wall, sql, len(captured), slowest))
                last[card] = [c["sql"] for c in captured.captured_queries]
        print(f"\n{name} (median of {repeats} in-process builds)")
        total = 0.0
        for card, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            sql = statistics.median(r[1] for r in runs)
            if not card.startswith("kpi:") and card != "scores (distribution)":
                total += wall
            floor, plan = _explained(last[card], verbose) if explain else (0.0, "")
            floor = f"   EXPLAIN ANALYZE {floor:7.1f} ms" if explain else ""
            print(f"  {card:40} {wall * 1000:8.1f} ms   SQL {sql * 1000:7.1f} ms   "
                  f"{runs[0][2]:3} queries{floor}")  # fmt: skip
            slowest = runs[-1][3]
            if verbose and slowest:
                print(f"      slowest {float(slowest['time']) * 1000:.1f} ms: "
                      f"{slowest['sql'][:600]}")  # fmt: skip
            if plan:
                print(f"      slowest by EXPLAIN ANALYZE:\n{plan}")
        print(f"  {'sum of the cards (KPI whole, no parts)':40} {total * 1000:8.1f} ms")


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
    parser.add_argument(
        "--weekly", action="store_true", help="Time the weekly actives, buckets vs summary."
    )
    parser.add_argument(
        "--cards", action="store_true", help="Time the cold build card by card, in process."
    )
    parser.add_argument("--verbose", action="store_true", help="--cards: the slowest statements")
    parser.add_argument(
        "--explain", action="store_true", help="--cards: each card's SQL by EXPLAIN ANALYZE"
    )
    parser.add_argument(
        "--across-rollups",
        action="store_true",
        help="Dashboard requests while events are recorded and rollups run (Celery worker).",
    )
    parser.add_argument("--duration", type=float, default=180, help="--across-rollups: seconds")
    parser.add_argument(
        "--interval", type=float, default=20, help="--across-rollups: seconds between rollups"
    )
    parser.add_argument("--rate", type=int, default=50, help="--across-rollups: events/second")
    parser.add_argument(
        "--think", type=float, default=0.5, help="--across-rollups: pause between requests"
    )
    add_cluster_argument(parser)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the Postgres benchmark database.")
    use_cluster(args.cluster)  # the database of DATABASE_URL, on the cluster's server
    if args.prepare:
        prepare(args.events, args.seed)
    elif args.across_rollups:
        measure_across_rollups(
            args.duration, args.interval, args.rate, args.think, args.manager, args.seed
        )
    elif args.cards:
        measure_cards(max(args.requests // 4, 3), args.manager, args.verbose, args.explain)
    elif args.weekly:
        measure_weekly(max(args.requests // 4, 3), args.manager)
    else:
        measure(args.requests, args.manager, args.seed)


if __name__ == "__main__":
    main()
