# ruff: noqa: S608 -- SQL built from constants and model table names only
"""Benchmark of the metrics rollups on Postgres (issue 6). Prints figures; it is not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/rollups.py --events 1000000 --partners 10000

DATABASE_URL names the *server* (its database part is ignored). The script creates a scratch
database (``--db``, default ``prm_bench6``; the name must start with ``prm_`` and contain
``bench``), migrates it, loads partners, 20 users each and the events with COPY, then measures
in the same run:

(a) the raw SQL floor: one ``GROUP BY partner_id, day, kind`` over the events table;
(b) a full recompute of the four summary tables (``rollup_recompute()``) against their **write
    floor**: per table, the aggregation the rebuild runs for it (``rebuild_selects``), timed
    read-only and written by ``CREATE TABLE AS``, then summed (target: recompute <= 1.5x the
    summed write floor); then every adoption score (``scores_refresh()`` after the reset),
    timed apart (target: <= 0.5x the recompute);
(c) incremental rollups of ``--incremental`` new events (default 100k, 1% of them late), 3 times,
    each followed by the score refresh it queues (timed apart); the rollup folds
    ``PRM_ROLLUP_SHARDS`` partner shards at once (``--shards N`` to set it; 1 = one connection),
    so besides the wall time it prints the CPU of shard 0's backend and of the whole server;
(d) the peak memory (max RSS) of the worker process that ran (b) and (c).

(b) and (c) run in a fresh child process each, like a Celery worker, so (d) is that process's own
peak. The scratch database is dropped at the end unless ``--keep``. ``--seed-only`` loads it and
keeps it, ``--reuse`` measures a database so kept (a long run in two shorter ones);
``--json FILE`` also writes the figures as JSON (bench/growth.py); ``--cluster DIR``: on the
benchmark's own Postgres cluster (bench/pgserver.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import add_cluster_argument, admin_execute, setup_django, use_cluster  # noqa: E402

KINDS = [  # (kind, weight, properties builder)
    ("auth.login", 40, lambda r: {}),
    (
        "lesson.viewed",
        14,
        lambda r: {"course": r.randint(1, 50), "offerings": [f"o{r.randint(1, 8)}"]},
    ),
    (
        "resource.viewed",
        10,
        lambda r: {"resource": r.randint(1, 300), "marketing_asset": r.random() < 0.3},
    ),
    (
        "resource.downloaded",
        5,
        lambda r: {"resource": r.randint(1, 300), "marketing_asset": r.random() < 0.5},
    ),
    ("offering.used", 10, lambda r: {"offering": f"o{r.randint(1, 8)}"}),
    ("course.completed", 3, lambda r: {"course": r.randint(1, 50)}),
    ("quiz.passed", 3, lambda r: {"course": r.randint(1, 50), "score": r.randint(60, 100)}),
    (
        "deal.submitted",
        4,
        lambda r: {"deal": r.randint(1, 10**6), "offerings": [f"o{r.randint(1, 8)}"]},
    ),
    ("deal.approved", 2, lambda r: {"deal": r.randint(1, 10**6)}),
    ("deal.won", 1, lambda r: {"deal": r.randint(1, 10**6), "offerings": [f"o{r.randint(1, 8)}"]}),
    ("onboarding.step_completed", 3, lambda r: {"step": r.randint(1, 6), "position": 1}),
    ("partner.profile_updated", 2, lambda r: {}),
    ("certification.earned", 1, lambda r: {"certification": 1, "offerings": ["o1"]}),
    ("user.joined", 1, lambda r: {}),
    ("tier.changed", 1, lambda r: {}),
]


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_cpu_seconds() -> float:
    """CPU seconds used so far by this connection's Postgres backend process (the server runs on
    this machine): unlike wall time, it barely moves when other people load the shared box.
    NaN when the server is elsewhere."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds() -> float:
    """CPU seconds used so far by every process of this connection's Postgres server (its
    postmaster and the postmaster's children, not another cluster's on the same machine), exited
    backends included (the postmaster's reaped-children time): a sharded rollup runs one backend
    per shard, each on its own connection. It counts the server's other work too (checkpointer,
    WAL writer, other sessions), so it is an upper bound on a quiet box. NaN if not local."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK")
    try:
        postmaster = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1]
    except OSError:
        return float("nan")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        rest = text.rsplit(")", 1)[1].split()
        if stat.parent.name == postmaster:  # its own time and its reaped backends'
            total += sum(int(v) for v in rest[11:15]) / tick
        elif rest[1] == postmaster:
            total += (int(rest[11]) + int(rest[12])) / tick
    return total


# --- Child: one rollup in a fresh process, like a worker ----------------------------------------
def child(step: str, db: str) -> None:
    setup_django(db)
    from metrics import conf
    from metrics.rollups import rollup_incremental, rollup_recompute
    from metrics.scores import scores_refresh

    before = maxrss_mb()
    cpu_before, server_before = backend_cpu_seconds(), server_cpu_seconds()
    started = time.perf_counter()
    result = rollup_recompute() if step == "full" else rollup_incremental()
    seconds = time.perf_counter() - started
    cpu = backend_cpu_seconds() - cpu_before
    server_cpu = server_cpu_seconds() - server_before
    assert result.ran, result.reason
    started = time.perf_counter()
    scores = scores_refresh()
    score_seconds = time.perf_counter() - started
    assert scores.ran, scores.reason
    print(
        json.dumps(
            {
                "seconds": seconds,
                "backend_cpu": cpu,
                "server_cpu": server_cpu,
                "shards": conf.rollup_shards(),
                "score_seconds": score_seconds,
                "scores": scores.buckets,
                "score_steps": scores.steps,
                "rss_before_mb": before,
                "rss_peak_mb": maxrss_mb(),
                "steps": result.steps,
            }
        )
    )


def run_child(step: str, db: str) -> dict:
    out = subprocess.run(  # noqa: S603 -- this very script, with fixed arguments
        [sys.executable, __file__, "--child", step, "--db", db],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- Parent: seed and measure ---------------------------------------------------------------------
def _unset_columns(cur, table: str, columns: str) -> tuple[list[str], str]:
    """Columns of ``table`` added later with no database default (Django fills them) that the
    COPY below does not list: text gets '', booleans false. Returns their names and the COPY
    suffix (a tab and a value per column)."""
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' "
        "AND column_name <> ALL(%s) ORDER BY ordinal_position",
        [table, [c.strip() for c in columns.split(",")]],
    )
    rows = cur.fetchall()
    unknown = [n for n, t in rows if t not in {"text", "character varying", "boolean"}]
    if unknown:
        sys.exit(f"bench: {table} has required columns it cannot fill: {unknown}")
    fill = "".join("\tf" if t == "boolean" else "\t" for _, t in rows)
    return [n for n, _ in rows], fill


def seed_partners(n_partners: int, users_per_partner: int) -> dict[int, list[int]]:
    from django.db import connection

    from partners.models import PartnerType, Program

    program = Program.objects.create(name="Bench", slug="bench")
    ptype = PartnerType.objects.create(name="Reseller", slug="reseller")
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    columns = (
        "name, domain, program_id, partner_type_id, country, region, status, joined_at, "
        "activated_at, created_at, updated_at"
    )
    with connection.cursor() as cur:
        blanks, fill = _unset_columns(cur, "partners_partner", columns)
        buf = io.StringIO()
        for i in range(n_partners):
            buf.write(f"Partner {i}\tp{i}.example\t{program.pk}\t{ptype.pk}\tDE\temea\tactive\t")
            buf.write(f"{joined.isoformat()}\t{joined.isoformat()}\t{joined.isoformat()}\t")
            buf.write(f"{joined.isoformat()}{fill}\n")
        buf.seek(0)
        cur.cursor.copy_expert(
            f"COPY partners_partner ({', '.join([columns, *blanks])}) FROM STDIN", buf
        )
        cur.execute("SELECT id FROM partners_partner ORDER BY id")
        partner_ids = [row[0] for row in cur.fetchall()]
        user_columns = (
            "password, is_superuser, email, full_name, job_title, vendor_role, is_active, "
            "is_staff, date_joined"
        )
        extra, fill = _unset_columns(cur, "accounts_user", user_columns)
        buf = io.StringIO()
        for pid in partner_ids:
            for u in range(users_per_partner):
                buf.write(f"!\tf\tu{u}@p{pid}.example\t\t\t\tt\tf\t{joined.isoformat()}{fill}\n")
        buf.seek(0)
        cur.cursor.copy_expert(
            f"COPY accounts_user ({', '.join([user_columns, *extra])}) FROM STDIN", buf
        )
        cur.execute("SELECT id, email FROM accounts_user WHERE email LIKE 'u%%@p%%'")
        users: dict[int, list[int]] = {pid: [] for pid in partner_ids}
        for uid, email in cur.fetchall():
            users[int(email.split("@p")[1].split(".")[0])].append(uid)
        buf = io.StringIO()
        for pid, uids in users.items():
            for uid in uids:
                buf.write(f"{uid}\t{pid}\tuser\t{joined.isoformat()}\n")
        buf.seek(0)
        cur.cursor.copy_expert(
            "COPY partners_partnermembership (user_id, partner_id, role, created_at) FROM STDIN",
            buf,
        )
    return users


def copy_events(
    users: dict[int, list[int]],
    *,
    count: int,
    start: datetime,
    end: datetime,
    key_prefix: str,
    late_share: float = 0.0,
    seed: int = 1,
) -> float:
    """COPY ``count`` events spread in time order over [start, end); returns seconds."""
    from django.db import connection

    rng = random.Random(seed)  # noqa: S311 -- synthetic data, reproducible on purpose
    partner_ids = list(users)
    kinds = [k for k, _, _ in KINDS]
    weights = [w for _, w, _ in KINDS]
    builders = {k: b for k, _, b in KINDS}
    span = (end - start).total_seconds()
    recorded = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    chunk = 100_000
    with connection.cursor() as cur:
        for base in range(0, count, chunk):
            buf = io.StringIO()
            n = min(chunk, count - base)
            picked = rng.choices(kinds, weights, k=n)
            for j in range(n):
                i = base + j
                if late_share and rng.random() < late_share:
                    at = end - timedelta(days=rng.randint(2, 30), seconds=rng.randint(0, 86399))
                else:
                    at = start + timedelta(seconds=span * i / count)
                pid = partner_ids[int(len(partner_ids) * rng.random() ** 2)]
                uid = rng.choice(users[pid]) if rng.random() < 0.9 else "\\N"
                kind = picked[j]
                props = json.dumps(builders[kind](rng), separators=(",", ":"))
                buf.write(
                    f"{at.isoformat()}\t{at.date().isoformat()}\t{recorded}\t{pid}\t{uid}\t"
                    f"{kind}\t\t\t{props}\t{key_prefix}:{i}\n"
                )
            buf.seek(0)
            cur.cursor.copy_expert(
                "COPY metrics_event (occurred_at, day, recorded_at, partner_id, user_id, kind, "
                "subject_type, subject_id, properties, idempotency_key) FROM STDIN",
                buf,
            )
    return time.perf_counter() - started


def floor_seconds(runs: int = 3) -> tuple[float, int, float]:
    """The raw GROUP BY partner, day, kind over all events, result not sent to the client:
    median wall seconds, groups, median backend CPU seconds."""
    from django.db import connection, transaction

    times, groups, cpus = [], 0, []
    for _ in range(runs):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'")
            cpu = backend_cpu_seconds()
            started = time.perf_counter()
            cur.execute(
                "SELECT count(*) FROM (SELECT partner_id, day, kind, count(*) FROM metrics_event "
                "GROUP BY partner_id, day, kind) s"
            )
            groups = cur.fetchone()[0]
            times.append(time.perf_counter() - started)
            cpus.append(backend_cpu_seconds() - cpu)
    return statistics.median(times), groups, statistics.median(cpus)


class _Rollback(Exception):
    pass


TABLES = {  # rebuild_selects' names -> the summary tables and the rebuild step that writes them
    "kind": ("PartnerDayKind", "build_kind"),
    "offering": ("PartnerDayOffering", "build_offering"),
    "user": ("PartnerDayUser", "build_user_day"),
    "day": ("PartnerDay", "build_user_day"),
}


def table_floors(runs: int = 3) -> dict[str, tuple[float, float]]:
    """For (b): per summary table, the aggregation a full rebuild runs for it (the very SQL of
    ``metrics.rollup_sql.rebuild_selects``, so the two cannot drift), timed read-only (rows
    counted, not sent to the client) and written by ``CREATE TABLE AS`` (WAL-logged, as every
    summary table must be for crash safety and replicas; no key, no order, no index, default
    storage), rolled back: the table's **write floor**. Same session settings as the rebuild
    (``_tune_session``). ``{name: (read-only seconds, write-floor seconds)}``, medians of
    ``runs``, the two alternated."""
    from django.db import connection, transaction

    from metrics.rollup_sql import rebuild_selects
    from metrics.rollups import _tune_session

    selects = rebuild_selects("e.partner_id IS NOT NULL")
    reads: dict[str, list[float]] = {name: [] for name in selects}
    writes: dict[str, list[float]] = {name: [] for name in selects}
    for _ in range(runs):
        for name, (_model, _columns, select, _copies) in selects.items():
            for sql, times in (
                (f"SELECT count(*) FROM ({select}) s", reads[name]),
                (f"CREATE TABLE bench_write_floor AS {select}", writes[name]),
            ):
                with connection.cursor() as cur:
                    try:
                        with transaction.atomic():
                            _tune_session(cur)
                            started = time.perf_counter()
                            cur.execute(sql)
                            times.append(time.perf_counter() - started)
                            raise _Rollback
                    except _Rollback:
                        pass
    return {
        name: (statistics.median(reads[name]), statistics.median(writes[name])) for name in selects
    }


def print_table_floors(floors: dict[str, tuple[float, float]], full: dict) -> float:
    """The per-table lines of (b); returns the summed write floor. The recompute's own steps
    per table: its INSERT (users and days share one) and its keys, indexes and ANALYZE
    (``keys_<Model>``); on two connections at once, so they overlap in time."""
    steps = full["steps"]
    print(
        "    per table: read-only GROUP BY / written by CREATE TABLE AS (write floor) / "
        "the recompute's own steps (write + keys, indexes, ANALYZE)"
    )
    shown = set()
    for name, (read, write) in floors.items():
        table, step = TABLES[name]
        keys = steps.get(f"keys_{table}", 0) / 1000
        if step in shown:
            own = f"(in {step} above) + {keys:.2f} s"
        else:
            shared = [TABLES[n][0] for n in floors if TABLES[n][1] == step]
            share = f" for {' + '.join(shared)}" if len(shared) > 1 else ""
            own = f"{step} {steps.get(step, 0) / 1000:.2f} s{share} + {keys:.2f} s"
            shown.add(step)
        print(f"      {table:<19} {read:6.2f} s / {write:6.2f} s / {own}")
    read_sum = sum(r for r, _ in floors.values())
    write_sum = sum(w for _, w in floors.values())
    print(
        f"      {'summed':<19} {read_sum:6.2f} s / {write_sum:6.2f} s / the whole recompute "
        f"{full['seconds']:.2f} s (both connections, the switch and the commit included)"
    )
    return write_sum


def event_partitions(first_day) -> str:
    """On a partitioned event table, give every month of the data its partition first (as
    the migration does for the months that hold events when it runs)."""
    from django.db import connection

    from events.partitions import create_month, ensure_event_partitions, is_partitioned, month_start

    if not is_partitioned():
        return "one plain table"
    with connection.cursor() as cursor:
        create_month(cursor, month_start(first_day))
    months = ensure_event_partitions().created
    return f"partitioned by month (created {len(months) + 1} partitions for the data)"


def retention(first_day) -> str:
    """(e) Retention of the oldest month of raw events (partitioned table only)."""
    from django.db import connection

    from events.partitions import (
        add_months,
        drop_event_partitions_before,
        is_partitioned,
        month_start,
    )

    if not is_partitioned():
        return "(e) retention: the event table is not partitioned (DELETE only)"
    month = month_start(first_day)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM metrics_event WHERE day >= %s AND day < %s",
            [month, add_months(month, 1)],
        )
        rows = cursor.fetchone()[0]
    started = time.perf_counter()
    dropped = drop_event_partitions_before(add_months(month, 1)).dropped
    seconds = time.perf_counter() - started
    return (
        f"(e) retention: dropped {', '.join(dropped)} ({rows:,} events and their keys) "
        f"in {seconds:.2f} s"
    )


def _steps(steps: dict) -> str:
    return ", ".join(f"{k} {v / 1000:.2f}" for k, v in steps.items())


def load_average() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE metrics_event")


def kept_users(events: int) -> dict[int, list[int]]:
    """``--reuse``: the partners' users of a data set kept by ``--seed-only``, in the order
    ``seed_partners`` returns them (so the incremental batches are the same)."""
    from django.db import connection

    users: dict[int, list[int]] = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT partner_id, user_id FROM partners_partnermembership ORDER BY partner_id, user_id"
        )
        for pid, uid in cur.fetchall():
            users.setdefault(pid, []).append(uid)
        cur.execute("SELECT count(*) FROM metrics_event")
        kept = cur.fetchone()[0]
    print(f"reusing the kept data set: {len(users):,} partners, {kept:,} events")
    if kept != events:
        print(f"WARNING: {kept:,} events kept, not the --events {events:,} of the figures")
    return users


def write_json(args, figures: dict) -> None:
    """``--json FILE``: the run's figures (seconds unless named otherwise), for bench/growth.py."""
    from bench.pgserver import server_settings

    full = figures["full"]
    Path(args.json).write_text(
        json.dumps(
            {
                "events": args.events,
                "partners": args.partners,
                "incremental": args.incremental,
                "copy_rows_per_s": args.events / figures["load"],
                "floor": figures["floor"],
                "floor_cpu": figures["floor_cpu"],
                "groups": figures["groups"],
                "table_group_bys": sum(r for r, _ in figures["floors"].values()),
                "write_floor": figures["write_floor"],
                "full_recompute": full["seconds"],
                "full_recompute_cpu": full["backend_cpu"],
                "score_rebuild": full["score_seconds"],
                "score_rebuild_partner_days": full["scores"],
                "incremental_rollup": figures["incremental"],
                "incremental_rollup_cpu": statistics.median(figures["incr_cpu"]),
                "incremental_server_cpu": statistics.median(figures["incr_server"]),
                "score_refresh": figures["refresh"],
                "score_refresh_partner_days": figures["result"]["scores"],
                "rss_full_mb": figures["rss"][0],
                "rss_incremental_mb": max(figures["rss"][1:]),
                "load_average": os.getloadavg(),
                "settings": server_settings(),
            },
            indent=1,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--users-per-partner", type=int, default=20)
    parser.add_argument("--days", type=int, default=91)
    parser.add_argument("--incremental", type=int, default=100_000)
    parser.add_argument(
        "--shards",
        type=int,
        help="PRM_ROLLUP_SHARDS for the incremental runs (default: the setting's, 2 on Postgres)",
    )
    parser.add_argument("--db", default="prm_bench6")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    parser.add_argument("--child", choices=["full", "incremental"], help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument(
        "--seed-only", action="store_true", help="load the data set, keep it, measure nothing"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data set kept by --seed-only"
    )
    add_cluster_argument(parser)
    args = parser.parse_args()
    if not (args.db.startswith("prm_") and "bench" in args.db):
        sys.exit("--db must start with 'prm_' and contain 'bench': this script drops it.")
    if args.child:
        child(args.child, args.db)
        return
    args.keep = args.keep or args.seed_only
    if args.shards:
        os.environ["PRM_ROLLUP_SHARDS"] = str(args.shards)  # read by the children

    print(f"# metrics rollup benchmark: {args.events:,} events, {args.partners:,} partners")
    use_cluster(args.cluster)
    if not args.reuse:
        admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')
        admin_execute(f'CREATE DATABASE "{args.db}"')
    try:
        setup_django(args.db)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        with connection.cursor() as cur:
            cur.execute("SELECT version()")
            print(f"server: {cur.fetchone()[0].split(',')[0]}; load average {load_average()}")
        if args.reuse:
            users, load = kept_users(args.events), float("nan")
        else:
            started = time.perf_counter()
            users = seed_partners(args.partners, args.users_per_partner)
            print(f"seeded partners and users in {time.perf_counter() - started:.1f} s")
        now = datetime.now(UTC)
        today = datetime(now.year, now.month, now.day, tzinfo=UTC)
        base_start = today - timedelta(days=args.days)
        if not args.reuse:
            print(f"event table: {event_partitions(base_start.date())}")
            load = copy_events(
                users, count=args.events, start=base_start, end=today, key_prefix="base"
            )
            print(f"COPY {args.events:,} events: {load:.1f} s ({args.events / load:,.0f} rows/s)")
            vacuum_analyze()
        if args.seed_only:
            print(f"data set kept in {args.db}: measure it with --reuse")
            return

        floor, groups, floor_cpu = floor_seconds()
        print(
            f"(a) raw GROUP BY partner, day, kind: {floor:.2f} s ({groups:,} groups, median of 3; "
            f"backend CPU {floor_cpu:.2f} s)"
        )
        floors = table_floors()
        full = run_child("full", args.db)
        steps = ", ".join(f"{k} {v / 1000:.2f}" for k, v in full["steps"].items())
        print(
            f"(b) full recompute of the four summary tables: {full['seconds']:.2f} s "
            f"(Postgres CPU: its backend {full['backend_cpu']:.2f} s, whole server "
            f"{full['server_cpu']:.2f} s)  [{steps}]"
        )
        write_floor = print_table_floors(floors, full)
        recompute = full["seconds"] / write_floor
        print(
            f"    full recompute / summed write floor: {recompute:.2f}x (target <= 1.5x): "
            f"{'met' if recompute <= 1.5 else 'NOT met'}"
        )
        rebuild = full["score_seconds"] / full["seconds"]
        print(
            f"    then every adoption score ({full['scores']:,} partner-days): "
            f"{full['score_seconds']:.2f} s = {rebuild:.2f}x the full recompute "
            f"(target <= 0.5x): {'met' if rebuild <= 0.5 else 'NOT met'}  "
            f"[{_steps(full['score_steps'])}]"
        )
        kind_only = full["steps"].get("build_kind", 0) / 1000

        incr, incr_cpu, incr_server, rss = [], [], [], [full["rss_peak_mb"]]
        score_refresh = []
        for n in range(3):
            copy_events(
                users,
                count=args.incremental,
                start=now - timedelta(minutes=10 - n),
                end=now - timedelta(minutes=9 - n),
                key_prefix=f"incr{n}",
                late_share=0.01,
                seed=100 + n,
            )
            result = run_child("incremental", args.db)
            incr.append(result["seconds"])
            incr_cpu.append(result["backend_cpu"])
            incr_server.append(result["server_cpu"])
            steps = ", ".join(f"{k} {v / 1000:.2f}" for k, v in result["steps"].items())
            print(
                f"    incremental run {n + 1}: {result['seconds']:.3f} s  [{steps}]; "
                f"then {result['scores']:,} scores in {result['score_seconds']:.3f} s "
                f"[{_steps(result['score_steps'])}]"
            )
            score_refresh.append(result["score_seconds"])
            rss.append(result["rss_peak_mb"])
        incremental = statistics.median(incr)
        print(
            f"(c) incremental rollup of {args.incremental:,} new events (1% late), "
            f"{result['shards']} partner shard(s) at once: "
            f"{incremental:.3f} s median of {', '.join(f'{t:.3f}' for t in incr)}; "
            f"Postgres CPU (medians): shard 0's backend {statistics.median(incr_cpu):.3f} s, "
            f"whole server {statistics.median(incr_server):.3f} s"
        )
        print(
            f"(d) worker peak RSS: full recompute {rss[0]:.0f} MB, incremental "
            f"{max(rss[1:]):.0f} MB (process baseline {full['rss_before_mb']:.0f} MB)"
        )
        print(retention(base_start.date()))
        print(f"load average at the end: {load_average()} (2 vCPUs; shared box)")
        print("ratios:")
        print(
            f"  the floor's own GROUP BY written into PartnerDayKind / floor: "
            f"{kind_only / floor:.2f}x"
        )
        print(
            f"  full recompute of all four tables / their summed write floor: {recompute:.2f}x "
            f"(target <= 1.5x): {'met' if recompute <= 1.5 else 'NOT met'}; "
            f"/ the raw floor {full['seconds'] / floor:.2f}x, in backend CPU "
            f"{full['backend_cpu'] / floor_cpu:.2f}x; / their read-only GROUP BYs "
            f"{full['seconds'] / sum(r for r, _ in floors.values()):.2f}x"
        )
        print(
            f"  incremental {args.incremental:,}: {incremental:.3f} s (target < 0.5 s): "
            f"{'met' if incremental < 0.5 else 'NOT met'}"
        )
        print(
            f"  full rebuild of every adoption score: {full['score_seconds']:.2f} s = "
            f"{rebuild:.2f}x the full recompute (target <= 0.5x): "
            f"{'met' if rebuild <= 0.5 else 'NOT met'}"
        )
        refresh = statistics.median(score_refresh)
        print(
            f"  score refresh after that rollup: {refresh:.3f} s median of "
            f"{', '.join(f'{t:.3f}' for t in score_refresh)} (target < 0.5 s): "
            f"{'met' if refresh < 0.5 else 'NOT met'}; load average {load_average()}"
        )
        if args.json:
            write_json(args, locals())
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
