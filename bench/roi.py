"""Benchmark of the program ROI (metrics.definitions.program_roi, the /manage/roi/ page) on Postgres.
Prints figures; it is not a test.

    createdb -h 127.0.0.1 -U postgres prm_roi_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_roi_bench uv run python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_roi_bench \\
        uv run python bench/roi.py --prepare --partners 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_roi_bench \\
        flock /work/bench.lock uv run python bench/roi.py --runs 20

--prepare bulk-inserts (no services: the figures read rows, not how they were made) two programs
of three tiers, ``--partners`` partners, 6 won deals per partner over the last two years in six
currencies (JPY with no rate in the bench's rates), 1.5 paid MDF claims and 5 point awards per
partner. The measurement times ``program_roi`` in-process (quarter and year, no filter and a tier)
and the page through Django's test client (server time, in-process; the bell and session
included), p50/p95 over ``--runs``.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RATES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73, "AUD": 0.66}
CURRENCIES = ["USD", "USD", "EUR", "GBP", "CAD", "JPY"]
UNTIL = date(2026, 11, 30)


def prepare(partners: int) -> None:
    from accounts.models import User
    from deals.models import Deal
    from incentives.models import Award, AwardRule, MdfAllocation, MdfRequest
    from partners.models import Partner, PartnerType, Program, Tier

    rnd = random.Random(19)  # noqa: S311 (bench data, not secrets)
    user, _ = User.objects.get_or_create(
        email="roi-bench@vendor.example",
        defaults={"vendor_role": "admin", "full_name": "Roi Bench", "is_staff": True},
    )
    ptype, _ = PartnerType.objects.get_or_create(slug="reseller", defaults={"name": "Reseller"})
    tiers = []
    for p in range(2):
        program, _ = Program.objects.get_or_create(
            slug=f"bench-{p}", defaults={"name": f"Bench {p}"}
        )
        for rank in (1, 2, 3):
            tier, _ = Tier.objects.get_or_create(
                program=program, rank=rank, defaults={"name": f"T{rank}"}
            )
            tiers.append(tier)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    rows = Partner.objects.bulk_create(
        Partner(
            name=f"Bench partner {n:05d}",
            program_id=(tier := rnd.choice(tiers)).program_id,
            tier=tier if rnd.random() < 0.85 else None,
            partner_type=ptype,
            region=rnd.choice(["na", "emea", "apac", "latam"]),
            status="active",
            joined_at=now - timedelta(days=800),
            activated_at=now - timedelta(days=790),
        )
        for n in range(partners)
    )
    day = timedelta(days=1)
    deals, allocations, awards = [], [], []
    rule = AwardRule.objects.create(name="bench", event_kind="deal.won", points=10)
    event = 10_000_000
    for partner in rows:
        for k in range(6):
            closed = now - day * rnd.randint(0, 730)
            amount = Decimal(rnd.randint(1_000, 90_000))
            deals.append(
                Deal(
                    partner=partner,
                    created_by=user,
                    status="won",
                    customer_name=f"Customer {partner.pk}-{k}",
                    customer_name_normalized=f"customer {partner.pk}-{k}",
                    currency=CURRENCIES[k],
                    amount=amount,
                    final_amount=amount,
                    submitted_at=closed - 30 * day,
                    closed_at=closed,
                )
            )
        allocations.append(
            MdfAllocation(
                partner=partner,
                period="bench",
                starts_on=date(2025, 1, 1),
                ends_on=date(2026, 12, 31),
                currency="USD" if rnd.random() < 0.8 else "EUR",
                amount=Decimal("1000000"),
            )
        )
        for _k in range(5):
            event += 1
            awards.append(
                Award(
                    rule=rule,
                    event_id=event,
                    event_kind="deal.won",
                    partner=partner,
                    points=10,
                    occurred_at=now - day * rnd.randint(0, 730),
                )
            )
    Deal.objects.bulk_create(deals, batch_size=5000)
    MdfAllocation.objects.bulk_create(allocations, batch_size=5000)
    Award.objects.bulk_create(awards, batch_size=5000)
    requests = []
    for allocation in MdfAllocation.objects.filter(period="bench"):
        for _k in range(rnd.choice([1, 2])):
            value = Decimal(rnd.randint(500, 20_000))
            decided = now - day * rnd.randint(0, 700)
            requests.append(
                MdfRequest(
                    allocation=allocation,
                    partner_id=allocation.partner_id,
                    status="paid",
                    title="Bench",
                    description="Bench",
                    activity_starts_on=decided.date() - 60 * day,
                    activity_ends_on=decided.date() - 30 * day,
                    requested_amount=value,
                    approved_amount=value,
                    claimed_amount=value,
                    requested_by=user,
                    requested_at=decided - 90 * day,
                    claim_decided_at=decided,
                )
            )
    MdfRequest.objects.bulk_create(requests, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"{len(rows)} partners, {len(deals)} deals, {len(requests)} paid claims, {len(awards)} awards"
    )


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def measure(runs: int) -> None:
    from accounts.models import User
    from metrics import definitions as d
    from partners.models import Tier

    settings.PRM_TIER_FX_RATES = RATES
    tier = Tier.objects.filter(program__slug="bench-0").order_by("rank").first()
    quarter = date(2026, 10, 1)
    year = UNTIL - timedelta(days=364)
    cases = {
        "metric, quarter, no filter": lambda: d.program_roi(since=quarter, until=UNTIL),
        "metric, 12 months, no filter": lambda: d.program_roi(since=year, until=UNTIL),
        "metric, 12 months, one tier": lambda: d.program_roi(since=year, until=UNTIL, tier=tier),
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(email="roi-bench@vendor.example"))
    query = {"since": year.isoformat(), "until": UNTIL.isoformat(), "owner": ""}

    def page():
        response = client.get("/manage/roi/", query)
        assert response.status_code == 200, response.status_code

    cases["page /manage/roi/, 12 months"] = page
    for label, fn in cases.items():
        p50, p95 = timed(fn, runs)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        print(
            f"{label:34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {len(ctx.captured_queries)} queries"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.partners)
    else:
        measure(args.runs)
