"""What the benchmark scripts share: the Postgres server they run on (``DATABASE_URL``, any
database of it), scratch databases made and dropped on it, Django set up against one of them,
and a free loopback port for the servers they start; ``--cluster DIR``: their own Postgres
cluster with the reference settings (``use_cluster``), and the line of settings every benchmark
prints first (``print_server_settings``)."""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def server_url(db: str) -> str:
    """``DATABASE_URL`` (default: the local server) pointed at database ``db``."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("DATABASE_URL must point to a Postgres server.")
    return urlunsplit(parts._replace(path=f"/{db}"))


def admin_execute(sql: str) -> None:
    """Run ``sql`` outside a transaction on the server's ``postgres`` database (CREATE/DROP
    DATABASE)."""
    import psycopg2

    conn = psycopg2.connect(server_url("postgres").replace("postgres://", "postgresql://", 1))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def setup_django(db: str) -> None:
    """Django against database ``db``, with DEBUG off (DEBUG keeps every query in memory)."""
    os.environ["DATABASE_URL"] = server_url(db)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The benchmark's own Postgres cluster (issue 24 item 5) ---------------------------------------
# The settings every figure in /work/shared/PERFORMANCE.md and docs/scaling.md assumes (its
# section 1, sized for the 2-vCPU / 24 GiB reference box); docker-compose.yml's postgres command
# carries the same values. A server that runs with other values says so in the line
# ``print_server_settings`` prints at the start of every benchmark.
BENCH_SETTINGS = {
    "shared_buffers": "4GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "effective_cache_size": "16GB",
    "random_page_cost": "1.1",
}
# shown beside them: defaults the reference box kept, which change figures when they differ
SHOWN_TOO = ("max_parallel_workers_per_gather", "jit", "fsync", "synchronous_commit")
CLUSTER_ENV = "PRM_BENCH_CLUSTER"
CONF_FILE = "prm_bench.conf"  # included by the cluster's postgresql.conf, rewritten at each start
USERS_FILE = "prm_bench.users"  # every benchmark on the cluster holds a shared flock of it
STARTED_FILE = "prm_bench.autostarted"  # a benchmark started it: the last one out stops it
_users = None


def add_cluster_argument(parser) -> None:
    """``--cluster DIR`` (default: ``$PRM_BENCH_CLUSTER``) for a benchmark's argument parser."""
    parser.add_argument(
        "--cluster",
        metavar="DIR",
        default=os.environ.get(CLUSTER_ENV) or None,
        help=(
            "run on the benchmark's own Postgres cluster in DIR (initdb'd with the settings of "
            f"PERFORMANCE.md section 1 if DIR is empty, reused if it holds one, started on a free "
            f"port, stopped at the end); default ${CLUSTER_ENV}"
        ),
    )


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if not initdb:
        sys.exit("--cluster: initdb not found (Debian: apt-get install postgresql-15)")
    return Path(initdb).parent


def _as_owner(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    """A Postgres command as the ``postgres`` system user when we are root (initdb refuses
    root), else as ourselves."""
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run(  # noqa: S603 -- fixed local Postgres binaries
        [*run_as, *cmd], capture_output=True, text=True, check=False
    )
    if check and done.returncode:
        sys.exit(f"--cluster: {' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    return done


def _running_port(pgdata: Path) -> int | None:
    """The port of the postmaster running on ``pgdata``, or None."""
    bin_dir = _pg_bin()
    if _as_owner(str(bin_dir / "pg_ctl"), "status", "-D", str(pgdata), check=False).returncode:
        return None
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return int(lines[3])


def _initdb(pgdata: Path) -> None:
    pgdata.mkdir(parents=True, exist_ok=True)
    if any(pgdata.iterdir()):
        sys.exit(f"--cluster: {pgdata} is neither empty nor a Postgres cluster")
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(pgdata, owner.pw_uid, owner.pw_gid)
    bin_dir = _pg_bin()
    _as_owner(str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write(f"\n# the benchmark settings (bench/pgserver.py)\ninclude '{CONF_FILE}'\n")


def _write_settings(pgdata: Path, port: int) -> None:
    lines = [f"{key} = '{value}'" for key, value in BENCH_SETTINGS.items()]
    lines += [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        "logging_collector = off",
    ]
    path = pgdata / CONF_FILE
    path.write_text(
        "# written by bench/pgserver.py at every start: PERFORMANCE.md section 1\n"
        + "\n".join(lines)
        + "\n"
    )
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(path, owner.pw_uid, owner.pw_gid)


def start_cluster(directory: str | os.PathLike) -> tuple[int, bool]:
    """The benchmark's own cluster in ``directory``: initdb'd if the directory is empty or
    missing, its settings (re)written, started on a free loopback port unless it runs already.
    Returns (port, started by us)."""
    pgdata = Path(directory).resolve()
    if (pgdata / "PG_VERSION").exists():
        port = _running_port(pgdata)
        if port is not None:
            return port, False
    else:
        _initdb(pgdata)
    port = free_port()
    _write_settings(pgdata, port)
    _as_owner(str(_pg_bin() / "pg_ctl"), "start", "-D", str(pgdata), "-w", "-t", "120",
              "-l", str(pgdata / "server.log"))  # fmt: skip
    return port, True


def stop_cluster(directory: str | os.PathLike) -> None:
    pgdata = Path(directory).resolve()
    (pgdata / STARTED_FILE).unlink(missing_ok=True)
    _as_owner(str(_pg_bin() / "pg_ctl"), "stop", "-D", str(pgdata), "-m", "fast", "-w",
              "-t", "120", check=False)  # fmt: skip


def use_cluster(directory: str | None) -> None:
    """What ``--cluster DIR`` does in a benchmark: start (or reuse) the cluster, point
    ``DATABASE_URL`` (host and port; its database part kept) at it for this process and its
    children, and at exit stop it if a benchmark started it and no other benchmark still uses it
    (the data stays in DIR for ``--keep``/``--reuse``). Without a directory, nothing. Then, in
    both cases, print the server's settings."""
    global _users  # held for the life of the process
    if directory:
        pgdata = Path(directory).resolve()
        if not (pgdata / "PG_VERSION").exists():
            _initdb(pgdata)
        _users = (pgdata / USERS_FILE).open("a")
        fcntl.flock(_users, fcntl.LOCK_SH)  # before the start: a leaving benchmark keeps it up
        port, started = start_cluster(pgdata)
        if started:
            (pgdata / STARTED_FILE).touch()
        atexit.register(_leave_cluster, pgdata)
        # a SIGTERM (timeout, kill) still runs the atexit stop
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/postgres"))
        os.environ["DATABASE_URL"] = urlunsplit(
            url._replace(scheme="postgres", netloc=f"postgres@127.0.0.1:{port}")
        )
        print(f"cluster: {pgdata} on 127.0.0.1:{port}"
              f" ({'started' if started else 'already running'})", flush=True)  # fmt: skip
    print_server_settings()


def _leave_cluster(pgdata: Path) -> None:
    """At exit: stop the cluster if a benchmark started it and no other benchmark holds it (a
    cluster started by ``pgserver.py start`` runs until ``pgserver.py stop``)."""
    fcntl.flock(_users, fcntl.LOCK_UN)
    try:
        fcntl.flock(_users, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"cluster {pgdata} left running: another benchmark uses it", flush=True)
        return
    if (pgdata / STARTED_FILE).exists():
        stop_cluster(pgdata)


def server_settings() -> dict[str, str]:
    """The server's values of the benchmark settings and of ``SHOWN_TOO``, and its version."""
    import psycopg2

    conn = psycopg2.connect(server_url("postgres").replace("postgres://", "postgresql://", 1))
    shown = {}
    with conn.cursor() as cur:
        for name in ("server_version", *BENCH_SETTINGS, *SHOWN_TOO):
            cur.execute(f"SHOW {name}")
            shown[name] = cur.fetchone()[0]
    conn.close()
    return shown


def print_server_settings() -> dict[str, str]:
    """One line that says what a figure ran on: the server, its settings, and whether they are
    PERFORMANCE.md section 1's."""
    shown = server_settings()
    where = urlsplit(server_url("postgres")).netloc.rsplit("@", 1)[-1]
    differ = [k for k, v in BENCH_SETTINGS.items() if shown[k] != v]
    verdict = (
        "the reference settings (PERFORMANCE.md section 1)"
        if not differ
        else "NOT the reference settings: "
        + ", ".join(f"{k} {BENCH_SETTINGS[k]}" for k in differ)
        + " expected (use --cluster DIR)"
    )
    settings = ", ".join(f"{k}={shown[k]}" for k in (*BENCH_SETTINGS, *SHOWN_TOO))
    print(f"postgres {shown['server_version'].split()[0]} at {where}: {settings}; {verdict}",
          flush=True)  # fmt: skip
    return shown


def main() -> None:
    """``python bench/pgserver.py --cluster DIR start|stop|status``: the cluster outside a
    benchmark (e.g. to seed a data set with manage.py). ``start`` prints the DATABASE_URL."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.split("\n")[0])
    add_cluster_argument(parser)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--db", default="postgres", help="database part of the printed URL")
    args = parser.parse_args()
    if not args.cluster:
        parser.error(f"--cluster DIR or ${CLUSTER_ENV} is required")
    if args.action == "start":
        port, _ = start_cluster(args.cluster)
        print(f"DATABASE_URL=postgres://postgres@127.0.0.1:{port}/{args.db}")
    elif args.action == "stop":
        stop_cluster(args.cluster)
    else:
        port = _running_port(Path(args.cluster).resolve())
        print(f"running on 127.0.0.1:{port}" if port else "stopped")
        if port:
            os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/postgres"
            print_server_settings()


if __name__ == "__main__":
    main()
