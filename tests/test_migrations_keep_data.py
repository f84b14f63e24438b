"""Data stays (issue 17): a Postgres database built and filled by the code of commit d057d94
(``migrate``, ``seed_demo``, then the rollup and the tier evaluation that beat would run) is
migrated by today's code, and every row and the stored metric values are still there.

Models that move between apps keep their tables (``SeparateDatabaseAndState``, same
``db_table``), so the check reads plain SQL with the table names of the old schema before and
after ``migrate``: each table's row count and a fingerprint of its rows (over the columns it had
at d057d94), and a few metric figures by name. Then today's models read the same numbers
(wherever their app now is, found by table name). A migration that renames a table adds it to
``RENAMED``; one that changes data on purpose adds its table to ``CHANGED_ON_PURPOSE`` with the
reason and what is checked instead.

The old tree comes from git (``git archive``); the database is a fresh one of its own, created
and dropped by this test, beside pytest's test database. About a minute on an idle machine.
"""

import io
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from conftest import require_service

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent
SEEDED_AT = "d057d94"  # the last commit before issue 17 moved models between apps
# What a deployment of that commit would have run: its schema, the demo data, the every-minute
# rollup (summary tables, adoption scores) and the nightly tier evaluation (tier standings and
# history). The whole test is about a minute on an idle machine (some 15 + 27 + 6 + 8 s here, then
# 5 s to migrate); the limits, in seconds, only stop a hung step, with room for a busy machine.
OLD_STEPS = (
    (("migrate", "--noinput"), 600),
    (("seed_demo",), 900),
    (("rollup_metrics",), 600),
    (("evaluate_tiers",), 600),
)
MIGRATE_TIMEOUT = 600

# Old table name -> new one, for a migration that renames a table (none does today).
RENAMED: dict[str, str] = {}
# Django's bookkeeping, which a migration run rewrites by design (new apps and moved models add
# content types and permissions); rows are only ever added. prm_cache is a cache.
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}
NOT_DATA = {"prm_cache"}


@dataclass(frozen=True)
class Probe:
    """Which rows and columns of a table are fingerprinted: all, unless a migration since
    d057d94 changes some of them on purpose."""

    where: str = ""
    skip_columns: frozenset = frozenset()


# Data migrations on main since d057d94 that change rows on purpose; the rest of each table stays.
CHANGED_ON_PURPOSE = {
    # partners 0005 / metrics 0018: joined_at is the approval moment, so applicants and
    # applications turned down have none. Every other column stays, and so does the joined_at of
    # partners that were approved (the figure "joined_at of approved partners" below).
    "partners_partner": Probe(skip_columns=frozenset({"joined_at"})),
    # deals 0003 / incentives 0005: unsent notices and MDF emails moved to kernel_outboundemail;
    # sent ones stay as history.
    "deals_dealnotice": Probe(where="sent_at IS NOT NULL"),
    "incentives_mdfemail": Probe(where="sent_at IS NOT NULL"),
    # metrics 0024: the surrogate id gave way to the (partner, day) key; every score stays.
    "metrics_adoptionscore": Probe(skip_columns=frozenset({"id"})),
}
# New tables a migration since d057d94 fills from old rows (at most the unsent ones above).
FILLED_BY_MIGRATIONS = {"kernel_outboundemail"}
UNSENT = (
    "SELECT (SELECT count(*) FROM deals_dealnotice WHERE sent_at IS NULL)"
    " + (SELECT count(*) FROM incentives_mdfemail WHERE sent_at IS NULL)"
)

# A few stored metric values, by name (old table names; sums of floats as exact numerics).
FIGURES = {
    "events per kind": "SELECT kind, count(*) FROM metrics_event GROUP BY kind ORDER BY kind",
    "event keys": "SELECT count(*), count(DISTINCT event_id) FROM metrics_eventkey",
    "partners per status": (
        "SELECT status, count(*), count(activated_at) FROM partners_partner "
        "GROUP BY status ORDER BY status"
    ),
    "activated partners": "SELECT count(*) FROM partners_partner WHERE activated_at IS NOT NULL",
    "partner-days: events, users, partners": (
        "SELECT count(*), sum(events), sum(users), count(DISTINCT partner_id) "
        "FROM metrics_partnerday"
    ),
    "events per kind in the partner-day summaries": (
        "SELECT kind, sum(events) FROM metrics_partnerdaykind GROUP BY kind ORDER BY kind"
    ),
    "adoption scores: rows, days, total, last day": (
        "SELECT count(*), count(DISTINCT day), sum(score::numeric), max(day) "
        "FROM metrics_adoptionscore"
    ),
    "adoption scores on the last day: partners, mean": (
        "SELECT count(*), avg(score::numeric) FROM metrics_adoptionscore "
        "WHERE day = (SELECT max(day) FROM metrics_adoptionscore)"
    ),
    "weekly users and active days": "SELECT sum(users), sum(active_days) FROM metrics_partnerweek",
    "offering adopters": (
        "SELECT offering, count(DISTINCT partner_id) FROM metrics_offeringadoptionspan "
        "GROUP BY offering ORDER BY offering"
    ),
    "rollup watermarks": (
        "SELECT name, watermark, scores_through FROM metrics_rollupstate ORDER BY name"
    ),
    "deals per status: count, amount": (
        "SELECT status, count(*), sum(amount) FROM deals_deal GROUP BY status ORDER BY status"
    ),
    "points awarded": "SELECT count(*), sum(points), count(DISTINCT partner_id) FROM incentives_award",
    "tier requirements per tier": (
        "SELECT tier_id, count(*) FROM partners_tierrequirement GROUP BY tier_id ORDER BY tier_id"
    ),
    "partners below their tier": (
        "SELECT count(*), count(below_since), count(demote_after) FROM partners_tierstanding"
    ),
    "tier changes": "SELECT count(*), count(DISTINCT partner_id) FROM partners_tierhistory",
    "joined_at of approved partners": (
        "SELECT id, joined_at FROM partners_partner "
        "WHERE status NOT IN ('applicant', 'churned') ORDER BY id"
    ),
}

# Run by today's code on the migrated database: every model's row count (by its table) and a few
# values through the ORM, each model found by its table wherever its app is now.
READ_THROUGH_MODELS = r"""
import json, math, sys
import django
django.setup()
from django.apps import apps
from django.db.models import Count, Sum

renamed = json.loads(sys.argv[1])
models = [m for m in apps.get_models(include_auto_created=True)
          if m._meta.managed and not m._meta.proxy]
by_table = {m._meta.db_table: m for m in models}

def model(old_table):
    return by_table[renamed.get(old_table, old_table)]

Event, Partner = model("metrics_event"), model("partners_partner")
PartnerDay, AdoptionScore = model("metrics_partnerday"), model("metrics_adoptionscore")
print(json.dumps({
    "rows": {m._meta.db_table: [m._meta.label, m._base_manager.count()] for m in models},
    "events per kind": dict(Event._base_manager.values_list("kind").annotate(n=Count("kind"))),
    "activated partners": Partner._base_manager.filter(activated_at__isnull=False).count(),
    "partner-day events": PartnerDay._base_manager.aggregate(n=Sum("events"))["n"],
    "adoption score total": math.fsum(AdoptionScore._base_manager.values_list("score", flat=True)),
}))
"""


# --- the old tree and the scratch database --------------------------------------------------------
def old_tree(into: Path) -> Path:
    """The files of commit SEEDED_AT, from this clone's history (CI's clone is a full one)."""
    git = shutil.which("git")
    found = git and subprocess.run(
        [git, "-C", str(ROOT), "cat-file", "-e", f"{SEEDED_AT}^{{commit}}"],
        capture_output=True,
        timeout=60,
    )
    require_service(
        f"git history with commit {SEEDED_AT}",
        bool(found and found.returncode == 0),
        "this test builds its database with that commit's code (a shallow clone lacks it: "
        "git fetch --unshallow)",
    )
    archive = subprocess.run(
        [git, "-C", str(ROOT), "archive", "--format=tar", SEEDED_AT],
        capture_output=True,
        check=True,
        timeout=120,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # the "data" filter (no absolute paths, links out or devices) exists from Python 3.11.4;
        # Debian 12's 3.11.2 has none, and the archive is our own ``git archive``
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(into, **safe)  # noqa: S202
    return into


def child_env(database_url: str, scratch: Path) -> dict:
    """The environment of a manage.py run: the embedded default's settings except the database
    (no Redis: the cache is the database table, the broker a folder of this test)."""
    drop = ("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PRM_", "S3_", "PYTEST_", "PYTHON")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    for name in ("SECRET_KEY", "DEBUG", "EMAIL_URL", "CONN_MAX_AGE", "MEDIA_ROOT", "STATIC_ROOT"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="prm.settings.dev",  # what both trees' manage.py default to
        DATABASE_URL=database_url,
        CELERY_FILESYSTEM_BROKER_DIR=str(scratch / "broker"),
        MEDIA_ROOT=str(scratch / "media"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run(tree: Path, env: dict, *args: str, timeout: int) -> str:
    """``python *args`` in ``tree`` (this virtualenv's interpreter); its stdout."""
    began = time.monotonic()
    where = "today's tree" if tree == ROOT else f"the tree of {SEEDED_AT}"
    what = f"python {' '.join(args)[:60]} in {where}"
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took over {timeout} s")
    assert done.returncode == 0, (
        f"{what} failed ({done.returncode}) after {time.monotonic() - began:.0f} s:\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )
    return done.stdout


@pytest.fixture
def scratch_database():
    """A fresh Postgres database named after the configured one, dropped afterwards whatever
    happens; yields its URL."""
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    configured = urlsplit(os.environ["DATABASE_URL"])
    base = configured.path.strip("/") or "prm"
    name = f"{base[:30]}_keepdata_{os.getpid()}_{secrets.token_hex(3)}"
    admin_url = urlunsplit(configured._replace(path="/postgres"))
    admin = psycopg2.connect(admin_url, connect_timeout=10)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield urlunsplit(configured._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


# --- what is read, before and after ----------------------------------------------------------------
def tables(cur) -> dict[str, list[str]]:
    """Every table of the schema (a partitioned one as a whole) → its columns in order."""
    cur.execute(
        "SELECT c.relname, a.attname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname, a.attnum"
    )
    found: dict[str, list[str]] = {}
    for table, column in cur.fetchall():
        found.setdefault(table, []).append(column)
    return found


def fingerprint(cur, table: str, columns: list[str], probe: Probe) -> tuple[int, str]:
    """(rows, md5 over the sorted md5s of the rows' text) for the given columns."""
    row = sql.SQL("ROW({})::text").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns if c not in probe.skip_columns)
    )
    where = sql.SQL(f" WHERE {probe.where}" if probe.where else "")
    cur.execute(
        sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
            "FROM (SELECT md5({row}) AS h FROM {table}{where}) rows"
        ).format(row=row, table=sql.Identifier(table), where=where)
    )
    count, digest = cur.fetchone()
    return count, digest


def plain(value):
    """A value JSON and a message can show (numerics exact, as text)."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def difference(was, now) -> str:
    """Before and after, or for two lists of rows only the rows that differ (a few)."""
    if isinstance(was, list) and isinstance(now, list):
        gone = [row for row in was if row not in now]
        new = [row for row in now if row not in was]
        return f"{gone[:5]} before, {new[:5]} after ({len(gone)} rows differ)"
    return f"{was} before, {now} after"[:400]


def figures(cur, names: dict[str, str]) -> dict[str, list | str]:
    found = {}
    for name, query in names.items():
        for old, new in RENAMED.items():
            query = query.replace(old, new)
        try:
            cur.execute(query)
        except psycopg2.Error as exc:  # a table or column gone: reported, not a crash
            found[name] = f"unreadable: {str(exc).splitlines()[0]}"
        else:
            found[name] = plain(cur.fetchall())
    return found


def cursor_on(database_url: str):
    """An autocommit connection (one failed read does not end the others) in UTC."""
    conn = psycopg2.connect(database_url, connect_timeout=10)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    return conn


def read_before(database_url: str) -> dict:
    conn = cursor_on(database_url)
    try:
        cur = conn.cursor()
        schema = tables(cur)
        prints = {
            table: fingerprint(cur, table, columns, CHANGED_ON_PURPOSE.get(table, Probe()))
            for table, columns in schema.items()
            if table not in NOT_DATA
        }
        cur.execute(UNSENT)
        unsent = cur.fetchone()[0]
        found = figures(cur, FIGURES)
    finally:
        conn.close()
    return {"schema": schema, "prints": prints, "unsent": unsent, **found}


def read_after(database_url: str, before: dict) -> tuple[dict, list[str]]:
    """The same reads on the migrated database, and what does not match."""
    problems = []
    conn = cursor_on(database_url)
    try:
        cur = conn.cursor()
        schema = tables(cur)
        rows = {}
        for old, columns in before["schema"].items():
            table = RENAMED.get(old, old)
            if old in NOT_DATA:
                continue
            if table not in schema:
                problems.append(f"{old}: gone after migrating ({before['prints'][old][0]} rows)")
                continue
            probe = CHANGED_ON_PURPOSE.get(old, Probe())
            lost = [c for c in columns if c not in schema[table] and c not in probe.skip_columns]
            if lost:
                problems.append(f"{old}: columns gone after migrating: {lost}")
                continue
            count, digest = fingerprint(cur, table, columns, probe)
            rows[old] = count
            was_count, was_digest = before["prints"][old]
            if old in BOOKKEEPING:
                if count < was_count:
                    problems.append(f"{old}: {was_count} rows before, {count} after")
            elif (count, digest) != (was_count, was_digest):
                change = "rows changed" if count == was_count else f"{was_count} -> {count} rows"
                problems.append(f"{table}{' (was ' + old + ')' if table != old else ''}: {change}")
        renamed_to = set(RENAMED.values())
        for table in sorted(set(schema) - set(before["schema"]) - renamed_to - NOT_DATA):
            count = fingerprint(cur, table, schema[table], Probe())[0]
            rows[table] = count
            if table in FILLED_BY_MIGRATIONS:
                if count > before["unsent"]:
                    problems.append(f"{table}: {count} rows, more than {before['unsent']} unsent")
            elif count:
                problems.append(f"{table}: new since {SEEDED_AT} yet holds {count} rows")
        found = figures(cur, FIGURES)
    finally:
        conn.close()
    for name in FIGURES:
        if found[name] != before[name]:
            problems.append(f"{name}: {difference(before[name], found[name])}")
    return {"rows": rows, **found}, problems


def test_a_database_seeded_at_d057d94_keeps_its_data_through_todays_migrations(
    scratch_database, tmp_path
):
    began = time.monotonic()
    old = old_tree(tmp_path / "old")
    env = child_env(scratch_database, tmp_path)
    for args, timeout in OLD_STEPS:
        run(old, env, "manage.py", *args, timeout=timeout)
    seeded = time.monotonic()
    before = read_before(scratch_database)
    # The demo really is there, so the checks below compare something.
    assert before["prints"]["metrics_event"][0] > 60_000
    assert before["prints"]["metrics_adoptionscore"][0] > 0
    assert before["prints"]["partners_tierhistory"][0] > 0

    run(ROOT, env, "manage.py", "migrate", "--noinput", timeout=MIGRATE_TIMEOUT)
    run(ROOT, env, "manage.py", "migrate", "--check", timeout=MIGRATE_TIMEOUT)  # none pending
    migrated = time.monotonic()
    after, problems = read_after(scratch_database, before)
    assert not problems, "Migrating changed data:\n  " + "\n  ".join(problems)

    # Today's models read those tables and values, wherever their app is now.
    out = run(ROOT, env, "-c", READ_THROUGH_MODELS, json.dumps(RENAMED), timeout=300)
    through = json.loads(out.strip().splitlines()[-1])
    modelled = through["rows"]
    for was, count in after["rows"].items():
        table = RENAMED.get(was, was)
        if table not in modelled:
            if was in before["schema"] and was not in BOOKKEEPING and count:
                problems.append(f"{table}: {count} rows that no model of today reads")
        elif modelled[table][1] != count:
            label, seen = modelled[table]
            problems.append(f"{label} counts {seen} rows, its table {table} holds {count}")
    if through["events per kind"] != dict(after["events per kind"]):
        problems.append("events per kind read through the Event model differ")
    if through["activated partners"] != after["activated partners"][0][0]:
        problems.append("activated partners read through the Partner model differ")
    if through["partner-day events"] != after["partner-days: events, users, partners"][0][1]:
        problems.append("partner-day events read through the PartnerDay model differ")
    total = float(after["adoption scores: rows, days, total, last day"][0][2])
    if not math.isclose(through["adoption score total"], total, rel_tol=1e-12):
        problems.append(f"adoption score total {through['adoption score total']} != {total}")
    assert not problems, "Today's models read other data:\n  " + "\n  ".join(problems)
    print(
        f"seeded at {SEEDED_AT} in {seeded - began:.0f} s, migrated in "
        f"{migrated - seeded:.0f} s, {time.monotonic() - began:.0f} s in all"
    )
