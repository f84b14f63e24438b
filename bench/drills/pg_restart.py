# ruff: noqa: S603, S607 -- fixed local commands (pg_ctl, initdb, gunicorn)
"""Postgres restart during ingestion drill (RELIABILITY.md I1). Prints figures; not in `make test`.

    make drills      # its last step; or: uv run python bench/drills/pg_restart.py

Starts its OWN Postgres cluster (``initdb`` into ``--pgdata``, default /work/pgdrill, port 5440,
run as the ``postgres`` system user; never the shared 5432 server), migrates a database there,
seeds a partner and a vendor admin's write token, and serves the app with gunicorn (development
settings, the drill's own Redis on 6395 for the cache and broker). ``--clients`` threads POST
batches of events with unique client ids to ``/api/v1/events/``; a client that gets a 503 waits
``Retry-After`` and sends the same batch again; a connection error or a timeout is retried
likewise and counted. Meanwhile the drill restarts the cluster three ways: ``pg_ctl restart -m
fast``, ``pg_ctl stop -m immediate`` + start, and ``kill -9`` of the postmaster + start. At the
end it counts the stored events and EventKeys against the set of ids sent: none missing, none
twice, and reports every status answered (a 500 or a hang fails the drill).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
BIN = (
    sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    if Path("/usr/lib/postgresql").exists()
    else None
)


def as_postgres(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    run_as = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
    return subprocess.run([*run_as, *cmd], check=check, capture_output=True, text=True)


def pg_ctl(pgdata: Path, *args: str, check: bool = True) -> None:
    as_postgres(str(BIN / "pg_ctl"), "-D", str(pgdata), "-w", "-t", "60", *args, check=check)


def init_cluster(pgdata: Path, port: int) -> None:
    if (pgdata / "postmaster.pid").exists():
        pg_ctl(pgdata, "stop", "-m", "immediate", check=False)
    shutil.rmtree(pgdata, ignore_errors=True)
    pgdata.mkdir(parents=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(pgdata, user.pw_uid, user.pw_gid)
    as_postgres(
        str(BIN / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8"
    )
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{pgdata}'\n"
            "fsync = on\nmax_connections = 50\nwal_level = replica\nmax_wal_senders = 4\n"
        )
    with (pgdata / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    pg_ctl(pgdata, "start", "-l", str(pgdata / "server.log"))


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().splitlines()[0])


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "prm.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    log = (Path(tempfile.gettempdir()) / f"pgdrill-gunicorn-{port}.log").open("ab")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("gunicorn did not start")


class Clients:
    """Threads that POST every batch until it is answered 200, retrying 503s and errors."""

    def __init__(self, port, token, partner_id, batch_size, run):
        self.port, self.token, self.partner_id = port, token, partner_id
        self.next_batch = 0
        self.stop = threading.Event()  # set by the drill once the faults are over
        self.failures: list[tuple[float, object]] = []  # (time, answer) of every non-200
        self.batch_size, self.run = batch_size, run
        self.sent: set[str] = set()
        self.statuses: collections.Counter = collections.Counter()
        self.retry_after: collections.Counter = collections.Counter()
        self.hangs = 0
        self.lock = threading.Lock()
        self.unexpected: list = []

    def body(self, n: int) -> tuple[bytes, list[str]]:
        ids = [f"{self.run}-{n}-{i}" for i in range(self.batch_size)]
        events = [
            {"id": i, "kind": "product.active_users", "partner": self.partner_id,
             "properties": {"active_users": 3, "seats": 10}}
            for i in ids
        ]  # fmt: skip
        return json.dumps({"events": events}).encode(), ids

    def worker(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while True:
            with self.lock:
                if self.stop.is_set():
                    return
                n, self.next_batch = self.next_batch, self.next_batch + 1
            body, ids = self.body(n)
            with self.lock:
                self.sent.update(ids)
            for _attempt in range(200):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    conn.request("POST", "/api/v1/events/", body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    conn.close()
                except TimeoutError:
                    with self.lock:
                        self.hangs += 1
                        self.failures.append((time.monotonic(), "timeout"))
                    continue
                except OSError as exc:
                    with self.lock:
                        self.statuses[f"connection error {type(exc).__name__}"] += 1
                        self.failures.append((time.monotonic(), type(exc).__name__))
                    time.sleep(0.5)
                    continue
                with self.lock:
                    self.statuses[response.status] += 1
                if response.status == 200:
                    break
                with self.lock:
                    self.failures.append((time.monotonic(), response.status))
                if response.status == 503:
                    wait = int(response.headers.get("Retry-After", "0"))
                    with self.lock:
                        self.retry_after[wait] += 1
                    time.sleep(wait)
                    continue
                with self.lock:
                    self.unexpected.append((response.status, data[:300]))
                time.sleep(0.5)
            time.sleep(0.02)  # steady load, not a flood


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pgdata", default="/work/pgdrill")
    parser.add_argument("--pg-port", type=int, default=5440)
    parser.add_argument("--redis-port", type=int, default=6395)
    parser.add_argument("--http-port", type=int, default=8740)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between faults")
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()
    if BIN is None:
        sys.exit("PostgreSQL server binaries not found under /usr/lib/postgresql")

    pgdata = Path(args.pgdata)
    init_cluster(pgdata, args.pg_port)
    db = "prm_pgdrill"
    as_postgres(
        str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", db
    )
    ping = ["redis-cli", "-p", str(args.redis_port), "ping"]
    if subprocess.run(ping, capture_output=True, text=True).stdout.strip() != "PONG":
        subprocess.run(
            [*("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1"),
             *("--port", str(args.redis_port), "--save", "", "--appendonly", "no")],
            check=True,
        )  # fmt: skip
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{args.pg_port}/{db}",
        REDIS_URL=f"redis://127.0.0.1:{args.redis_port}/1",
        DJANGO_SETTINGS_MODULE="prm.settings.dev",
        PRM_API_RATE_INGEST="1000000/min",
        PRM_API_RATE_READ="1000000/min",
        PYTHONPATH=str(ROOT),
    )
    env.pop("CELERY_BROKER_URL", None)
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")})
    import django

    django.setup()
    from django.db import connections

    from accounts import services as account_services
    from accounts.tests.factories import VendorAdminFactory
    from partners.tests.factories import PartnerFactory

    partner = PartnerFactory(name="Drill partner")
    admin = VendorAdminFactory(email="pgdrill@vendor.example")
    token = account_services.api_token_create(user=admin, name="pgdrill", scope="write").raw
    connections.close_all()

    server = start_gunicorn(env, args.http_port, args.workers)
    clients = Clients(args.http_port, token, partner.pk, args.batch, uuid.uuid4().hex[:8])
    threads = [threading.Thread(target=clients.worker) for _ in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    faults = []
    try:
        for label, fault in (
            ("pg_ctl restart -m fast", lambda: restart_fast(pgdata)),
            ("pg_ctl stop -m immediate, start", lambda: stop_immediate(pgdata)),
            ("kill -9 postmaster, start", lambda: kill_postmaster(pgdata)),
        ):
            time.sleep(args.interval)
            t0 = time.monotonic()
            fault()
            faults.append((label, t0, time.monotonic() - t0))
        time.sleep(args.interval)  # load goes on after the last fault
        clients.stop.set()
        for t in threads:
            t.join(timeout=600)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from events.models import Event, EventKey

    connections.close_all()
    sent = clients.sent
    keys = list(EventKey.objects.filter(key__contains=clients.run).values_list("key", flat=True))
    client_ids = [k.rsplit(":", 1)[-1] for k in keys]
    events = Event.objects.filter(idempotency_key__in=keys).count()
    stored_events = Event.objects.filter(kind="product.active_users", partner=partner).count()
    missing = sent - set(client_ids)
    doubled = len(client_ids) - len(set(client_ids))
    print(f"ingestion: {args.clients} clients, {clients.next_batch} batches of {args.batch} events "
          f"({len(sent)} ids) through gunicorn ({args.workers} workers) in {elapsed:.1f} s")  # fmt: skip
    for k, (label, t0, seconds) in enumerate(faults):
        end = faults[k + 1][1] if k + 1 < len(faults) else float("inf")
        mine = [(t, a) for t, a in clients.failures if t0 - 0.5 <= t < end]
        answers = collections.Counter(a for _, a in mine)
        window = f"{mine[-1][0] - t0:.1f} s" if mine else "-"
        print(
            f"fault: {label}: pg_ctl back after {seconds:.1f} s; clients saw {dict(answers)}; "
            f"last failed answer {window} after the fault began"
        )
    print(
        f"answers: {dict(clients.statuses)}; Retry-After values seen: {dict(clients.retry_after)}"
    )
    print(
        f"client timeouts (hangs > 30 s): {clients.hangs}; "
        f"other answers: {[(code, body[:120]) for code, body in clients.unexpected[:3]]}"
    )
    extra = max(stored_events - len(sent), 0)
    print(
        f"stored: {stored_events} events, {len(keys)} keys ({events} events by key) for "
        f"{len(sent)} ids sent; missing {len(missing)}, duplicated {doubled + extra}"
    )
    ok = (
        not missing
        and doubled == 0
        and stored_events == len(sent) == len(keys) == events
        and clients.hangs == 0
        and not clients.unexpected
        and all(isinstance(s, int) and s in (200, 503) for s in clients.statuses)
        and clients.statuses.get(503, 0) > 0
    )
    print("POSTGRES RESTART DRILL:", "PASS" if ok else "FAIL (see above)")
    if not args.keep:
        pg_ctl(pgdata, "stop", "-m", "fast", check=False)
    return 0 if ok else 1


def restart_fast(pgdata: Path) -> None:
    pg_ctl(pgdata, "restart", "-m", "fast", "-l", str(pgdata / "server.log"))


def stop_immediate(pgdata: Path) -> None:
    pg_ctl(pgdata, "stop", "-m", "immediate")
    time.sleep(2)  # clients meet a server that is down, not only one that restarts
    pg_ctl(pgdata, "start", "-l", str(pgdata / "server.log"))


def kill_postmaster(pgdata: Path) -> None:
    """kill -9 of the postmaster; its children exit on their own (wait for them), then start:
    crash recovery replays the WAL."""
    pid = postmaster_pid(pgdata)
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    os.kill(pid, signal.SIGKILL)
    time.sleep(2)
    for child in [int(c) for c in children.split()]:
        for _ in range(300):
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
    pg_ctl(pgdata, "start", "-l", str(pgdata / "server.log"))


if __name__ == "__main__":
    sys.exit(main())
