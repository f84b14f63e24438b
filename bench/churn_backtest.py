"""Backtest of the churn forecast against the at-risk rules (issue 22). Prints figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/churn_backtest.py --partners 10000

    # the same figures on an existing database (the demo after ``seed_demo``):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_demo uv run python bench/churn_backtest.py --existing

Without ``--existing`` it creates a scratch database (``--db``, default ``prm_bench_churn``),
migrates it and writes a generated history of ``--partners`` partners straight into what the
forecast reads, the way the rollups would have left it: adoption scores every 15 days over 16
months, deal registrations per day (``PartnerDayKind``), and the lifecycle events
(``partner.created``, ``partner.status_changed``) through ``record_events``. (The rollups' own
cost on raw events is measured by bench/rollups.py; generating ten million raw events to roll
them up again would measure that twice.) Each partner has a hidden health that drifts month by
month; activity, active users and deals follow it with noise; a partner whose health is low
often goes inactive or churns, and a few go for no visible reason. Then it trains a version
(``churn_model_train``: the backtest at the last closed cut-off, the rules replayed on the same
partners), prints the model's and the rules' figures side by side, and times the features of
every partner for one day. The scratch database is dropped unless ``--keep``.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import admin_execute, setup_django  # noqa: E402

MONTHS = 17
LAST = date(2026, 11, 30)


def at(d: date, rng: random.Random) -> datetime:
    return datetime.combine(d, dtime(9), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 480))


def generate(n: int, seed: int) -> dict:
    from events.choices import EventKind as K
    from events.services import NewEvent, record_events
    from metrics.models import AdoptionScore, PartnerDayKind
    from partners.models import Partner, PartnerType, Program, Tier

    rng = random.Random(seed)  # noqa: S311 -- reproducible bench data, not secrets
    program = Program.objects.create(name="Churn bench", slug="churn-bench")
    ptype = PartnerType.objects.create(name="Reseller", slug="reseller")
    tier = Tier.objects.create(program=program, name="Silver", rank=1)
    first = LAST - timedelta(days=30 * (MONTHS - 1))
    plans = []
    for i in range(n):
        joined = first - timedelta(days=rng.randint(30, 400))
        plans.append((i, joined))
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"Bench partner {i}",
                domain=f"bench{i}.example",
                program=program,
                partner_type=ptype,
                tier=tier,
                country="DE",
                region="emea",
                status="active",
                joined_at=datetime.combine(joined, dtime(9), tzinfo=UTC),
                activated_at=datetime.combine(joined, dtime(10), tzinfo=UTC),
            )
            for i, joined in plans
        ],
        batch_size=2000,
    )
    ids = list(Partner.objects.filter(program=program).order_by("pk").values_list("pk", flat=True))
    scores, kinds, events = [], [], []
    gone = churned = 0
    for pid, (_, joined) in zip(ids, plans, strict=True):
        events.append(
            NewEvent(
                kind=K.PARTNER_CREATED,
                key=f"bench:created:{pid}",
                partner_id=pid,
                occurred_at=at(joined, rng),
                subject_type="partners.partner",
                subject_id=str(pid),
                properties={"status": "active"},
            )
        )
        level = rng.lognormvariate(math.log(80), 0.6)
        seats = rng.randint(2, 12)
        health = rng.gauss(0.3, 0.5)
        drift = rng.gauss(-0.015, 0.04)
        status = "active"
        for m in range(2 * MONTHS - 1):  # every 15 days, as the training as-of days
            d = first + timedelta(days=15 * m)
            if status == "churned":
                break
            health += drift + rng.gauss(0, 0.18)
            vigour = math.exp(min(1.0, health))
            if status == "inactive":
                vigour *= 0.08
            events_30 = int(level * vigour * rng.lognormvariate(0, 0.3))
            users = max(1, min(seats, round(seats * min(1.0, vigour) * rng.uniform(0.6, 1.0))))
            if events_30 > 0:
                scores.append(
                    AdoptionScore(
                        partner_id=pid,
                        day=d,
                        score=min(100.0, 20 + 40 * min(1.0, vigour) + rng.gauss(0, 8)),
                        areas=max(0, min(5, round(4 * min(1.0, vigour) + rng.gauss(0, 0.8)))),
                        active_days=max(1, min(30, round(18 * min(1.0, vigour)))),
                        active_users=users,
                        seats=seats,
                        events=events_30,
                    )
                )
            deals = sum(1 for _ in range(2) if rng.random() < 0.25 * min(1.5, vigour))
            for _ in range(deals):
                kinds.append((pid, d - timedelta(days=rng.randint(0, 14))))
            hazard = 0.16 if health < -0.9 else 0.04 if health < -0.4 else 0.005
            if status == "active" and m > 0 and rng.random() < hazard:
                status = "churned" if rng.random() < 0.4 else "inactive"
                gone += status == "inactive"
                churned += status == "churned"
                when = d + timedelta(days=rng.randint(1, 14))
                if when <= LAST:
                    events.append(
                        NewEvent(
                            kind=K.PARTNER_STATUS_CHANGED,
                            key=f"bench:status:{pid}:{status}",
                            partner_id=pid,
                            occurred_at=at(when, rng),
                            subject_type="partners.partner",
                            subject_id=str(pid),
                            properties={"from": "active", "to": status},
                        )
                    )
    AdoptionScore.objects.bulk_create(scores, batch_size=5000)
    counted: dict[tuple[int, date], int] = {}
    for key in kinds:
        counted[key] = counted.get(key, 0) + 1
    PartnerDayKind.objects.bulk_create(
        [
            PartnerDayKind(partner_id=p, day=d, kind=K.DEAL_SUBMITTED, events=c)
            for (p, d), c in counted.items()
        ],
        batch_size=5000,
    )
    for i in range(0, len(events), 5000):
        record_events(events[i : i + 5000], batch_size=5000)
    return {
        "partners": n,
        "score_rows": len(scores),
        "deal_days": len(counted),
        "inactive": gone,
        "churned": churned,
    }


def _f(value, digits=3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(version) -> None:
    b = version.backtest
    print(f"\nChurn model version {version.pk}: {version.status}. {version.note}")
    if not b:
        print(f"  training rows {version.training_rows}, positives {version.training_positives}")
        return
    m, r = b["model"], b["rules"]
    print(
        f"  backtest cut-off {version.backtest_cutoff}: trained on {b['backtest_training_rows']:,} "
        f"partner-periods; scored {b['partners']:,} partners, {b['positives']:,} churned or "
        f"halved within 90 days (base rate {_f(b['base_rate'])})"
    )
    print(
        f"  final version: {version.training_rows:,} rows, {version.training_positives:,} positive"
    )
    print(f"  {'figure':<44}{'model':>10}{'rules':>10}")
    rows = [
        ("ROC AUC", m["auc"], r["auc"]),
        (f"precision at the rules' list size ({r['listed']})", m["precision_at_rules_k"], r["precision"]),
        (f"precision in the top 10% ({m['top_k']})", m["precision_top10"], None),
        ("recall (model: top 10%; rules: its list)", m["recall_top10"], r["recall"]),
        ("Brier score", m["brier"], None),
    ]  # fmt: skip
    for label, a, c in rows:
        print(f"  {label:<44}{_f(a):>10}{_f(c):>10}")
    g = b.get("gradient_boosting") or {}
    print(
        f"  gradient boosting on the same rows (comparison only): AUC {_f(g.get('auc'))}, "
        f"Brier {_f(g.get('brier'))}"
    )
    print(f"  beats the rules: {version.beats_rules}")
    print("  reliability (forecast bin: partners, mean forecast, observed share)")
    for row in m["reliability"]:
        print(
            f"    {row['low']:.1f}-{row['high']:.1f}: {row['n']:>6} "
            f"{row['forecast']:.3f} {row['observed']:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--db", default="prm_bench_churn")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--existing", action="store_true", help="Use DATABASE_URL as it is.")
    args = parser.parse_args()
    if args.existing:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
        os.environ["DEBUG"] = "false"
        import django

        django.setup()
    else:
        if not (args.db.startswith("prm_") and "bench" in args.db):
            sys.exit("--db must start with prm_ and contain bench")
        admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')
        admin_execute(f'CREATE DATABASE "{args.db}"')
        setup_django(args.db)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        from metrics.churn import features_as_of
        from metrics.churn_model import churn_model_train, scores_span

        if not args.existing:
            began = time.monotonic()
            print(
                f"Generated {generate(args.partners, args.seed)} in {time.monotonic() - began:.1f} s"
            )
        began = time.monotonic()
        version = churn_model_train()
        print(f"Trained and backtested in {time.monotonic() - began:.1f} s")
        report(version)
        last = scores_span()[1]
        if last is not None:
            began = time.monotonic()
            rows = features_as_of(last)
            print(
                f"\nFeatures of {len(rows):,} partners as of {last}: "
                f"{1000 * (time.monotonic() - began):.0f} ms"
            )
    finally:
        if not args.existing and not args.keep:
            from django.db import connections

            connections.close_all()
            admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
