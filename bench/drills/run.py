# ruff: noqa: S603, S607, S608 -- fixed local commands; SQL from constant table names only
"""Fault drills against real services (issue 10 item 4). Prints figures; not part of `make test`.

    make drills            # = python bench/drills/run.py

Uses its OWN Postgres database (``--db``, default ``prm_drills``, dropped and recreated; the clean
copy ``<db>_clean`` likewise) on the server of ``PG_SERVER`` (default 127.0.0.1:5432) and its OWN
redis-server on ``--redis-port`` (default 6390, started here if not running). It never stops any
other service.

Rollup kill drill: migrate, ``seed_demo`` (``--partners``, ``--events``), copy the database to
``<db>_clean`` and run ``rollup_metrics --full`` there (the clean recompute). Then start a real
``celery -A prm worker -c 1`` (the Celery settings of ``prm/settings/base.py``: Redis broker,
acks_late, reject_on_worker_lost, prefetch 1), enqueue ``metrics.tasks.rollup_metrics``, wait
until the worker's backend is running the rollup SQL (``pg_stat_activity``), ``kill -9`` the pool
child that runs it (``--kill child``) or the whole worker's process group, then start a new
worker (``--kill worker``; this needs a short visibility timeout, so the worker gets
``bench/drills/settings.py``: 15 s, restore sweep 2 s). Wait until every rollup shard's watermark
reaches the last event, then compare the four summary tables row by row with the clean copy.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent.parent
PY = sys.executable
TABLES = [
    "metrics_partnerday",
    "metrics_partnerdaykind",
    "metrics_partnerdayuser",
    "metrics_partnerdayoffering",
]


def pg(db: str):
    conn = psycopg2.connect(host=os.environ.get("PG_HOST", "127.0.0.1"), user="postgres", dbname=db)
    conn.autocommit = True
    return conn


def scalar(db: str, sql: str, params: tuple = ()):
    with contextlib.closing(pg(db)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def env_for(db: str, redis_port: int, settings: str = "prm.settings.dev") -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@{os.environ.get('PG_HOST', '127.0.0.1')}:5432/{db}",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        DJANGO_SETTINGS_MODULE=settings,
        PYTHONPATH=str(ROOT),
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def recreate(db: str, template: str | None = None) -> None:
    conn = pg("postgres")
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{template}"' if template else ""))
    conn.close()


def ensure_redis(port: int) -> None:
    ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
    if ping.stdout.strip() != "PONG":
        subprocess.run(
            [
                *("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port)),
                *("--save", "", "--appendonly", "no"),
            ],
            check=True,
        )
        time.sleep(0.5)


def snapshot(db: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and an md5 over every row (all columns but the surrogate id), sorted."""
    out = {}
    with contextlib.closing(pg(db)) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND column_name <> 'id' ORDER BY column_name",
                (table,),
            )
            cols = ", ".join(f'"{c}"' for (c,) in cur.fetchall())
            cur.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                f"FROM (SELECT {cols} FROM {table}) t"
            )
            out[table] = cur.fetchone()
    return out


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    celery = str(Path(PY).with_name("celery"))
    name = f"drills{time.time_ns()}@localhost"
    return subprocess.Popen(
        [
            *(celery, "-A", "prm", "worker", "-c", "1", "-P", "prefork", "-l", "info", "-n", name),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def rollup_backend_busy(db: str) -> bool:
    """Whether another backend of ``db`` is inside a transaction on the metrics tables: running
    one of the rollup's statements, or between two of them (the rollup is one transaction, whose
    statements after the first read its temp table, not metrics_event)."""
    return bool(
        scalar(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND state IN ('active', 'idle in transaction') "
            "AND pid <> pg_backend_pid() AND query ILIKE %s",
            (db, "%metrics%"),
        )
    )


def rollup_kill_drill(args) -> int:
    db, clean = args.db, f"{args.db}_clean"
    env = env_for(db, args.redis_port)
    ensure_redis(args.redis_port)
    subprocess.run(
        ["redis-cli", "-p", str(args.redis_port), "flushall"], check=True, stdout=subprocess.DEVNULL
    )
    t0 = time.monotonic()
    if not args.reuse:
        recreate(db)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--partners", str(args.partners), "--events", str(args.events))
    events = scalar(db, "SELECT count(*) FROM metrics_event")
    max_id = scalar(db, "SELECT max(id) FROM metrics_event")
    with (
        contextlib.closing(pg(db)) as conn,
        conn.cursor() as cur,
    ):  # the drill starts from nothing rolled up
        cur.execute("TRUNCATE " + ", ".join(TABLES) + ", metrics_rollupstate, metrics_scoredirty")
    print(f"seeded: {events} events (max id {max_id}) in {time.monotonic() - t0:.0f} s")
    recreate(clean, template=db)
    t1 = time.monotonic()
    manage(env_for(clean, args.redis_port), "rollup_metrics", "--full")
    print(f"clean recompute (rollup_metrics --full on {clean}): {time.monotonic() - t1:.1f} s")
    expected = snapshot(clean)

    log = Path(args.log)
    log.write_bytes(b"")
    wenv = env_for(
        db,
        args.redis_port,
        "bench.drills.settings" if args.kill == "worker" else "prm.settings.dev",
    )
    worker = start_worker(wenv, log)
    time.sleep(args.warmup)
    # watched from the moment the enqueuing process starts: the rollup of the drill's events
    # takes about 1.5 s, less than that process takes to exit
    enqueuer = subprocess.Popen(
        [
            PY,
            "-c",
            "import django; django.setup(); from metrics.tasks import rollup_metrics; rollup_metrics.delay()",
        ],
        cwd=ROOT,
        env=wenv,
    )
    t_enqueue = time.monotonic()
    deadline = t_enqueue + 120
    while not rollup_backend_busy(db):
        if time.monotonic() > deadline or enqueuer.poll() not in (None, 0):
            print("FAIL: the rollup never started (see", log, ")")
            os.killpg(worker.pid, signal.SIGKILL)
            return 1
        time.sleep(0.01)
    time.sleep(args.kill_after)
    busy = rollup_backend_busy(db)
    t_kill = time.monotonic()
    if args.kill == "child":
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(worker.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
        print(
            f"kill -9 pool child {children} {t_kill - t_enqueue:.1f} s after enqueue "
            f"(rollup SQL active at that instant: {busy})"
        )
    else:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        print(
            f"kill -9 whole worker process group {worker.pid} {t_kill - t_enqueue:.1f} s after "
            f"enqueue (rollup SQL active at that instant: {busy})"
        )
        worker = start_worker(wenv, log)
        print("worker restarted")
    enqueuer.wait(timeout=60)
    # The rollup folds partner shards, each with its own watermark (state rows daily, daily.1,
    # ...): the rollup is done when the lowest has reached the last event.
    shards = (
        "SELECT coalesce(min(watermark), 0) FROM metrics_rollupstate "
        "WHERE name = 'daily' OR name LIKE 'daily.%%'"
    )
    watermark_before = scalar(db, shards)
    deadline = t_kill + args.timeout
    while True:
        wm = scalar(db, shards)
        if wm >= max_id and not rollup_backend_busy(db):
            break
        if time.monotonic() > deadline:
            print(
                f"FAIL: not recovered within {args.timeout} s (watermark {wm} of {max_id}; see {log})"
            )
            os.killpg(worker.pid, signal.SIGKILL)
            return 1
        time.sleep(0.2)
    recovered = time.monotonic() - t_kill
    time.sleep(1)
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=30)
    got = snapshot(db)
    text = log.read_text(errors="replace")
    deliveries, successes = text.count("] received"), text.count("] succeeded")
    print(
        f"lowest shard watermark at the kill: {watermark_before} "
        "(0 = a shard of the killed run had not committed)"
    )
    print(f"recovered (watermark at the last event) {recovered:.1f} s after the kill; log: {log}")
    ok = True
    for table in TABLES:
        same = got[table] == expected[table]
        ok &= same
        print(
            f"  {table:28} drill rows {got[table][0]:>8}  clean rows {expected[table][0]:>8}  "
            + ("IDENTICAL" if same else "DIFFERENT")
        )
    total = scalar(db, "SELECT coalesce(sum(events), 0) FROM metrics_partnerday")
    print(f"events in PartnerDay totals: {total} of {events} stored")
    print(f"task deliveries {deliveries}, successes {successes} (worker log)")
    mid_rollup = watermark_before == 0
    if not mid_rollup:
        print("the kill came after the rollup had committed: it proves nothing about recovery")
    passed = ok and total == events and mid_rollup
    print("ROLLUP KILL DRILL:", "PASS" if passed else "FAIL")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="prm_drills")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the seeded database of a last run."
    )
    parser.add_argument("--kill", choices=["child", "worker"], default="child")
    parser.add_argument(
        "--kill-after", type=float, default=0.2, help="Seconds into the rollup SQL."
    )
    parser.add_argument(
        "--warmup", type=float, default=4.0, help="Seconds for the worker to start."
    )
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--log", default=str(Path(tempfile.gettempdir()) / "prm_drills_worker.log"))
    args = parser.parse_args()
    if not args.db.startswith("prm_drills"):
        parser.error("--db must start with prm_drills (it is dropped and recreated)")
    return rollup_kill_drill(args)


if __name__ == "__main__":
    sys.exit(main())
