"""Benchmark of the vendor staff's partner list (``/manage/``, issue 19) on Postgres. Prints
figures; not a test.

    createdb -h 127.0.0.1 -U postgres prm_i19list   # or let the script create it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_i19list \\
        uv run python bench/partner_list.py --partners 10000

The database named by ``DATABASE_URL`` (default ``--db``) is migrated and loaded with
``--partners`` partners over 3 programs, 4 types, 3 tiers each, 4 regions, 12 countries, 6
statuses and 8 channel managers, one person each, certificates for a third of them, adoption
scores on the current day for two thirds, checklist steps, offering adoption spans. Then it
requests the list (Django's test client, a logged-in vendor admin: the whole server side,
middleware and template included) ``--runs`` times per scenario and prints the median and p95
server time, the SQL queries and the Python CPU time per request (which the other processes of
a loaded machine barely move), beside the target (p95 under 100 ms). Scenarios: three filters
and a sort (the target), no filter, every filter at once, drill-downs from the dashboard (a
figure and a filter), and at-risk (first, the time the
after-rollup step takes to store the day's at-risk set, which that filter reads). With
``REDIS_URL`` set the cache is Redis, as in production (else the database cache). ``--keep``
keeps the data (a rerun skips loading when partners exist). On a shared machine the times are
upper bounds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import (  # noqa: E402
    add_cluster_argument,
    admin_execute,
    setup_django,
    use_cluster,
)

TARGET_MS = 100.0


def seed(n: int, rng: random.Random) -> None:
    from django.utils import timezone

    from accounts.choices import VendorRole
    from accounts.models import User
    from enablement.models import Certificate, Certification
    from metrics.list_filters import current_score_day
    from metrics.models import AdoptionScore, OfferingAdoptionSpan
    from onboarding.choices import StepKind, StepStatus
    from onboarding.models import ChecklistStep, ChecklistTemplate, PartnerChecklist, TemplateStep
    from partners.choices import PartnerStatus, Region
    from partners.models import Offering, Partner, PartnerMembership, PartnerType, Program, Tier

    now = timezone.now()
    programs = [Program.objects.create(name=f"Program {i}", slug=f"p{i}") for i in range(3)]
    types = [PartnerType.objects.create(name=f"Type {i}", slug=f"t{i}") for i in range(4)]
    tiers = {
        p.pk: [Tier.objects.create(program=p, rank=r, name=f"Tier {r}") for r in (1, 2, 3)]
        for p in programs
    }
    managers = [
        User.objects.create_user(
            email=f"cm{i}@vendor.example", full_name=f"Manager {i}",
            vendor_role=VendorRole.CHANNEL_MANAGER,
        )
        for i in range(8)
    ]  # fmt: skip
    User.objects.create_user(
        email="admin@vendor.example", full_name="Admin", vendor_role=VendorRole.ADMIN
    )
    countries = ["US", "CA", "MX", "BR", "DE", "FR", "GB", "ES", "IN", "JP", "AU", "SG"]
    regions = list(Region.values)
    statuses = [
        PartnerStatus.ACTIVE, PartnerStatus.ACTIVE, PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING,
        PartnerStatus.APPLICANT, PartnerStatus.CHURNED,
    ]  # fmt: skip
    partners = []
    for i in range(n):
        program = programs[i % 3]
        status = statuses[rng.randrange(len(statuses))]
        joined = (
            None
            if status == PartnerStatus.APPLICANT
            else now - timedelta(days=rng.randrange(1, 1500))
        )
        partners.append(
            Partner(
                name=f"Partner {i:05d} {rng.choice(['Systems', 'Consulting', 'Cloud', 'Labs'])}",
                domain=f"partner{i}.example",
                program=program,
                partner_type=types[rng.randrange(4)],
                tier=tiers[program.pk][rng.randrange(3)],
                country=rng.choice(countries),
                region=rng.choice(regions),
                status=status,
                joined_at=joined,
                activated_at=joined if status == PartnerStatus.ACTIVE else None,
                owner=managers[rng.randrange(8)] if rng.random() < 0.9 else None,
            )
        )
    partners = Partner.objects.bulk_create(partners, batch_size=2000)
    people = User.objects.bulk_create(
        [User(email=f"u{p.pk}@partner.example", full_name=f"Person {p.pk}") for p in partners],
        batch_size=2000,
    )
    PartnerMembership.objects.bulk_create(
        [PartnerMembership(user=u, partner=p) for u, p in zip(people, partners, strict=True)],
        batch_size=2000,
    )
    certs = [Certification.objects.create(name=f"Cert {i}", slug=f"c{i}") for i in range(3)]
    Certificate.objects.bulk_create(
        [
            Certificate(
                certification=certs[i % 3], user=u, partner=p, holder_name=u.full_name,
                code=f"B{i:08d}", expires_at=now + timedelta(days=200),
            )
            for i, (u, p) in enumerate(zip(people, partners, strict=True))
            if i % 3 == 0
        ],
        batch_size=2000,
    )  # fmt: skip
    day = current_score_day()
    AdoptionScore.objects.bulk_create(
        [
            AdoptionScore(
                partner=p, day=day, score=rng.uniform(0, 100), areas=2, active_days=5,
                active_users=1, seats=1, events=20,
            )
            for p in partners
            if rng.random() < 0.66
        ],
        batch_size=2000,
    )  # fmt: skip
    offering = Offering.objects.create(name="Cloud", slug="cloud", launched_on=day)
    OfferingAdoptionSpan.objects.bulk_create(
        [
            OfferingAdoptionSpan(
                offering=offering.slug, partner=p, start=day - timedelta(days=10),
                end=day.replace(year=9999),
            )
            for p in partners
            if rng.random() < 0.3
        ],
        batch_size=2000,
    )  # fmt: skip
    template = ChecklistTemplate.objects.create(name="Standard")
    TemplateStep.objects.create(
        template=template, key="kickoff", title="Kickoff", kind=StepKind.CUSTOM
    )
    checklists = PartnerChecklist.objects.bulk_create(
        [
            PartnerChecklist(partner=p, template=template, template_name="Standard", version=1)
            for p in partners
            if p.status != PartnerStatus.APPLICANT
        ],
        batch_size=2000,
    )
    done = [rng.random() < 0.5 for _ in checklists]
    ChecklistStep.objects.bulk_create(
        [
            ChecklistStep(
                checklist=c, key="kickoff", title="Kickoff", kind=StepKind.CUSTOM,
                due_at=now + timedelta(days=30),
                status=StepStatus.DONE if d else StepStatus.PENDING,
                completed_at=now if d else None,
            )
            for c, d in zip(checklists, done, strict=True)
        ],
        batch_size=2000,
    )  # fmt: skip


def measure(client, params: dict, runs: int) -> tuple[float, float, int, int, float, float]:
    """(median, p95, queries, rows, SQL ms of one request, median CPU ms of this process per
    request: the Python side alone, which a loaded machine's other processes barely move)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/manage/", params)  # warm
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get("/manage/", params)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/manage/", params)
    body = response.content.decode()
    assert "Some filters were ignored" not in body, "a benchmark parameter was refused"
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    match = re.search(r'fw-normal small">\((\d+)\)</span>', body)
    rows = int(match.group(1)) if match else 0
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    return statistics.median(times), p95, len(captured), rows, sql_ms, statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", default="")
    parser.add_argument("--keep", action="store_true", help="keep the data for a rerun")
    add_cluster_argument(parser)
    args = parser.parse_args()
    use_cluster(args.cluster)
    db = args.db or urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "prm_i19list"
    if db in ("postgres", "prm"):
        sys.exit("Give a database of your own (--db or DATABASE_URL): it is loaded and dropped.")
    with contextlib.suppress(Exception):  # it exists already
        admin_execute(f'CREATE DATABASE "{db}"')
    setup_django(db)

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from accounts.models import User
    from enablement.models import Certification
    from partners.models import Partner, Program

    try:
        if not Partner.objects.exists():
            start = time.perf_counter()
            seed(args.partners, random.Random(19))  # noqa: S311 - test data
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(
                f"loaded {Partner.objects.count()} partners in {time.perf_counter() - start:.1f} s"
            )
        # What the after-rollup step does (metrics.at_risk_store): the at-risk rules over every
        # partner, stored for the scores day; the list's at_risk filter then reads that set.
        from metrics.at_risk_store import at_risk_store
        from metrics.list_filters import current_score_day

        start = time.perf_counter()
        at_risk = at_risk_store(day=current_score_day())
        print(
            f"at-risk set stored after the rollup: {at_risk} partners in "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )
        client = Client()
        client.force_login(User.objects.get(email="admin@vendor.example"))
        program = Program.objects.order_by("pk").first()
        certification = Certification.objects.order_by("pk").first()
        from metrics.list_filters import current_score_day

        today = current_score_day()
        year_ago = (today - timedelta(days=364)).isoformat()
        today = today.isoformat()
        scenarios = [
            (
                "three filters + sort (program, status, score_min; sort=name)",
                {"scope": "all", "program": program.pk, "status": "active", "score_min": "40",
                 "sort": "name"},
            ),
            (
                "three filters + sort (region, certification, q; sort=-joined)",
                {"scope": "all", "region": "emea", "certification": certification.pk,
                 "q": "cloud", "sort": "-joined"},
            ),
            ("no filter (default order), page 40", {"scope": "all", "page": "40"}),
            ("no filter, sort=owner", {"scope": "all", "sort": "owner"}),
            (
                "every filter but at-risk, sort=-tier",
                {"scope": "all", "program": program.pk, "region": "emea", "status": "active",
                 "joined_from": "2023-01-01", "joined_to": "2026-12-31",
                 "certification": certification.pk, "step": "kickoff", "step_state": "done",
                 "score_min": "10", "score_max": "90", "offering": "cloud",
                 "offering_state": "adopted", "q": "partner", "sort": "-tier"},
            ),
            ("at_risk=1 (the set stored after the rollup)", {"scope": "all", "at_risk": "1"}),
            # Drill-downs from the dashboard (metrics.drilldown): a figure and a filter.
            (
                "drill-down: funnel step not done, program",
                {"scope": "all", "program": program.pk, "figure": "step_not",
                 "figure_key": "kickoff", "since": year_ago, "until": today},
            ),
            (
                "drill-down: score bucket 40-49 on the last day, region",
                {"scope": "all", "region": "emea", "figure": "score", "figure_key": "40",
                 "since": year_ago, "until": today},
            ),
            (
                "drill-down: offering eligible but not adopted, program",
                {"scope": "all", "program": program.pk, "figure": "not_adopted",
                 "figure_key": "cloud", "since": year_ago, "until": today},
            ),
            (
                "drill-down: partners joined, region, sort=name",
                {"scope": "all", "region": "emea", "figure": "joined", "since": year_ago,
                 "until": today, "sort": "name"},
            ),
        ]  # fmt: skip
        load = os.getloadavg()[0]
        print(
            f"{Partner.objects.count()} partners, {args.runs} requests per scenario, "
            f"load average {load:.1f} on {os.cpu_count()} CPUs (sql: one request's queries)"
        )
        print(
            f"{'scenario':<66} {'median':>8} {'p95':>8} {'target':>8} {'queries':>8} "
            f"{'sql':>8} {'cpu':>8} {'rows':>6}"
        )
        for label, params in scenarios:
            median, p95, queries, rows, sql_ms, cpu_ms = measure(client, params, args.runs)
            verdict = "ok" if p95 < TARGET_MS else "OVER"
            print(
                f"{label:<66} {median:7.1f}ms {p95:7.1f}ms {'<100ms':>8} {queries:>8} "
                f"{sql_ms:6.0f}ms {cpu_ms:6.1f}ms {rows:>6}"
                f"  {verdict}"
            )
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_execute(f'DROP DATABASE IF EXISTS "{db}"')


if __name__ == "__main__":
    main()
