"""What the benchmark scripts share: the Postgres server they run on (``DATABASE_URL``, any
database of it), scratch databases made and dropped on it, Django set up against one of them,
and a free loopback port for the servers they start."""

from __future__ import annotations

import os
import socket
import sys
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
