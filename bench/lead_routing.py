"""Benchmark of lead routing (issue 20): 10,000 leads against 10,000 partners. Prints figures; it
is not a test.

    # the pure decision (leads.routing.route), in memory: no database
    uv run python bench/lead_routing.py --pure --leads 10000 --partners 10000
    # the whole service (leads.services.lead_create with routing) on Postgres: an empty database
    createdb -h 127.0.0.1 -U postgres prm_leads_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_leads_bench uv run python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_leads_bench \\
        uv run python bench/lead_routing.py --service --leads 500 --partners 10000

--pure feeds each choice back (the partner's open leads and its count under a round-robin rule
grow), as routing them one after another would. --service creates the partners once (bulk), three
rules (a region + type rule with capacity, a round-robin rule, a catch-all), then enters and routes
``--leads`` leads one by one through the real service, counting the SQL queries of each."""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

REGIONS = ["na", "latam", "emea", "apac"]


def pure(leads: int, partners: int) -> None:
    from dataclasses import replace

    from leads.routing import LeadFacts, PartnerFacts, RuleFacts, route

    rng = random.Random(20)  # noqa: S311 -- benchmark data, not security
    facts = {
        i: PartnerFacts(
            id=i,
            name=f"P{i}",
            program_id=1,
            region=rng.choice(REGIONS),
            type_id=rng.randint(1, 5),
            tier_id=rng.randint(1, 4),
            tier_rank=rng.randint(1, 4),
        )
        for i in range(1, partners + 1)
    }
    rules = [
        RuleFacts(id=1, name="NA resellers", program_id=1, position=1,
                  regions=frozenset({"na"}), type_ids=frozenset({1}), max_open_leads=5),
        RuleFacts(id=2, name="EMEA round-robin", program_id=1, position=2,
                  regions=frozenset({"emea"}), strategy="round_robin"),
        RuleFacts(id=3, name="Everyone else", program_id=1, position=3),
    ]  # fmt: skip
    times, unrouted = [], 0
    for _ in range(leads):
        lead = LeadFacts(program_id=1, region=rng.choice(REGIONS), country="DE")
        start = time.perf_counter()
        choice = route(lead, facts.values(), rules)
        times.append(time.perf_counter() - start)
        if choice is None:
            unrouted += 1
            continue
        p = facts[choice.partner_id]
        counts = dict(p.offers_by_rule)
        counts[choice.rule_id] = counts.get(choice.rule_id, 0) + 1
        facts[p.id] = replace(p, open_leads=p.open_leads + 1, offers_by_rule=counts)
    _report(f"pure route(), {leads:,} leads x {partners:,} partners", times)
    print(f"  unrouted: {unrouted}")


def service(leads: int, partners: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from leads import services
    from leads.models import RoutingRule
    from partners.choices import PartnerStatus
    from partners.models import Partner, PartnerType, Program, Tier

    rng = random.Random(20)  # noqa: S311 -- benchmark data, not security
    program, _ = Program.objects.get_or_create(slug="bench-leads", defaults={"name": "Bench leads"})
    types = [
        PartnerType.objects.get_or_create(slug=f"bench-t{i}", defaults={"name": f"Bench type {i}"})[
            0
        ]
        for i in range(5)
    ]
    tiers = [
        Tier.objects.get_or_create(program=program, rank=r, defaults={"name": f"Rank {r}"})[0]
        for r in range(1, 5)
    ]
    have = Partner.objects.filter(program=program).count()
    now = timezone.now()
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"Bench partner {i}",
                domain=f"bench{i}.example",
                program=program,
                partner_type=rng.choice(types),
                tier=rng.choice(tiers),
                region=rng.choice(REGIONS),
                status=PartnerStatus.ACTIVE,
                joined_at=now,
                activated_at=now,
            )
            for i in range(have, partners)
        ],
        batch_size=2000,
    )
    if not RoutingRule.objects.filter(program=program).exists():
        first = RoutingRule.objects.create(
            program=program, name="NA type 0", position=1, regions=["na"], max_open_leads=5
        )
        first.partner_types.set([types[0]])
        RoutingRule.objects.create(
            program=program,
            name="EMEA round-robin",
            position=2,
            regions=["emea"],
            strategy="round_robin",
        )
        RoutingRule.objects.create(program=program, name="Everyone else", position=3)
    actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        email="bench@prm.example", password=None
    )
    times, queries = [], []
    run = int(time.time())
    for i in range(leads):
        connection.queries_log.clear()  # the log keeps 9,000 queries: count each lead's alone
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            services.lead_create(
                actor=actor,
                program=program,
                company=f"Bench lead {i}",
                region=rng.choice(REGIONS),
                external_id=f"bench-{run}-{i}",
            )
            times.append(time.perf_counter() - start)
        queries.append(len(ctx.captured_queries))
    _report(
        f"lead_create + routing ({connection.vendor}), {leads:,} leads x {partners:,} partners",
        times,
    )
    print(f"  queries per lead: min {min(queries)}, max {max(queries)}")


def _report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) >= 20 else ms[-1]
    print(f"{label}: total {sum(ms) / 1000:.1f} s; per lead p50 {statistics.median(ms):.2f} ms, "
          f"p95 {p95:.2f} ms, max {ms[-1]:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pure", action="store_true")
    parser.add_argument("--service", action="store_true")
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=10_000)
    args = parser.parse_args()
    if args.pure:
        pure(args.leads, args.partners)
    if args.service:
        service(args.leads, args.partners)
