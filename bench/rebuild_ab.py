"""A/B of the full rebuild of the four summary tables against its write floor (issue 24), on a
database kept by ``bench/rollups.py --keep``. Prints one JSON line; it is not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/rebuild_ab.py <checkout> <db> rebuild|floor|scores

``<checkout>``: the source tree whose ``metrics`` to run (this one, or a ``git archive`` copy of
another commit), so two versions can be alternated on the same data. ``rebuild`` runs that
tree's ``rollup_recompute()`` (it commits: the tables are rebuilt from the same events, so a
rerun gives the same rows); ``floor`` times this tree's ``table_floors(runs=1)`` (the
aggregations read-only and written by ``CREATE TABLE AS``, rolled back); ``scores`` resets
``scores_through`` and runs that tree's ``scores_refresh()``: the full rebuild of every adoption
score and the dashboard summaries (it commits; a rerun gives the same rows).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    root, db, what = sys.argv[1:4]
    sys.path.insert(0, root)
    os.chdir(root)
    from bench.pgserver import setup_django

    setup_django(db)
    from bench.rollups import backend_cpu_seconds

    if what == "floor":
        from bench.rollups import table_floors

        floors = table_floors(runs=1)
        out = {
            "read": round(sum(r for r, _ in floors.values()), 2),
            "write": round(sum(w for _, w in floors.values()), 2),
            "per_table": {k: [round(r, 2), round(w, 2)] for k, (r, w) in floors.items()},
        }
    elif what == "scores":
        from bench.rollups import server_cpu_seconds
        from metrics.models import RollupState
        from metrics.rollups import SCORES_NAME
        from metrics.scores import scores_refresh

        RollupState.objects.update_or_create(name=SCORES_NAME, defaults={"scores_through": None})
        started, cpu, server = time.perf_counter(), backend_cpu_seconds(), server_cpu_seconds()
        result = scores_refresh()
        assert result.ran, result.reason
        out = {
            "wall": round(time.perf_counter() - started, 2),
            "backend_cpu": round(backend_cpu_seconds() - cpu, 2),
            "server_cpu": round(server_cpu_seconds() - server, 2),
            "rows": result.buckets,
            "steps": result.steps,
        }
    else:
        from metrics.rollups import rollup_recompute

        started, cpu = time.perf_counter(), backend_cpu_seconds()
        result = rollup_recompute()
        out = {
            "wall": round(time.perf_counter() - started, 2),
            "backend_cpu": round(backend_cpu_seconds() - cpu, 2),
            "steps": result.steps,
        }
    print(json.dumps({"what": what, **out, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
