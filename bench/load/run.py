# ruff: noqa: S603 -- fixed local commands
"""Load test of PRM (issue 10 item 5): one command, loopback only, bounded in time.

    make load                      # = python bench/load/run.py
    python bench/load/run.py --reuse --time 3m   # keep the data set of a last run

1. **Data** (skipped with ``--reuse``): drops and recreates its OWN database ``--db`` (default
   ``prm_load``; the name must start with ``prm_load``) on 127.0.0.1:5432, migrates it, runs
   ``seed_demo --partners 10000 --events 0`` (partners, people, deals, courses, checklists and
   their events through the services) and ``bench/dashboards.py --prepare`` (tops the events up to
   ``--events`` with COPY, then the real rollup code: ``rollup_recompute`` and ``scores_refresh``).
   With ``--reuse`` the kept data set only gets the migrations added since it was built and a
   ``rollup_metrics`` run.
2. **Accounts**: ``--partner-accounts`` partner people of as many active partners (a password set,
   a verified address), 4 more channel managers (the demo's 4 managers hand every other partner of
   their region to one of them, so 8 managers each own ~1,250 partners), and one write token per
   API client. Written to ``var/load/accounts.json`` for the locustfile.
3. **Servers**: gunicorn as in the Procfile (``--workers 3 --worker-class gthread --threads 4``,
   sized for 2 CPUs; ``gunicorn.conf.py``'s 75 s keep-alive) with ``prm.settings.production``
   (DEBUG off, Secure cookies, manifest static files: ``collectstatic`` first) and a Celery
   worker (``-c 1``), both on Postgres and Redis db ``--redis-db`` (default 5; flushed at the
   start: it must be this run's own). ``SECURE_SSL_REDIRECT`` is off and
   ``TRUSTED_PROXY_COUNT=1``: TLS would end at a proxy, which the locustfile pretends
   (``X-Forwarded-Proto: https``, each person's own ``X-Forwarded-For``), so the login rate
   limits are the production ones, per person. The staff MFA requirement is off (managers log
   in with a password; MFA is not in the measured journey).
4. **Load**: ``locust --headless -u --users -r --spawn-rate -t --time`` with the journeys of
   ``bench/load/locustfile.py`` (partner users, 8 channel managers, 2 API clients), CSV in
   ``var/load/``. Then it prints throughput, p50/p95/p99 per page, failures, and the 5xx lines of
   the gunicorn access log, then issue 24's figure beside its target: every request but the
   login POST (PBKDF2 by design) merged into one histogram by the locustfile, p50/p95/p99 and
   errors against p95 < 150 ms, 0 errors. Exit code 1 if any request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
PY = sys.executable
BIN = Path(PY).parent
OUT = ROOT / "var" / "load"
sys.path.insert(0, str(ROOT))
from bench.pgserver import add_cluster_argument, use_cluster  # noqa: E402

PASSWORD = "prm-load-password-2026"  # noqa: S105 -- a throwaway benchmark database


def server_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@{args.pg_host}:{args.pg_port}/{args.db}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="prm.settings.production",
        SECRET_KEY=env.get("SECRET_KEY", "load-" + "x" * 60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        PRM_MFA_REQUIRED_FOR_STAFF="false",
        # The locustfile pretends the proxy: each person's address in X-Forwarded-For, so the
        # login rate limits stay the production ones, counted per person. (From one address,
        # allauth refuses logins with 429 when its per-IP cache lock waits over 1 s: see
        # docs/reliability.md.)
        TRUSTED_PROXY_COUNT="1",
        EMAIL_URL="consolemail://",
        DEBUG="false",
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def run(env: dict, *cmd: str, quiet: bool = False) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL if quiet else None)


def recreate(args) -> None:
    import psycopg2

    conn = psycopg2.connect(
        host=args.pg_host, port=args.pg_port, user="postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{args.db}"')
    conn.close()


def prepare(args, env: dict) -> None:
    started = time.monotonic()
    recreate(args)
    dev = {**env, "DJANGO_SETTINGS_MODULE": "prm.settings.dev"}
    run(dev, PY, "manage.py", "migrate", "--noinput", "-v0")
    # the audit log prints one line per lifecycle change: 10k partners' worth goes to /dev/null
    run(dev, PY, "manage.py", "seed_demo", "--partners", str(args.partners), "--events", "0",
        quiet=True)  # fmt: skip
    print(f"seed_demo --partners {args.partners}: {time.monotonic() - started:.0f} s", flush=True)
    run(dev, PY, "bench/dashboards.py", "--prepare", "--events", str(args.events))
    print(f"data set ready in {time.monotonic() - started:.0f} s", flush=True)


def make_accounts(args, env: dict) -> dict:
    """Passwords, extra managers and tokens on the seeded data (idempotent: safe with --reuse)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "prm.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.choices import TokenScope, VendorRole
    from accounts.models import ApiToken, User
    from accounts.services import api_token_create
    from demo.seed import DEMO_LOGINS, MANAGERS
    from partners.choices import PartnerStatus
    from partners.models import Partner, PartnerMembership, Tier

    hashed = make_password(PASSWORD)  # one hash for everyone: setting it is then one UPDATE
    with transaction.atomic():
        managers = []
        for email, name, region in MANAGERS:
            demo = User.objects.get(email=email)
            extra_email = email.replace("@", ".2@")
            extra, _ = User.objects.get_or_create(
                email=extra_email,
                defaults={
                    "full_name": f"{name} II",
                    "vendor_role": VendorRole.CHANNEL_MANAGER,
                    "job_title": demo.job_title,
                },
            )
            ids = list(
                Partner.objects.filter(owner__in=[demo, extra], region=region)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            Partner.objects.filter(pk__in=ids[1::2]).update(owner=extra)
            Partner.objects.filter(pk__in=ids[0::2]).update(owner=demo)
            managers += [demo, extra]
        partners = list(
            Partner.objects.filter(status=PartnerStatus.ACTIVE, memberships__isnull=False)
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        step = max(len(partners) // args.partner_accounts, 1)
        chosen = partners[::step][: args.partner_accounts]
        people = []
        for pid in chosen:
            membership = (
                PartnerMembership.objects.filter(partner_id=pid, user__is_active=True)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if membership:
                people.append(membership.user)
        users = [*managers, *people]
        User.objects.filter(pk__in=[u.pk for u in users]).update(password=hashed, is_active=True)
        for user in users:
            EmailAddress.objects.update_or_create(
                user=user,
                email=user.email,
                defaults={"verified": True, "primary": True},
            )
        admin = User.objects.get(email=DEMO_LOGINS[0]["email"])
        ApiToken.objects.filter(user=admin, name__startswith="load test").update(
            revoked_at=timezone.now()
        )
        tokens = [
            api_token_create(user=admin, name=f"load test {i}", scope=TokenScope.WRITE).raw
            for i in range(args.api_clients)
        ]
    accounts = {
        "partners": [[u.email, PASSWORD] for u in people],
        "managers": [[u.email, PASSWORD] for u in managers],
        "tokens": tokens,
        "event_partners": chosen,
        "regions": [region for _, _, region in MANAGERS],
        "tiers": list(Tier.objects.order_by("rank").values_list("pk", flat=True)),
        "dashboard_since": (timezone.now().date() - timedelta(days=364)).isoformat(),
    }
    with connection.cursor() as cur:
        cur.execute("ANALYZE partners_partner")
    connection.close()
    print(
        f"accounts: {len(people)} partner people of {len(people)} partners, "
        f"{len(managers)} channel managers, {len(tokens)} write tokens",
        flush=True,
    )
    return accounts


# --- CPU over the run (issue 24's floor: is the box saturated at 50 users?) ----------------------
def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and every descendant, live or exited: the
    live ones' own times plus what each has reaped (an exited gunicorn worker or Postgres backend
    lands in its parent's children times)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def postmaster_pid(env: dict) -> int | None:
    """The Postgres server's postmaster, when it runs on this machine (a backend's parent)."""
    import psutil
    import psycopg2

    conn = psycopg2.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    try:
        return psutil.Process(backend).ppid()
    except psutil.NoSuchProcess:  # another machine or container
        return None
    finally:
        conn.close()


def seconds(duration: str) -> float:
    """locust's --run-time (``2m``, ``90s``, ``1h30m``) in seconds."""
    import re

    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", duration)
    return sum(float(n) * units[u] for n, u in parts) if parts else float(duration)


def children_cpu() -> float:
    """CPU seconds of this process's children it has waited for."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postgres_cpu(postmaster: int | None, db: str) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) of the Postgres server's live processes by pid, in three
    groups: this run's database (its backends, their parallel workers and its autovacuum
    workers), the background processes (checkpointer, writers, launchers), and other databases'
    backends (another session's work on a shared server, left out of the run's figures)."""
    import re

    import psutil

    groups: dict[str, dict[int, float]] = {"postgres": {}, "pg background": {}, "pg other dbs": {}}
    if postmaster is None:
        return groups
    client = re.compile(r"^postgres: \S+ (\S+) (?:\[local\]|\S+\(\d+\))")
    autovacuum = re.compile(r"^postgres: autovacuum worker (\S+)")
    parallel = re.compile(r"^postgres: parallel worker for PID (\d+)")
    rows = []
    with contextlib.suppress(psutil.NoSuchProcess):
        for proc in psutil.Process(postmaster).children():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                t = proc.cpu_times()
                rows.append((proc.pid, " ".join(proc.cmdline()).strip(), t.user + t.system))
    database = {}
    for pid, title, _ in rows:
        found = client.match(title) or autovacuum.match(title)
        if found:
            database[pid] = found.group(1)
    for pid, title, cpu in rows:
        leader = parallel.match(title)
        name = database.get(int(leader.group(1)) if leader else pid)
        group = "pg background" if name is None else "postgres" if name == db else "pg other dbs"
        groups[group][pid] = cpu
    return groups


class CpuMeter:
    """Between ``start`` and ``stop``: CPU seconds of gunicorn (master + workers), the Postgres
    server's processes for this run's database (live backends: gunicorn and Celery keep theirs,
    ``CONN_MAX_AGE``), its background processes and other databases' backends (shown apart),
    the Celery worker and locust, the machine's busy CPU time, and the requests gunicorn served
    (access log lines)."""

    def __init__(self, pids: dict[str, int | None], access_log: Path, postmaster, db: str):
        self.pids = pids
        self.access_log = access_log
        self.postmaster, self.db = postmaster, db

    def sample(self) -> dict:
        import psutil

        times = psutil.cpu_times()
        sample: dict = {name: tree_cpu(pid) for name, pid in self.pids.items() if pid}
        sample.update(postgres_cpu(self.postmaster, self.db))
        sample["machine busy"] = sum(times) - times.idle - getattr(times, "iowait", 0.0)
        sample["wall"] = time.monotonic()
        with self.access_log.open("rb") as log:
            sample["requests"] = sum(1 for _ in log)
        return sample

    def start(self) -> None:
        self.first = self.sample()

    def stop(self) -> None:
        last = self.sample()
        self.used = {}
        for name, value in last.items():
            if isinstance(value, dict):  # per pid: a process started since counts from 0
                before = self.first.get(name, {})
                self.used[name] = sum(cpu - before.get(pid, 0.0) for pid, cpu in value.items())
            else:
                self.used[name] = value - self.first[name]


def report_cpu(meter: CpuMeter) -> None:
    """Server CPU per request and what the offered load asks of the box's CPUs (measured)."""
    import psutil

    used = dict(meter.used)
    wall, requests = used.pop("wall"), int(used.pop("requests"))
    cpus = psutil.cpu_count()
    server = used.get("gunicorn", 0.0) + used.get("postgres", 0.0)
    print(f"\nCPU from the end of the ramp to the end of the run ({wall:.0f} s, {cpus} CPUs, load "
          f"average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} at the end):")  # fmt: skip
    # what the run's own processes do not explain: other sessions' work on a shared machine
    # (their Postgres backends included)
    used["other work"] = used["machine busy"] - sum(
        cpu for name, cpu in used.items() if name not in ("machine busy", "pg other dbs")
    )
    for name, cpu in used.items():
        print(f"  {name:14} {cpu:8.1f} CPU s = {cpu / wall:5.2f} CPUs")
    if requests:
        print(
            f"  gunicorn served {requests} requests = {requests / wall:.1f}/s; server (gunicorn + "
            f"postgres) CPU per request {1000 * server / requests:.1f} ms, x {requests / wall:.1f}/s"
            f" = {server / wall:.2f} of {cpus} CPUs; the machine was "
            f"{100 * used['machine busy'] / wall / cpus:.0f} % busy"
        )


def wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def ms(value: str) -> str:
    return f"{float(value):8.0f}" if value not in ("", "N/A") else "     n/a"


TARGET_P95_MS = 150  # issue 24: all pages but the login POST, p95 < 150 ms and 0 errors


def report_target(summary_file: Path, server_errors: int) -> None:
    """The issue-24 line: every request but the login POST, merged, beside its target."""
    if not summary_file.exists():
        print("all pages but login: no summary (locust stopped before its end?)")
        return
    s = json.loads(summary_file.read_text())
    errors = s["failures"] + server_errors
    met = s["p95"] < TARGET_P95_MS and errors == 0
    print(
        f"\nall pages but login ({', '.join(s['excluded'])} left out): {s['requests']} requests, "
        f"p50 {s['p50']} / p95 {s['p95']} / p99 {s['p99']} ms, {s['failures']} failures + "
        f"{server_errors} gunicorn 5xx   target: p95 < {TARGET_P95_MS} ms, 0 errors -> "
        f"{'MET' if met else 'NOT MET'}"
    )


def report(prefix: Path, access_log: Path, meter: CpuMeter | None = None) -> int:
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    print(f"\n{'page':48} {'reqs':>6} {'fail':>5} {'req/s':>6} {'p50':>8} {'p95':>8} {'p99':>8}")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        print(
            f"{row['Type'] + ' ' + row['Name']:48.48} {row['Request Count']:>6} "
            f"{row['Failure Count']:>5} {float(row['Requests/s']):6.2f} {ms(row['50%'])} "
            f"{ms(row['95%'])} {ms(row['99%'])}"
        )
    failures = 0
    if total:
        n, failures = int(total["Request Count"]), int(total["Failure Count"])
        print(
            f"{'ALL':48} {n:>6} {failures:>5} {float(total['Requests/s']):6.2f} "
            f"{ms(total['50%'])} {ms(total['95%'])} {ms(total['99%'])}   (ms)"
        )
        print(f"error rate: {failures}/{n} = {100 * failures / max(n, 1):.3f} %")
    failed = prefix.parent / f"{prefix.name}_failures.csv"
    if failed.exists():
        for row in csv.DictReader(failed.open()):
            print(f"  FAILED {row['Occurrences']}x {row['Method']} {row['Name']}: {row['Error']}")
    errors = [line for line in access_log.read_text(errors="replace").splitlines() if '" 5' in line]
    print(f"gunicorn 5xx responses: {len(errors)}")
    for line in errors[:20]:
        print("  ", line)
    report_target(prefix.parent / f"{prefix.name}_but_login.json", len(errors))
    if meter is not None and hasattr(meter, "used"):
        report_cpu(meter)
    return 1 if failures or errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="prm_load")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep the data set of a last run.")
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--partner-accounts", type=int, default=200)
    parser.add_argument("--managers", type=int, default=8, help="Manager users (of 8 accounts).")
    parser.add_argument("--api-clients", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--time", default="4m", help="locust --run-time, e.g. 3m.")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--keep-alive", type=int, default=None, help="Override gunicorn.conf.py's keepalive (s)."
    )
    add_cluster_argument(parser)
    args = parser.parse_args()
    if not args.db.startswith("prm_load"):
        parser.error("--db must start with prm_load (it is dropped and recreated)")
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.pg_host}:{args.pg_port}/postgres"
    use_cluster(args.cluster)  # --cluster: its port replaces --pg-host/--pg-port
    server = urlsplit(os.environ["DATABASE_URL"])
    args.pg_host, args.pg_port = server.hostname, server.port
    env = server_env(args)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reuse:
        # the kept data set may predate the code: its migrations, then the rollup task's work
        # (what the schedule would do within a minute, before the first request of the run)
        dev = {**env, "DJANGO_SETTINGS_MODULE": "prm.settings.dev"}
        run(dev, PY, "manage.py", "migrate", "--noinput", "-v0")
        run(dev, PY, "manage.py", "rollup_metrics")
    else:
        prepare(args, env)
    started = time.monotonic()
    accounts = make_accounts(args, env)
    accounts_file = OUT / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    run(env, "redis-cli", "-n", str(args.redis_db), "flushdb")
    if not (args.reuse and (ROOT / "var" / "staticfiles" / "staticfiles.json").exists()):
        run(env, PY, "manage.py", "collectstatic", "--noinput", "-v0")
    print(f"accounts and static files: {time.monotonic() - started:.0f} s", flush=True)

    access_log, server_log = OUT / "gunicorn-access.log", OUT / "servers.log"
    locust_log = OUT / "locust.log"
    access_log.write_text("")
    logs = server_log.open("w")
    gunicorn = subprocess.Popen(
        [
            *(str(BIN / "gunicorn"), "prm.wsgi", "--bind", f"127.0.0.1:{args.port}"),
            *("--workers", str(args.workers), "--worker-class", "gthread"),
            *("--threads", str(args.threads), "--access-logfile", str(access_log)),
            *(("--keep-alive", str(args.keep_alive)) if args.keep_alive is not None else ()),
        ],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            *(str(BIN / "celery"), "-A", "prm", "worker", "-c", "1", "-l", "warning"),
            *("-n", f"load{os.getpid()}@localhost", "--without-gossip", "--without-mingle"),
        ],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    meter = None
    try:
        wait_up(args.port)
        meter = CpuMeter(
            {"gunicorn": gunicorn.pid, "celery": worker.pid},
            access_log,
            postmaster_pid(env),
            args.db,
        )
        prefix = OUT / "run"
        (prefix.parent / f"{prefix.name}_but_login.json").unlink(missing_ok=True)
        print(
            f"locust: {args.users} users ({args.managers} managers, {args.api_clients} API "
            f"clients), {args.time}, gunicorn {args.workers}x{args.threads} gthread on "
            f":{args.port}",
            flush=True,
        )
        children_before = children_cpu()
        locust = subprocess.Popen(
            [
                *(str(BIN / "locust"), "-f", "bench/load/locustfile.py", "--headless"),
                *("--host", f"http://127.0.0.1:{args.port}", "-u", str(args.users)),
                *("-r", str(args.spawn_rate), "-t", args.time, "--csv", str(prefix)),
                *("--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "PRM_LOAD_ACCOUNTS": str(accounts_file),
                "PRM_LOAD_MANAGERS": str(args.managers),
                "PRM_LOAD_API_CLIENTS": str(args.api_clients),
                "PRM_LOAD_SUMMARY": str(prefix.parent / f"{prefix.name}_but_login.json"),
            },
            stdout=locust_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        # the CPU figures leave out the ramp (users spawning and logging in: PBKDF2 by design)
        ramp = args.users / args.spawn_rate + 5
        try:
            locust.wait(timeout=min(ramp, seconds(args.time) / 2))
        except subprocess.TimeoutExpired:
            meter.start()
            locust_at_start = tree_cpu(locust.pid)
            locust.wait()
            meter.stop()
            # reaped: the whole locust run is in this process's children times
            meter.used["locust"] = children_cpu() - children_before - locust_at_start
        locust.wait()
    finally:
        for proc in (gunicorn, worker):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (gunicorn, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        logs.close()
    print(f"locust's own summary: {locust_log}; server logs: {server_log}, {access_log}")
    return report(prefix, access_log, meter)


if __name__ == "__main__":
    sys.exit(main())
