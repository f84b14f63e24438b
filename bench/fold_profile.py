# ruff: noqa: S608 -- SQL built from constants and model table names only
"""Where the incremental fold spends its time, per plan node (issue 24). Prints figures; it is
not a test. Run it on a database kept by ``bench/rollups.py --keep`` (or ``--seed-only``):

    uv run python bench/fold_profile.py --db prm_bench6 --cluster /work/bench/pgcluster

``--events`` new events (default 100k, 1% late, as ``bench/rollups.py``'s incremental runs) are
COPYed and committed; then shard 0 of ``--shards`` (the rollup's default 2) has its fold
statement (``metrics.rollup_sql.fold_statement``, as ``metrics.rollups._fold`` builds it) run
under ``EXPLAIN (ANALYZE, BUFFERS)`` inside a transaction that is rolled back, so the data set
is left folded as before (the new events stay, unfolded: the next rollup folds them). Prints the
statement's time, the backend's CPU, each upsert's own time (``ModifyTable`` per table) and the
costliest other nodes; ``--plain`` runs it without EXPLAIN (no per-row clock reads) for the CPU
alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import add_cluster_argument, setup_django, use_cluster  # noqa: E402
from bench.rollups import backend_cpu_seconds, copy_events, load_average  # noqa: E402
from bench.score_profile import _own_times  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--plain", action="store_true", help="no EXPLAIN: time and CPU only")
    add_cluster_argument(parser)
    args = parser.parse_args()
    use_cluster(args.cluster)
    setup_django(args.db)
    from django.db import connection, transaction

    from events.models import Event
    from metrics.rollup_sql import NEW, _area_bit, _offering_json, _t, fold_statement
    from metrics.rollups import (
        _lock_state,
        _safe_upper_bound,
        _shard_of,
        _tune_session,
        member_join,
        member_user,
        rollup_incremental,
        shard_name,
    )

    rollup_incremental()  # start from a folded log
    users: dict[int, list[int]] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT partner_id, user_id FROM partners_partnermembership ORDER BY 1, 2")
        for partner, user in cur.fetchall():
            users.setdefault(partner, []).append(user)
    now, tag = datetime.now(UTC), int(time.time())
    copy_events(
        users,
        count=args.events,
        start=now - timedelta(minutes=5),
        end=now - timedelta(minutes=4),
        key_prefix=f"fold{tag}",
        late_share=0.01,
        seed=tag,
    )
    shard, shards = 0, args.shards
    with transaction.atomic(), connection.cursor() as cursor:
        state = _lock_state(shard_name(shard) if shards > 1 else "daily")
        _tune_session(cursor)
        upper = _safe_upper_bound(cursor)
        mine = _shard_of("e.partner_id", shard, shards)
        new = "e.id > %s AND e.id <= %s AND e.partner_id IS NOT NULL" + (
            f" AND {mine}" if mine else ""
        )
        select_new = f"""SELECT e.id, e.partner_id, e.day, e.kind, {_area_bit()} AS area,
                                {member_user()} AS user_id, {_offering_json()}, 1 AS events
                         FROM {_t(Event)} e
                         {member_join(partners=_shard_of("partner_id", shard, shards))}
                         WHERE {new}"""
        sql = fold_statement(NEW, select_new)
        cpu = backend_cpu_seconds()
        started = time.perf_counter()
        if args.plain:
            cursor.execute(sql, [state.watermark, upper])
            events, buckets = cursor.fetchone()
            plan = None
        else:
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, [state.watermark, upper]
            )
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            events = buckets = None
        wall = time.perf_counter() - started
        cpu = backend_cpu_seconds() - cpu
        transaction.set_rollback(True)
    print(
        f"fold of shard {shard} of {shards} ({args.events:,} new events in all): {wall:.3f} s "
        f"wall, backend CPU {cpu:.3f} s; load {load_average()}"
    )
    if plan is None:
        print(f"  {events:,} events, {buckets:,} buckets")
        return
    print(f"  execution {plan['Execution Time'] / 1000:.3f} s")
    nodes = sorted(_own_times(plan["Plan"], []), reverse=True)
    for ms, label, rows in nodes[:12]:
        print(f"  {ms / 1000:7.3f} s  {label} ({rows:,} rows)")


if __name__ == "__main__":
    main()
