# ruff: noqa: S608 -- SQL built from constants and model table names only
"""Where the adoption score computations spend their time, per SQL statement (issue 24).
Prints figures; it is not a test. Run it on a database kept by ``bench/rollups.py --keep``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/score_profile.py --db prm_bench6 --batch incr2

Inside one transaction that is rolled back at the end (the database is left as it was):

1. the incremental refresh: the buckets (partner, day) of the events whose idempotency key
   starts with ``--batch`` (the benchmark's last incremental batch) are queued for a recompute
   (the window path, as range rebuilds and the first run of a day take it), and the refresh's
   score statements run with ``EXPLAIN (ANALYZE, BUFFERS)``; with ``--fresh N``, N new events
   are folded first (committed) and the refresh of the deltas they queued (the path of every
   run within a day) is profiled instead;
2. the full computation of every score (``scores_through`` reset), the same way, on one
   connection (into the staging table the rebuild swaps in; its keys built, not swapped).

Each statement's execution time and its three costliest plan nodes (by their own time;
``PROFILE_TOP=n`` for more) are printed, with the load average and the backend's CPU time
(steadier than wall time on a shared box); ``--plain`` times the statements without EXPLAIN
instead (its per-row clock reads inflate big plans), for A/B runs.
``--module path/to/scores.py`` profiles another version of ``metrics/scores.py`` on the same
data (e.g. ``git show <commit>:metrics/scores.py > /tmp/old.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import add_cluster_argument, setup_django, use_cluster  # noqa: E402
from bench.rollups import backend_cpu_seconds, load_average  # noqa: E402

TOP = int(__import__("os").environ.get("PROFILE_TOP", "3"))
EXPLAINED = re.compile(r"^\s*(CREATE TEMP TABLE|INSERT|DELETE|SELECT|WITH)", re.IGNORECASE)


class Explaining:
    """A cursor that runs each data statement under EXPLAIN ANALYZE and records its plan."""

    def __init__(self, cursor, log: list, *, explain: bool = True):
        self.cursor, self.log, self.explain = cursor, log, explain
        self.rowcount = 0

    def execute(self, sql, params=None):
        started = time.perf_counter()
        # A SELECT returns rows to the caller (a count, the touched partners): run it as is.
        skip = sql.lstrip().upper().startswith("SELECT")
        if self.explain and EXPLAINED.match(sql) and not skip:
            self.cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = self.cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            self.log.append((_head(sql), plan[0], time.perf_counter() - started))
            self.rowcount = plan[0]["Plan"].get("Actual Rows", 0)
        else:
            self.cursor.execute(sql, params)
            self.rowcount = self.cursor.rowcount
            self.log.append((_head(sql), None, time.perf_counter() - started))

    def fetchone(self):
        return self.cursor.fetchone()

    def fetchall(self):
        return self.cursor.fetchall()


def _head(sql: str) -> str:
    return " ".join(sql.split())[:70]


def _own_times(node, out):
    """(own ms, node label) per plan node: its total time minus its children's."""
    children = node.get("Plans", [])
    total = node.get("Actual Total Time", 0) * node.get("Actual Loops", 1)
    inner = sum(c.get("Actual Total Time", 0) * c.get("Actual Loops", 1) for c in children)
    label = node["Node Type"]
    for key in ("Relation Name", "Strategy", "Join Type"):
        if key in node:
            label += f" {node[key]}"
    out.append((total - inner, label, node.get("Actual Rows", 0) * node.get("Actual Loops", 1)))
    for child in children:
        _own_times(child, out)
    return out


def report(title: str, log: list, total: float, cpu: float) -> None:
    print(
        f"## {title}: {total:.2f} s wall, backend CPU {cpu:.2f} s, {len(log)} statements "
        f"(load {load_average()})"
    )
    for head, plan, seconds in log:
        if plan is None:
            if seconds >= 0.005:
                print(f"  {seconds:7.3f} s  {head}")
            continue
        nodes = sorted(_own_times(plan["Plan"], []), reverse=True)[:TOP]
        costly = "; ".join(
            f"{label} {ms / 1000:.2f} s ({rows:,} rows)" for ms, label, rows in nodes
        )
        print(f"  {plan['Execution Time'] / 1000:7.3f} s  {head}\n             {costly}")


def _fold_fresh(count: int) -> None:
    """Drain the score queues (a real ``scores_refresh``), add ``count`` new events over the
    last minutes and fold them: their deltas wait in ``ScoreDelta`` for the profile."""
    from datetime import UTC, datetime, timedelta

    from django.db import connection

    from bench.rollups import copy_events
    from metrics.rollups import rollup_incremental
    from metrics.scores import scores_refresh

    scores_refresh()
    users: dict[int, list[int]] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT partner_id, user_id FROM partners_partnermembership ORDER BY 1, 2")
        for partner, user in cur.fetchall():
            users.setdefault(partner, []).append(user)
    now = datetime.now(UTC)
    tag = int(time.time())
    copy_events(
        users,
        count=count,
        start=now - timedelta(minutes=5),
        end=now - timedelta(minutes=4),
        key_prefix=f"fresh{tag}",
        late_share=0.01,
        seed=tag,
    )
    result = rollup_incremental()
    print(f"folded {result.events:,} fresh events into {result.buckets:,} buckets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--batch", default="incr2", help="idempotency key prefix of the batch")
    parser.add_argument("--module", help="another metrics/scores.py to profile")
    parser.add_argument(
        "--fresh",
        type=int,
        default=0,
        help="first add this many new events (the benchmark's generator, 1%% late) and fold them "
        "(committed: the kept database grows), then profile the refresh of the deltas they "
        "queued (the within-a-day path) instead of re-queueing --batch",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="time the statements without EXPLAIN (its per-row clock reads inflate big plans)",
    )
    add_cluster_argument(parser)
    args = parser.parse_args()
    use_cluster(args.cluster)
    setup_django(args.db)
    from django.db import connection, transaction
    from django.utils import timezone

    from metrics.models import RollupState

    if args.module:
        spec = importlib.util.spec_from_file_location("scores_under_test", args.module)
        scores = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(scores)
    else:
        from metrics import scores
    as_of = timezone.now().date()
    if args.fresh:
        _fold_fresh(args.fresh)

    class Done(Exception):
        pass

    try:
        with transaction.atomic(), connection.cursor() as raw:
            scores._tune_session(raw)
            through = RollupState.objects.get(name=scores.SCORES_NAME).scores_through
            if args.fresh:
                raw.execute(
                    f"CREATE TEMP TABLE {scores.QUEUED} AS SELECT partner_id, day, seq "
                    "FROM metrics_scoredirty"
                )
                raw.execute(
                    f"CREATE TEMP TABLE {scores.DELTAS} AS SELECT * FROM metrics_scoredelta"
                )
                raw.execute(f"SELECT count(*) FROM {scores.DELTAS} WHERE user_id IS NULL")
            else:
                raw.execute(
                    f"CREATE TEMP TABLE {scores.QUEUED} AS SELECT DISTINCT partner_id, day, "
                    "0 AS seq FROM metrics_event WHERE idempotency_key LIKE %s "
                    "AND partner_id IS NOT NULL",
                    [f"{args.batch}:%"],
                )
                raw.execute(f"SELECT count(*) FROM {scores.QUEUED}")
            queued = raw.fetchone()[0]
            log: list = []
            cursor = Explaining(raw, log, explain=not args.plain)
            started, cpu = time.perf_counter(), backend_cpu_seconds()
            if args.fresh:
                scores._incremental_scores(cursor, as_of=as_of, through=through)
            elif hasattr(scores, "_refresh_scores"):
                scores._refresh_scores(
                    cursor, as_of=as_of, new_after=through, touched=scores.QUEUED
                )
            else:
                scores._rebuild_scores(
                    cursor, as_of=as_of, new_after=through, new_through=as_of, touched=scores.QUEUED
                )
            total = time.perf_counter() - started
            cpu = backend_cpu_seconds() - cpu
            report(f"incremental refresh of {queued:,} queued buckets", log, total, cpu)
            log = []
            started, cpu = time.perf_counter(), backend_cpu_seconds()
            cursor = Explaining(raw, log, explain=not args.plain)
            if hasattr(scores, "_full_scores"):  # before the rebuild by swap
                raw.execute("TRUNCATE metrics_adoptionscore")
                scores._full_scores(cursor, as_of=as_of)
            else:  # the staging table on one connection, its keys built, not swapped in
                from metrics.models import AdoptionScore
                from metrics.rollup_sql import _live_layout, _staging, build_keys, create_staging

                layout = _live_layout(raw, AdoptionScore)
                create_staging(raw, AdoptionScore, layout)
                scores._window_scores(
                    cursor, as_of=as_of, ranges=None, into=_staging(AdoptionScore)
                )
                build_keys(cursor, AdoptionScore, layout)
            total = time.perf_counter() - started
            cpu = backend_cpu_seconds() - cpu
            report("full computation of every score (index builds included)", log, total, cpu)
            raise Done
    except Done:
        pass


if __name__ == "__main__":
    main()
