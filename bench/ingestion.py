"""Benchmark of event ingestion (issue 8): batch throughput of ``POST /api/v1/events/`` over
loopback against the raw floor of ``COPY`` of the same rows, measured in the same run. Prints
figures; it is not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/ingestion.py --events 100000 --clients 4

DATABASE_URL names the *server* (its database part is ignored). The script creates a scratch
database (``--db``, default ``prm_bench8``; the name must start with ``prm_bench``), migrates it,
seeds ``--partners`` partners with one customer account each and a vendor admin's write token,
then:

(a) starts gunicorn (``--workers`` sync workers, production settings without the HTTPS redirect,
    the project's ``gunicorn.conf.py``; the cache is Redis when ``REDIS_URL`` is set, else the
    database) on 127.0.0.1 and has ``--clients`` concurrent client threads POST the events in batches of
    ``--batch`` (keep-alive connections, bodies encoded before the clock starts); each event names
    a partner, a customer account and a customer user (product usage, the heaviest item shape);
(b) empties the events table and loads the same rows (same columns, keys and JSON) with
    ``COPY … FROM STDIN`` from one connection: the floor;
(c) prints events/s of both and their ratio, with issue 24's row beside it (target: ingestion
    ≥ 0.5x COPY);
(d) with ``--store-floor``, times ``events.services.record_events`` alone on the same rows
    from ``--clients`` threads (no HTTP, parsing or validation): the ceiling of the ratio
    (run before (b)).

The machine is shared: the absolute figures are upper bounds of the time; the ratio, measured in
the same run, is the number to compare. The scratch database is dropped at the end unless --keep.
Figures and how a batch is processed: docs/ingestion.md.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5  # issue 24: ingestion ≥ 0.5x the COPY rate of the same rows, measured in the same run
sys.path.insert(0, str(ROOT))
from bench.pgserver import (  # noqa: E402
    add_cluster_argument,
    admin_execute,
    free_port,
    server_url,
    use_cluster,
)

# --- CPU per process during a phase (the machine is shared: who used the 2 CPUs) -----------------
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def _children(root: int) -> list[tuple[int, list[str]]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _proc_stat(int(entry.name))
            if fields is not None and fields[1] == str(root):
                found.append((int(entry.name), fields))
    return found


def _cpu(fields: list[str], reaped: bool = False) -> float:
    """utime + stime (fields 14-15 of /proc/pid/stat, 12-13 here), with ``reaped``: plus the
    children's it waited for (cutime, cstime)."""
    return sum(int(v) for v in fields[11 : 15 if reaped else 13]) / _TICK


def gunicorn_cpu(master: int | None) -> float:
    """CPU seconds of the gunicorn master and its workers (live ones and those it reaped)."""
    fields = _proc_stat(master) if master is not None else None
    if fields is None:
        return 0.0
    return _cpu(fields, reaped=True) + sum(_cpu(f) for _, f in _children(master))


def postgres_cpu(postmaster: int | None, db: str) -> dict[int, tuple[str, float]]:
    """CPU seconds per live Postgres process that works for this benchmark: the backends (and
    autovacuum workers) of database ``db``, and the cluster's shared processes (WAL writer,
    checkpointer, background writer: they serve every database of the cluster). Other
    databases' backends (other sessions' work on a shared cluster) are left out."""
    if postmaster is None:
        return {}
    found = {}
    for pid, fields in _children(postmaster):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
        except OSError:
            continue
        words = title.split()
        if f" {db} " in f" {title} ":
            found[pid] = ("postgres backends", _cpu(fields))
        elif len(words) >= 2 and words[1] in {"checkpointer", "background", "walwriter"}:
            found[pid] = ("postgres WAL writer etc.", _cpu(fields))
    return found


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all CPUs; /proc/stat), 0 without /proc."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / _TICK


def postmaster_pid() -> int | None:
    """The pid of the Postgres server's postmaster when it runs on this machine."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    fields = _proc_stat(backend)
    return int(fields[1]) if fields is not None else None


class CpuMeter:
    """Who used the CPUs during a phase: this process (the benchmark's clients), the gunicorn
    tree, this database's Postgres backends, the cluster's shared processes, and the rest of the
    machine (other sessions' work), against the wall time. A backend must still be connected at
    the end of the phase to be counted (the phases keep their connections open until then)."""

    def __init__(self, postmaster: int | None, db: str, gunicorn: int | None = None):
        self.postmaster, self.db, self.gunicorn = postmaster, db, gunicorn

    def __enter__(self):
        self.start = self._sample()
        return self

    def __exit__(self, *exc):
        self.end = self._sample()

    def _sample(self) -> dict:
        return {
            "postgres": postgres_cpu(self.postmaster, self.db),
            "gunicorn": gunicorn_cpu(self.gunicorn),
            "this process": time.process_time(),
            "machine": machine_busy(),
            "wall": time.perf_counter(),
        }

    def used(self) -> dict[str, float]:
        start, end = self.start, self.end
        used = {k: end[k] - start[k] for k in ("this process", "gunicorn", "machine", "wall")}
        for pid, (group, cpu) in end["postgres"].items():
            before = start["postgres"].get(pid, (group, 0.0))[1]
            used[group] = used.get(group, 0.0) + cpu - before
        return used

    def line(self, events: int, clients: str = "clients") -> str:
        used = self.used()
        wall, machine = used.pop("wall"), used.pop("machine")
        used[clients] = used.pop("this process")
        per = 1000 / events * 1000  # ms per 1,000 events
        shown = ", ".join(f"{k} {v:.2f} s ({v * per:.1f} ms)" for k, v in used.items() if v)
        cpus = os.cpu_count() or 1
        return (
            f"    CPU (ms per 1,000 events): {shown}; the rest of the machine "
            f"{machine - sum(used.values()):.2f} s; busy {machine:.2f} of {cpus * wall:.2f} "
            f"CPU-s ({cpus} CPUs x {wall:.2f} s)"
        )


def seed(n_partners: int) -> tuple[str, list[tuple[int, str]]]:
    """Partners with one customer account each, and a vendor admin's write token. The admin has
    a TOTP authenticator: production settings refuse vendor staff's tokens without one
    (``PRM_MFA_REQUIRED_FOR_STAFF``), and the check is part of every request's authentication."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts import services as account_services
    from accounts.tests.factories import VendorAdminFactory
    from customers.services import customer_account_create, seat_license_set
    from partners.tests.factories import PartnerFactory, ProgramFactory, TierFactory

    program = ProgramFactory(name="Bench", slug="bench")
    tier = TierFactory(program=program, rank=1, name="Registered")
    accounts = []
    for n in range(n_partners):
        partner = PartnerFactory(name=f"Bench partner {n}", program=program, tier=tier)
        account = customer_account_create(partner=partner, external_id=f"CUST-{n}", name=f"C{n}")
        seat_license_set(account=account, seats=100)
        accounts.append((partner.pk, account.external_id))
    admin = VendorAdminFactory(email="bench@vendor.example")
    TOTP.activate(admin, generate_totp_secret())
    token = account_services.api_token_create(user=admin, name="bench", scope="write").raw
    return token, accounts


def make_items(n_events: int, accounts, run: str) -> list[dict]:
    start = datetime.now(UTC) - timedelta(days=20)
    items = []
    for i in range(n_events):
        partner_id, external = accounts[i % len(accounts)]
        items.append(
            {
                "id": f"{run}-{i}",
                "kind": "product.used",
                "partner": partner_id,
                "customer_account": external,
                "customer_user": f"user-{i % 997}",
                "occurred_at": (start + timedelta(seconds=i * 7)).isoformat(),
                "properties": {"feature": f"f{i % 13}", "seconds": i % 300},
            }
        )
    return items


def start_server(db: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": server_url(db),
        "DJANGO_SETTINGS_MODULE": "prm.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + secrets.token_hex(16)),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "PRM_API_RATE_INGEST": "1000000/min",
        "PRM_API_RATE_READ": "1000000/min",
        "CONN_MAX_AGE": "600",
    }
    command = [
        sys.executable, "-m", "gunicorn", "prm.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own command line)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit("gunicorn did not start")


def post_all(port: int, token: str, bodies: list[bytes], clients: int) -> tuple[float, int]:
    """POST every body from ``clients`` threads; returns (seconds, events stored)."""
    lock = threading.Lock()
    queue = list(enumerate(bodies))
    stored = []
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not queue:
                    return
                _, body = queue.pop()
            conn.request("POST", "/api/v1/events/", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                errors.append((response.status, data[:200]))
                return
            stored.append(json.loads(data)["stored"])

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        sys.exit(f"ingestion failed: {errors[:3]}")
    return elapsed, sum(stored)


def store_floor(
    owner_id: int, items: list[dict], account_ids: dict, clients: int, batch: int, meter: CpuMeter
):
    """The recording alone: the same rows through ``events.services.record_events`` (the
    ingestion's store: key claim and insert in one statement, one transaction per batch), from
    ``clients`` threads with a connection each, with no HTTP, parsing or validation. Returns
    (seconds, events stored); the event and key tables are emptied first."""
    from django.db import connection, connections

    from events.models import Event, EventKey
    from events.services import NewEvent, encode_properties, record_events
    from ingestion.services import ingestion_key

    batches = []
    for start in range(0, len(items), batch):
        chunk = []
        for item in items[start : start + batch]:
            properties = {
                **item["properties"],
                "customer_account": item["customer_account"],
                "customer_user": item["customer_user"],
            }
            chunk.append(
                NewEvent(
                    kind=item["kind"],
                    key=ingestion_key(owner_id=owner_id, client_id=item["id"]),
                    partner_id=item["partner"],
                    occurred_at=datetime.fromisoformat(item["occurred_at"]),
                    subject_type="customers.customeraccount",
                    subject_id=str(account_ids[(item["partner"], item["customer_account"])]),
                    properties=properties,
                    properties_json=encode_properties(properties),
                )
            )
        batches.append(chunk)
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {Event._meta.db_table}, {EventKey._meta.db_table}")
    lock = threading.Lock()
    stored = []
    done = threading.Barrier(clients + 1)  # every thread's batches stored: the meter stops
    measured = threading.Event()  # then the connections close (their backends counted)

    def worker():
        while True:
            with lock:
                if not batches:
                    break
                chunk = batches.pop()
            stored.append(record_events(chunk, consumers_later=True))
        done.wait()
        measured.wait()
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    with meter:
        started = time.perf_counter()
        for t in threads:
            t.start()
        done.wait()
        elapsed = time.perf_counter() - started
    measured.set()
    for t in threads:
        t.join()
    return elapsed, sum(stored)


def copy_floor(owner_id: int, items: list[dict], account_ids: dict, meter: CpuMeter) -> float:
    """COPY the rows ingestion stored (same columns and values) into the emptied table."""
    from django.db import connection

    from events.models import Event
    from ingestion.services import ingestion_key

    now = datetime.now(UTC).isoformat()
    buffer = io.StringIO()
    for item in items:
        occurred = datetime.fromisoformat(item["occurred_at"])
        properties = {
            **item["properties"],
            "customer_account": item["customer_account"],
            "customer_user": item["customer_user"],
        }
        row = [
            occurred.isoformat(), occurred.date().isoformat(), now, str(item["partner"]), r"\N",
            item["kind"], "customers.customeraccount",
            str(account_ids[(item["partner"], item["customer_account"])]),
            json.dumps(properties).replace("\\", "\\\\"),
            ingestion_key(owner_id=owner_id, client_id=item["id"]),
        ]  # fmt: skip
        buffer.write("\t".join(row) + "\n")
    columns = (
        "occurred_at, day, recorded_at, partner_id, user_id, kind, subject_type, subject_id, "
        "properties, idempotency_key"
    )
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {Event._meta.db_table}")
        buffer.seek(0)
        started = time.perf_counter()
        with meter:
            cur.cursor.copy_expert(f"COPY {Event._meta.db_table} ({columns}) FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--db", default="prm_bench8")
    parser.add_argument("--keep", action="store_true")
    add_cluster_argument(parser)
    parser.add_argument(
        "--store-floor",
        action="store_true",
        help="also time record_events alone on the same rows ((d): the ceiling of the ratio)",
    )
    args = parser.parse_args()
    if not args.db.startswith("prm_bench"):
        sys.exit("--db must start with prm_bench (it is dropped and recreated)")

    use_cluster(args.cluster)
    admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    admin_execute(f'CREATE DATABASE "{args.db}"')
    os.environ["DATABASE_URL"] = server_url(args.db)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from customers.models import CustomerAccount
    from events.models import Event

    server = None
    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        token, accounts = seed(args.partners)
        owner_id = User.objects.get(email="bench@vendor.example").pk
        postgres = postmaster_pid()
        account_ids = {
            (p, e): pk
            for p, e, pk in CustomerAccount.objects.values_list("partner_id", "external_id", "pk")
        }
        connection.close()
        items = make_items(args.events, accounts, run="bench")
        bodies = [
            json.dumps({"events": items[i : i + args.batch]}).encode()
            for i in range(0, len(items), args.batch)
        ]
        port = free_port()
        server = start_server(args.db, port, args.workers)
        # warm-up: every worker imports and connects once (these events are emptied by (b))
        warm = json.dumps({"events": make_items(args.batch, accounts, run="warmup")}).encode()
        post_all(port, token, [warm] * (2 * args.workers), args.clients)
        with CpuMeter(postgres, args.db, server.pid) as api_cpu:
            api_seconds, stored = post_all(port, token, bodies, args.clients)
        assert stored == args.events, f"stored {stored} of {args.events}"
        server.terminate()
        server.wait(timeout=30)
        server = None
        if args.store_floor:
            store_cpu = CpuMeter(postgres, args.db)
            store_seconds, store_stored = store_floor(
                owner_id, items, account_ids, args.clients, args.batch, store_cpu
            )
            assert store_stored == args.events, f"stored {store_stored} of {args.events}"
        copy_cpu = CpuMeter(postgres, args.db)
        copy_seconds = copy_floor(owner_id, items, account_ids, copy_cpu)
        assert Event.objects.count() == args.events
        api_rate = args.events / api_seconds
        copy_rate = args.events / copy_seconds
        print(f"events: {args.events:,} in batches of {args.batch}, {args.partners} partners")
        print(f"(a) POST /api/v1/events/, {args.clients} clients, gunicorn {args.workers} sync "
              f"workers: {api_seconds:.2f} s = {api_rate:,.0f} events/s")  # fmt: skip
        print(api_cpu.line(args.events))
        print(f"(b) COPY of the same rows, one connection: {copy_seconds:.2f} s = "
              f"{copy_rate:,.0f} events/s")  # fmt: skip
        print(copy_cpu.line(args.events, clients="this process"))
        if args.store_floor:
            store_rate = args.events / store_seconds
            print(f"(d) record_events alone (no HTTP, parsing, validation), {args.clients} threads: "
                  f"{store_seconds:.2f} s = {store_rate:,.0f} events/s = "
                  f"{store_rate / copy_rate:.2f}x COPY (the ceiling of the ratio)")  # fmt: skip
            print(store_cpu.line(args.events, clients="record_events threads"))
        ratio = api_rate / copy_rate
        verdict = "met" if ratio >= TARGET else "NOT met"
        print(f"(c) ingestion / COPY = {ratio:.2f} (target ≥ {TARGET}x: {verdict})")
        print(f"issue 24 row | ingestion POST /api/v1/events/ vs COPY | {api_rate:,.0f}/s = "
              f"{ratio:.2f}x | ≥ {TARGET}x | {verdict}")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
        connection.close()
        if not args.keep:
            admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
