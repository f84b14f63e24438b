# ruff: noqa: S603 -- fixed local commands (initdb, pg_basebackup, pg_ctl)
"""The program dashboard served with its reads on a real streaming replica (docs/scaling.md,
"A read replica for dashboards"). Prints figures; it is not a test.

    uv run python bench/replica.py [--partners 50 --events 50000]

Never touches the shared server: it starts its OWN primary cluster (``initdb`` into ``--pgdata``,
port 5440, as bench/drills/pg_restart.py does), migrates and seeds a database there
(``seed_demo``, then ``rollup_metrics``), makes a streaming replica of it with ``pg_basebackup -R``
(``--replica-data``, port 5441, hot standby, read-only), and serves ``/manage/dashboard/`` in
this process through Django's test client with ``DATABASE_REPLICA_URL`` set. For each request it
counts the SQL statements per database alias, then the same page with replica reads off. It then
measures the staleness the replica adds (a rollup committed on the primary until the replica
shows it) and checks that the replica refuses writes, so a page that answered 200 wrote nothing
there. Both clusters are stopped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drills.pg_restart import BIN, as_postgres, init_cluster, pg_ctl  # noqa: E402


def make_replica(primary_port: int, replica_dir: Path, port: int) -> None:
    if (replica_dir / "postmaster.pid").exists():
        pg_ctl(replica_dir, "stop", "-m", "immediate", check=False)
    shutil.rmtree(replica_dir, ignore_errors=True)
    replica_dir.mkdir(parents=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(replica_dir, user.pw_uid, user.pw_gid)
    replica_dir.chmod(0o700)  # the server refuses a data directory others can read
    as_postgres(
        str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
        "-D", str(replica_dir), "-R", "-X", "stream", "-c", "fast",
    )  # fmt: skip
    with (replica_dir / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {port}\nunix_socket_directories = '{replica_dir}'\nhot_standby = on\n")
    pg_ctl(replica_dir, "start", "-l", str(replica_dir / "server.log"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pgdata", default="/work/pgdrill")
    parser.add_argument("--replica-data", default="/work/pgdrill-replica")
    parser.add_argument("--port", type=int, default=5440)
    parser.add_argument("--replica-port", type=int, default=5441)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave both clusters running")
    args = parser.parse_args()
    pgdata, replica_dir = Path(args.pgdata), Path(args.replica_data)
    db = "prm_replica"
    init_cluster(pgdata, args.port)
    as_postgres(
        str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", db
    )
    primary_url = f"postgres://postgres@127.0.0.1:{args.port}/{db}"
    replica_url = f"postgres://postgres@127.0.0.1:{args.replica_port}/{db}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DATABASE_URL=primary_url,
        DJANGO_SETTINGS_MODULE="prm.settings.dev",
        PRM_DASHBOARD_CACHE_SECONDS="0",  # build the page every time: the reads are the point
        PYTHONPATH=str(ROOT),
    )
    manage = [sys.executable, "manage.py"]
    t0 = time.monotonic()
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    seed = ["seed_demo", "--partners", str(args.partners), "--events", str(args.events)]
    subprocess.run([*manage, *seed], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "rollup_metrics"], cwd=ROOT, env=env, check=True)
    print(
        f"primary on {args.port}: migrated, seeded and rolled up in {time.monotonic() - t0:.0f} s"
    )
    t0 = time.monotonic()
    make_replica(args.port, replica_dir, args.replica_port)
    print(
        f"replica on {args.replica_port}: pg_basebackup -R + start in {time.monotonic() - t0:.1f} s"
    )
    try:
        return measure(args, env, primary_url, replica_url)
    finally:
        if not args.keep:
            pg_ctl(replica_dir, "stop", "-m", "fast", check=False)
            pg_ctl(pgdata, "stop", "-m", "fast", check=False)


def measure(args, env, primary_url, replica_url) -> int:
    os.environ.update(env)
    os.environ["DATABASE_REPLICA_URL"] = replica_url
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.choices import VendorRole
    from accounts.models import User
    from events.services import record_event
    from metrics.models import RollupState
    from metrics.rollups import ROLLUP_NAME
    from metrics.tasks import rollup_metrics

    with connections["replica"].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone()[0] is True, "the replica is not a standby"
    admin = User.objects.filter(vendor_role=VendorRole.ADMIN, is_active=True).first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)

    def serve(label: str) -> tuple[list[int], list[int], list[float], int]:
        on_primary, on_replica, seconds = [], [], []
        status = 0
        for _ in range(args.requests):
            with (
                CaptureQueriesContext(connections["default"]) as primary,
                CaptureQueriesContext(connections["replica"]) as replica,
            ):
                t = time.perf_counter()
                response = client.get("/manage/dashboard/")
                seconds.append(time.perf_counter() - t)
            status = max(status, response.status_code)
            on_primary.append(len(primary.captured_queries))
            on_replica.append(len(replica.captured_queries))
        print(
            f"{label}: {args.requests} x GET /manage/dashboard/ -> {status}; queries per request "
            f"on primary {statistics.median(on_primary):.0f}, on replica "
            f"{statistics.median(on_replica):.0f}; median {statistics.median(seconds) * 1000:.0f} ms"
        )
        return on_primary, on_replica, seconds, status

    client.get("/manage/dashboard/")  # warm-up (templates, connections)
    routed = serve("replica reads on ")
    settings.PRM_REPLICA_READS = False
    plain = serve("replica reads off")
    settings.PRM_REPLICA_READS = True
    page = client.get("/manage/dashboard/").content.decode()
    shown = page.split("data-metrics-freshness>", 1)[1].split("</small>", 1)[0].strip()[-60:]
    print(f"freshness line on the page (read from the replica): …{shown}")

    # Staleness: a rollup committed on the primary, until the replica shows its last success.
    users = list(User.objects.filter(membership__isnull=False)[:5])
    for i, user in enumerate(users):
        record_event(
            kind="auth.login",
            key=f"replica-bench:{time.time_ns()}:{i}",
            user=user,
            properties={"method": "session"},
        )
    rollup_metrics()
    committed = RollupState.objects.using("default").get(name=ROLLUP_NAME).last_success_at
    t = time.perf_counter()
    while time.perf_counter() - t < 30:
        seen = RollupState.objects.using("replica").get(name=ROLLUP_NAME).last_success_at
        if seen == committed:
            break
        time.sleep(0.005)
    visible_after = time.perf_counter() - t
    with connections["default"].cursor() as cur:
        cur.execute("SELECT application_name, state, replay_lag FROM pg_stat_replication")
        replication = cur.fetchall()
    print(
        f"a rollup committed on the primary was visible on the replica after "
        f"{visible_after * 1000:.0f} ms (polled every 5 ms); pg_stat_replication: {replication}"
    )
    try:
        with connections["replica"].cursor() as cur:
            cur.execute("UPDATE metrics_rollupstate SET last_success_at = last_success_at")
        refused = "NOT refused"
    except Exception as exc:  # the standby refuses any write
        refused = f"refused ({str(exc).splitlines()[0]})"
    print(f"a write on the replica connection: {refused}; now {timezone.now():%H:%M:%S}")
    ok = (
        routed[3] == 200
        and plain[3] == 200
        and min(routed[1]) > 0
        and max(plain[1]) == 0
        and refused.startswith("refused")
    )
    print("REPLICA ROUTING:", "PASS" if ok else "FAIL (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
