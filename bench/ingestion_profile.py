"""Where a batch of ``POST /api/v1/events/`` spends its time (issue 24): the request handled in
process, through the WSGI application gunicorn serves (production settings, every middleware),
one batch after another, with a wall-clock and CPU timer around each phase. Prints the phases
per batch (median over the measured batches), the EXPLAIN ANALYZE of the recording statement,
and optionally cProfile's top functions. Prints figures; it is not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/7 \\
        uv run python bench/ingestion_profile.py --batches 40 --db prm_bench_profile

The batches have ``bench/ingestion.py``'s shape (1,000 product-usage events, each naming a
partner, a customer account and a customer user). The timers wrap the functions of each phase
(measurement only: the functions run unchanged); "other" is the rest of the request (WSGI,
middleware, DRF's dispatch). Docs: docs/ingestion.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import admin_execute, server_url  # noqa: E402

WALL: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)
PG: dict[str, float] = defaultdict(float)  # the Postgres backend's CPU (same machine: /proc)
_STACK: list[str] = []
_BACKEND: list[Path] = []  # /proc/<backend pid>/schedstat once connected


def backend_cpu() -> float:
    """CPU seconds the connection's Postgres backend has run (``/proc/<pid>/schedstat``: ns on
    a CPU), 0 when the server is not on this machine."""
    if not _BACKEND:
        return 0.0
    try:
        return int(_BACKEND[0].read_text().split()[0]) / 1e9
    except OSError:
        return 0.0


def timed(owner, name: str, phase: str, db: bool = False) -> None:
    """Wrap ``owner.name`` so its time is counted to ``phase`` (exclusive of nested phases);
    ``db``: the phase queries, so the backend's CPU is read around it too (not for the phases
    run per item: reading /proc per call would cost more than they do)."""
    setattr(owner, name, timing(getattr(owner, name), phase, db))


def timing(original, phase: str, db: bool = False):
    def wrapper(*args, **kwargs):
        _STACK.append(phase)
        w0, c0 = time.perf_counter(), time.process_time()
        p0 = backend_cpu() if db else 0.0
        try:
            return original(*args, **kwargs)
        finally:
            dw, dc = time.perf_counter() - w0, time.process_time() - c0
            dp = backend_cpu() - p0 if db else 0.0
            _STACK.pop()
            WALL[phase] += dw
            CPU[phase] += dc
            PG[phase] += dp
            if _STACK:  # exclusive times: the caller's phase does not count this one
                WALL[_STACK[-1]] -= dw
                CPU[_STACK[-1]] -= dc
                PG[_STACK[-1]] -= dp

    return wrapper


def instrument() -> None:
    from django.db import connections
    from rest_framework import views as drf_views
    from rest_framework.renderers import JSONRenderer

    import events.services as event_services
    import ingestion.services as ingestion_services
    from accounts.api.authentication import BearerTokenAuthentication
    from accounts.api.throttling import TokenRateThrottle
    from events import consumers
    from ingestion.api import serializers
    from ingestion.api import views as ingestion_views
    from kernel import enqueue
    from kernel.api.parsers import JSONParser

    timed(BearerTokenAuthentication, "authenticate", "auth (token lookup)", db=True)
    timed(drf_views.APIView, "check_permissions", "permissions (roles)", db=True)
    timed(TokenRateThrottle, "allow_request", "throttle (cache)", db=True)
    timed(JSONParser, "parse", "JSON parsing")
    timed(serializers, "fast_event_item", "shape (fast_event_item)")
    timed(ingestion_views.EventIngestView, "post", "view, rest", db=True)
    timed(ingestion_services, "events_ingest", "rules per item", db=True)
    timed(ingestion_services, "_partners", "partners query", db=True)
    timed(ingestion_services, "_accounts", "accounts query", db=True)
    timed(ingestion_services, "record_events", "record: _build per event", db=True)
    for name in dir(event_services):  # the store and its helpers, whatever their names
        if name.startswith("_store_") and not name.startswith("_store_sql"):
            timed(event_services, name, "record: the statement", db=True)
        elif name.startswith(("_pg_", "_copy_", "_store_sql")):
            timed(event_services, name, "record: array / COPY text encoding")
    timed(event_services, "_loaded_events", "record: Event instances")
    timed(consumers, "dispatch_later", "record: PendingDispatch row", db=True)
    timed(enqueue, "send", "record: wake-up task publish (Redis)")
    timed(type(connections["default"]), "_commit", "commit", db=True)
    for name, consumer in list(consumers.registry.items()):
        consumers.registry[name] = consumers.Consumer(
            name=consumer.name,
            handle=timing(consumer.handle, f"consumer {name}"),
            kinds=consumer.kinds,
        )
    timed(consumers, "dispatch", "consumers: dispatch (savepoints)")
    timed(serializers, "ingest_result_data", "answer: dicts")
    timed(JSONRenderer, "render", "answer: JSON rendering")


def explain(user, items: list[dict]) -> str:
    """EXPLAIN ANALYZE of the recording statement for one batch (rolled back)."""
    from django.db import connection, transaction

    import events.services as event_services
    from ingestion import services as ingestion_services

    captured: list[tuple[str, list]] = []

    class Capture(Exception):
        pass

    original = connection.cursor

    def capturing_cursor(*args, **kwargs):
        cursor = original(*args, **kwargs)
        execute = cursor.execute

        def run(sql, params=None):
            if "INSERT INTO" in sql and "unnest" in sql:
                captured.append((sql, params))
                cursor.execute = execute
                execute("EXPLAIN (ANALYZE, BUFFERS, TIMING) " + sql, params)
                plan = "\n".join(r[0] for r in cursor.fetchall())
                captured.append((plan, []))
                raise Capture
            return execute(sql, params)

        cursor.execute = run
        return cursor

    connection.cursor = capturing_cursor
    try:
        with transaction.atomic():
            with contextlib.suppress(Capture):
                ingestion_services.events_ingest(user=user, items=items)
            transaction.set_rollback(True)
    finally:
        connection.cursor = original
    del event_services
    return captured[-1][0] if captured else "(no statement captured)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=40, help="measured batches")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--db", default="prm_bench_profile")
    parser.add_argument("--cprofile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if "bench" not in args.db or not args.db.startswith("prm_"):
        sys.exit("--db must start with prm_ and contain bench (it is dropped and recreated)")

    admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    admin_execute(f'CREATE DATABASE "{args.db}"')
    os.environ.update(
        {
            "DATABASE_URL": server_url(args.db),
            "DJANGO_SETTINGS_MODULE": "prm.settings.production",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + secrets.token_hex(16)),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "PRM_API_RATE_INGEST": "1000000/min",
            "CONN_MAX_AGE": "600",
            "DEBUG": "false",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from accounts.models import User
    from bench.ingestion import make_items, seed

    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        token, accounts = seed(args.partners)
        user = User.objects.get(email="bench@vendor.example")
        app = get_wsgi_application()
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 -- as gunicorn.conf.py does
        total = args.warmup + args.batches
        items = make_items(total * args.batch, accounts, run="profile")
        bodies = [
            json.dumps({"events": items[i : i + args.batch]}).encode()
            for i in range(0, len(items), args.batch)
        ]

        def call(body: bytes) -> int:
            environ = {
                "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/events/", "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": f"Bearer {token}",
                "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body),
                "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
                "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            }  # fmt: skip
            status = []
            chunks = app(environ, lambda s, h, *a: status.append(s))
            payload = b"".join(chunks)
            if not status[0].startswith("200"):
                sys.exit(f"{status[0]}: {payload[:300]!r}")
            return json.loads(payload)["stored"]

        for body in bodies[: args.warmup]:
            call(body)
        gc.freeze()  # as gunicorn.conf.py does after a worker loads the app
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            _BACKEND.append(Path(f"/proc/{cur.fetchone()[0]}/schedstat"))
        instrument()
        per_batch_wall: dict[str, list[float]] = defaultdict(list)
        per_batch_cpu: dict[str, list[float]] = defaultdict(list)
        pg_total: dict[str, float] = defaultdict(float)
        profiler = cProfile.Profile() if args.cprofile else None
        for body in bodies[args.warmup :]:
            WALL.clear()
            CPU.clear()
            PG.clear()
            w0, c0, p0 = time.perf_counter(), time.process_time(), backend_cpu()
            if profiler:
                profiler.enable()
            stored = call(body)
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            pg = backend_cpu() - p0
            assert stored == args.batch, stored
            for phase, seconds in PG.items():
                pg_total[phase] += seconds
            pg_total["other (WSGI, middleware, DRF)"] += pg - sum(PG.values())
            pg_total["TOTAL"] += pg
            for phase in WALL:
                per_batch_wall[phase].append(WALL[phase])
                per_batch_cpu[phase].append(CPU[phase])
            per_batch_wall["other (WSGI, middleware, DRF)"].append(wall - sum(WALL.values()))
            per_batch_cpu["other (WSGI, middleware, DRF)"].append(cpu - sum(CPU.values()))
            per_batch_wall["TOTAL"].append(wall)
            per_batch_cpu["TOTAL"].append(cpu)

        print(
            f"{args.batches} batches of {args.batch} events after {args.warmup} warm-up, "
            f"{args.partners} partners; load average {Path('/proc/loadavg').read_text().strip()}"
        )
        print(f"{'phase':40} {'wall ms':>8} {'cpu ms':>8} {'pg ms':>8}   (median per batch; "
              "pg: the Postgres backend's CPU, mean per batch)")  # fmt: skip
        order = sorted(
            per_batch_wall, key=lambda p: (p == "TOTAL", -statistics.median(per_batch_wall[p]))
        )
        for phase in order:
            w = statistics.median(per_batch_wall[phase]) * 1000
            c = statistics.median(per_batch_cpu[phase]) * 1000
            p = pg_total[phase] / args.batches * 1000
            print(f"{phase:40} {w:8.2f} {c:8.2f} {p:8.2f}")
        print("wall - cpu of a phase is mostly waiting for Postgres (or Redis).")
        shaped = [
            {**i, "occurred_at": __import__("datetime").datetime.fromisoformat(i["occurred_at"])}
            for i in make_items(args.batch, accounts, run="explain")
        ]
        print("\nEXPLAIN ANALYZE of the recording statement (one batch, rolled back):")
        print(explain(user, shaped))
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.cprofile)
            print(out.getvalue())
    finally:
        connection.close()
        if not args.keep:
            admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
