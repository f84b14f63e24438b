# ruff: noqa: S603 -- this repository's own benchmark, with fixed arguments
"""Growth of the rollup figures with history (issue 24 item 4). Prints figures; not a test.

    uv run python bench/growth.py --cluster /work/pgbench --lock /work/bench.lock
    uv run python bench/growth.py --cluster /work/pgbench --quick        # smaller sizes

Runs ``bench/rollups.py`` once per size of ``--sizes`` (events:partners, default
``1M:10k,10M:10k,10M:50k``; ``--quick``: ``50k:500,500k:500,500k:2500`` with 5k incremental
events), each in two child processes, the data set (``--seed-only``) then the measurement
(``--reuse``) (``--lock FILE``: each under ``flock FILE``, two shorter locked runs per size),
writing its figures with ``--json`` into ``--out`` (default var/growth/); ``--run`` runs only
some of the sizes (a long matrix in chunks: the table reads every size's JSON found in --out);
``--table-only`` runs nothing. Then it prints a table: each figure per size and, from one size
to the next, the figure's growth factor beside the growth of the work it does:

- the raw GROUP BY and the four tables' read-only GROUP BYs read every event: work = events;
- the write floor and the full recompute read every event and write every group:
  work = the larger of the events' and the groups' growth;
- the full score rebuild computes every partner-day from the bucket rows under it: work = the
  larger of the partner-days' and the (partner, day, kind) groups' growth;
- the incremental rollup folds ``--incremental`` new events whatever the history: work = 1,
  it must stay flat; the score refresh after it rewrites the partner-days those events touch:
  work = the larger of 1 and the refreshed partner-days' growth.

A figure that grows more than ``--tolerance`` (default 1.5) times its work is flagged
``DEFECT?`` (figures under 0.05 s are too small to judge on a shared box). ``--cluster DIR``
(or ``PRM_BENCH_CLUSTER``) runs everything on the benchmark's own cluster (bench/pgserver.py),
started once for the whole matrix.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import add_cluster_argument, use_cluster  # noqa: E402

FULL = "1M:10k,10M:10k,10M:50k"
QUICK = "50k:500,500k:500,500k:2500"
TOO_SMALL = 0.05  # seconds


def parse_count(text: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for item in text.split(","):
        events, partners = item.split(":")
        sizes.append((parse_count(events), parse_count(partners)))
    return sizes


def short(n: int) -> str:
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div and n % (div // 10) == 0:
            return f"{n / div:g}{unit}"
    return str(n)


def result_path(out: Path, events: int, partners: int) -> Path:
    return out / f"rollups-{short(events)}-{short(partners)}.json"


def run_size(args, events: int, partners: int) -> None:
    """One size in two runs of rollups.py, each locked apart: the data set (``--seed-only``),
    then the measurement on it (``--reuse``), which drops it."""
    path = result_path(args.out, events, partners)
    size = ("--events", str(events), "--partners", str(partners), "--db", args.db)
    for step, extra in (
        ("seed", ("--seed-only",)),
        ("measure", ("--reuse", "--incremental", str(args.incremental), "--json", str(path))),
    ):
        log = path.with_name(f"{path.stem}-{step}.log")
        command = [
            *(("flock", args.lock) if args.lock else ()),
            sys.executable,
            str(ROOT / "bench" / "rollups.py"),
            *size,
            *extra,
        ]
        print(f"$ {' '.join(command)}  > {log}", flush=True)
        started = time.monotonic()
        with log.open("w") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        minutes = (time.monotonic() - started) / 60
        if done.returncode:
            sys.exit(f"rollups.py failed ({done.returncode}) after {minutes:.1f} min: see {log}")
        print(f"  {step}: {minutes:.1f} min (lock wait included)", flush=True)


# (JSON key, label, unit, work) -- work(a, b) -> (factor, what) from one size's figures to the next
def _ratio(a: dict, b: dict, key: str) -> float:
    return b[key] / a[key] if a[key] else float("nan")


def _events(a, b):
    return _ratio(a, b, "events"), "events"


def _rows(a, b):
    events, groups = _ratio(a, b, "events"), _ratio(a, b, "groups")
    return (events, "events") if events >= groups else (groups, "groups")


def _partner_days(a, b):
    """A full score rebuild writes every partner-day and reads every bucket row under them (the
    (partner, day, kind) groups stand for those: the per-user rows grow alike)."""
    days, groups = _ratio(a, b, "score_rebuild_partner_days"), _ratio(a, b, "groups")
    return (days, "partner-days") if days >= groups else (groups, "bucket rows")


def _new_events(a, b):
    return _ratio(a, b, "incremental"), "new events"


def _refreshed(a, b):
    new, days = _ratio(a, b, "incremental"), _ratio(a, b, "score_refresh_partner_days")
    return (new, "new events") if new >= days else (days, "refreshed partner-days")


FIGURES = [
    ("floor", "(a) raw GROUP BY partner, day, kind", "s", _events),
    ("floor_cpu", "    the same, backend CPU", "s", _events),
    ("table_group_bys", "four tables' read-only GROUP BYs, summed", "s", _events),
    ("write_floor", "write floor (CREATE TABLE AS of the floor's groups)", "s", _rows),
    ("full_recompute", "(b) full recompute of the four tables", "s", _rows),
    ("full_recompute_cpu", "    the same, backend CPU", "s", _rows),
    ("score_rebuild", "full rebuild of every adoption score", "s", _partner_days),
    ("incremental_rollup", "(c) incremental rollup (median of 3)", "s", _new_events),
    ("incremental_rollup_cpu", "    the same, shard 0's backend CPU", "s", _new_events),
    ("score_refresh", "score refresh after it (median of 3)", "s", _refreshed),
    ("rss_incremental_mb", "(d) worker peak RSS, incremental", "MB", _new_events),
]
COUNTS = [
    ("groups", "groups (partner, day, kind)"),
    ("score_rebuild_partner_days", "partner-days scored"),
    ("score_refresh_partner_days", "partner-days refreshed (last incremental run)"),
]


def table(results: list[dict], tolerance: float) -> tuple[str, int]:
    """The Markdown table of the figures and their growth; and the number of DEFECT? flags."""
    names = [f"{short(r['events'])} ev / {short(r['partners'])} p" for r in results]
    steps = []
    for a, b in itertools.pairwise(results):
        steps.append(
            f"{names[results.index(a)]} → {names[results.index(b)]}: events "
            f"x{_ratio(a, b, 'events'):g}, partners x{_ratio(a, b, 'partners'):g}"
        )
    head = ["figure", *names, *[f"growth {i + 1} (work)" for i in range(len(steps))]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label in COUNTS:
        lines.append(
            "| " + " | ".join([label, *[f"{r[key]:,}" for r in results], *[""] * len(steps)]) + " |"
        )
    flags = 0
    for key, label, unit, work in FIGURES:
        cells = [label]
        for r in results:
            cells.append(f"{r[key]:.0f} {unit}" if unit == "MB" else f"{r[key]:.3f} {unit}")
        for a, b in itertools.pairwise(results):
            grew = _ratio(a, b, key)
            factor, what = work(a, b)
            cell = f"x{grew:.2f} ({what} x{factor:.2f})"
            if unit == "s" and max(a[key], b[key]) < TOO_SMALL:
                cell += " too small to judge"
            elif grew > factor * tolerance:
                cell += " **DEFECT?**"
                flags += 1
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    legend = "\n".join(f"- growth {i + 1}: {s}" for i, s in enumerate(steps))
    return "\n".join(lines) + "\n\n" + legend + "\n", flags


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", help=f"events:partners,... (default {FULL})")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK}, 5k incremental")
    parser.add_argument("--incremental", type=int, help="new events per run (default 100k)")
    parser.add_argument("--run", help="only these sizes of the matrix (same syntax); 'none'")
    parser.add_argument("--table-only", action="store_true", help="run nothing, print the table")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "growth")
    parser.add_argument("--db", default="prm_bench_growth")
    parser.add_argument("--lock", help="run each size under `flock LOCK` (e.g. /work/bench.lock)")
    parser.add_argument("--tolerance", type=float, default=1.5)
    add_cluster_argument(parser)
    args = parser.parse_args()
    sizes = parse_sizes(args.sizes or (QUICK if args.quick else FULL))
    if args.incremental is None:
        args.incremental = 5_000 if args.quick else 100_000
    if args.quick and args.out == parser.get_default("out"):
        args.out = args.out / "quick"
    args.out.mkdir(parents=True, exist_ok=True)
    to_run = [] if args.table_only else parse_sizes(args.run) if args.run else sizes
    print(f"# growth of the rollup figures, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
          f"{', '.join(f'{short(e)} events / {short(p)} partners' for e, p in sizes)}, "
          f"{args.incremental:,} new events per incremental run")  # fmt: skip
    if to_run:
        use_cluster(args.cluster)
    for events, partners in to_run:
        if (events, partners) not in sizes:
            sys.exit(f"--run {short(events)}:{short(partners)} is not in --sizes")
        run_size(args, events, partners)

    results = []
    for events, partners in sizes:
        path = result_path(args.out, events, partners)
        if not path.exists():
            print(f"(no figures yet for {short(events)}:{short(partners)}: {path})")
            continue
        result = json.loads(path.read_text())
        if result["incremental"] != args.incremental:
            print(f"(note: {path.name} ran {result['incremental']:,} incremental events)")
        results.append(result)
    if not results:
        return
    for r in results:
        load = ", ".join(f"{v:.1f}" for v in r["load_average"])
        print(f"{short(r['events'])} events / {short(r['partners'])} partners: load average at "
              f"its end {load}; postgres {r['settings']['server_version'].split()[0]}, "
              + ", ".join(f"{k}={v}" for k, v in r["settings"].items() if k != "server_version"))  # fmt: skip
    text, flags = table(results, args.tolerance)
    print()
    print(text)
    print(f"{flags} figure(s) grew more than {args.tolerance}x their work (DEFECT?)")
    (args.out / "table.md").write_text(text)


if __name__ == "__main__":
    main()
