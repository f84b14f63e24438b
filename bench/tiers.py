"""Benchmark of the nightly tier evaluation on Postgres (issue 9). Prints figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/tiers.py --partners 10000

DATABASE_URL names the *server* (its database part is ignored). The script creates a scratch
database (``--db``, default ``prm_bench_tiers``; the name must start with ``prm_bench``),
migrates it, and loads a three-tier ladder whose requirements use every metric, ``--partners``
active partners with 4 people each, certificates, won deals, completed courses, 30 days of
adoption scores and active users. Then it measures, in the same run:

(a) the first evaluation (many promotions and warnings: every partner starts at the entry or the
    top tier), with its number of SQL queries;
(b) a rerun at the same moment (must change nothing), with its number of queries;
(c) the query count for one tenth of the partners, to show the count follows the chunks
    (``CHUNK_SIZE`` partners each), not the partners or the requirements.

The scratch database is dropped at the end unless ``--keep``. On a shared machine the times are
upper bounds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pgserver import (  # noqa: E402
    add_cluster_argument,
    admin_execute,
    setup_django,
    use_cluster,
)

AT = datetime(2026, 11, 1, 2, 30, tzinfo=UTC)


def seed(n_partners: int, rng: random.Random) -> None:
    from accounts.models import User
    from deals.choices import DealStatus
    from deals.models import Deal
    from enablement.models import Certificate, Certification, Course, Enrollment
    from metrics.models import AdoptionScore, PartnerDayUser
    from partners.choices import MemberRole, PartnerStatus, Region
    from partners.models import Partner, PartnerMembership, PartnerType, Program, Tier
    from tiers.models import TierRequirement
    from tiers.tests.tiers_helpers import M

    program = Program.objects.create(name="Bench", slug="bench")
    kind = PartnerType.objects.create(name="Reseller", slug="reseller")
    tiers = [
        Tier.objects.create(program=program, rank=rank, name=name)
        for rank, name in ((1, "Registered"), (2, "Silver"), (3, "Gold"))
    ]
    courses = [
        Course.objects.create(title=f"C{i}", slug=f"c{i}", is_published=True) for i in range(5)
    ]
    certs = [Certification.objects.create(name=f"Cert {i}", slug=f"cert{i}") for i in range(2)]
    req = TierRequirement.objects.create
    for tier, scale in ((tiers[1], 1), (tiers[2], 2)):
        req(tier=tier, metric=M.CERTIFIED_USERS, minimum=scale + 1)
        req(tier=tier, metric=M.CERTIFIED_USERS, subject_id=certs[0].pk, minimum=scale)
        req(tier=tier, metric=M.REVENUE_12M, minimum=50_000 * scale)
        req(tier=tier, metric=M.WON_DEALS_12M, minimum=scale)
        req(tier=tier, metric=M.ADOPTION_SCORE_90D, minimum=5 * scale)
        req(tier=tier, metric=M.ACTIVE_USERS_30D, minimum=scale)
        req(tier=tier, metric=M.COMPLETED_COURSES, minimum=scale)
        req(tier=tier, metric=M.ACTIVATED, minimum=1)
    joined = AT - timedelta(days=500)
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"P{i}",
                program=program,
                partner_type=kind,
                tier=tiers[0] if i % 2 else tiers[2],
                country="US",
                region=Region.NORTH_AMERICA,
                status=PartnerStatus.ACTIVE,
                joined_at=joined,
                activated_at=joined,
            )
            for i in range(n_partners)
        ],
        batch_size=2000,
    )
    partners = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
    User.objects.bulk_create(
        [
            User(email=f"u{p}-{j}@bench.example", password="!")  # noqa: S106 -- unusable hash
            for p in partners
            for j in range(4)
        ],
        batch_size=5000,
    )
    users = dict(User.objects.filter(email__endswith="@bench.example").values_list("email", "pk"))
    people = {p: [users[f"u{p}-{j}@bench.example"] for j in range(4)] for p in partners}
    PartnerMembership.objects.bulk_create(
        [
            PartnerMembership(user_id=u, partner_id=p, role=MemberRole.ADMIN if j == 0 else "user")
            for p, us in people.items()
            for j, u in enumerate(us)
        ],
        batch_size=5000,
    )
    certificates, deals, enrollments, scores, active = [], [], [], [], []
    for p, us in people.items():
        for u in us[: rng.randint(0, 4)]:
            for cert in certs[: rng.randint(1, 2)]:
                certificates.append(
                    Certificate(
                        certification=cert,
                        user_id=u,
                        partner_id=p,
                        holder_name="B",
                        code=f"{p}-{u}-{cert.pk}",
                        earned_at=AT - timedelta(days=30),
                        expires_at=AT + timedelta(days=300),
                    )
                )
            for course in courses[: rng.randint(0, 3)]:
                enrollments.append(
                    Enrollment(
                        user_id=u, course=course, partner_id=p, completed_at=AT - timedelta(days=5)
                    )
                )
        for _ in range(rng.randint(0, 4)):
            amount = Decimal(rng.randint(5_000, 60_000))
            closed = AT - timedelta(days=rng.randint(1, 500))
            deals.append(
                Deal(
                    partner_id=p,
                    created_by_id=us[0],
                    status=DealStatus.WON,
                    customer_name="X",
                    amount=amount,
                    final_amount=amount,
                    closed_at=closed,
                    currency=rng.choice(["USD", "EUR", "GBP"]),
                )
            )
        level = rng.random() * 50
        for d in range(0, 90, 3):
            scores.append(
                AdoptionScore(
                    partner_id=p,
                    day=(AT - timedelta(days=d)).date(),
                    score=level,
                    areas=3,
                    active_days=5,
                    active_users=2,
                    seats=4,
                    events=20,
                )
            )
        for d in range(0, 30, 5):
            for u in us[: rng.randint(0, 3)]:
                active.append(
                    PartnerDayUser(
                        partner_id=p, day=(AT - timedelta(days=d)).date(), user_id=u, events=3
                    )
                )
    for model, rows in (
        (Certificate, certificates),
        (Enrollment, enrollments),
        (Deal, deals),
        (AdoptionScore, scores),
        (PartnerDayUser, active),
    ):
        model.objects.bulk_create(rows, batch_size=5000)
        print(f"  {model.__name__}: {len(rows)} rows")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_evaluation(at, **kwargs):
    from django.db import connection

    from tiers.evaluation import tiers_evaluate

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = tiers_evaluate(at=at, **kwargs)
    return time.perf_counter() - started, counter.count, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--db", default="prm_bench_tiers")
    parser.add_argument("--keep", action="store_true")
    add_cluster_argument(parser)
    args = parser.parse_args()
    use_cluster(args.cluster)
    if not args.db.startswith("prm_bench"):
        sys.exit("--db must start with prm_bench (it is dropped and recreated)")
    admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    admin_execute(f'CREATE DATABASE "{args.db}"')
    try:
        os.environ["EMAIL_URL"] = "memorymail://"  # the warning emails are rendered, kept in memory
        # the outbox sends them in this process after commit, as the old on_commit send did
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
        setup_django(args.db)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        seed(args.partners, random.Random(9))  # noqa: S311 -- benchmark data, not secrets
        print(f"seeded {args.partners} partners in {time.perf_counter() - started:.1f} s")

        from django.core import mail

        from partners.models import Partner
        from tiers.evaluation import CHUNK_SIZE
        from tiers.models import TierHistory

        mail.outbox = []
        seconds, queries, result = timed_evaluation(AT)
        print(
            f"(a) first evaluation: {seconds:.2f} s, {queries} queries, {result.evaluated} "
            f"partners, {dict(sorted(result.counts.items()))}, {len(mail.outbox)} emails"
        )
        snapshot = (
            list(Partner.objects.order_by("pk").values_list("tier_id", flat=True)),
            TierHistory.objects.count(),
        )
        seconds, queries, result = timed_evaluation(AT)
        unchanged = snapshot == (
            list(Partner.objects.order_by("pk").values_list("tier_id", flat=True)),
            TierHistory.objects.count(),
        )
        print(
            f"(b) rerun, same moment: {seconds:.2f} s, {queries} queries, changes "
            f"{dict(result.counts) or 'none'}, state unchanged: {unchanged}"
        )
        small = max(1, args.partners // 10)
        seconds, queries_small, _ = timed_evaluation(AT, chunk_size=small)
        print(
            f"(c) queries per chunk: {CHUNK_SIZE} partners/chunk -> {queries} queries; "
            f"{small} partners/chunk -> {queries_small} queries "
            f"(~{queries_small / max(1, -(-args.partners // small)):.1f} per chunk)"
        )
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
