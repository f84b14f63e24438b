"""Property tests: the dashboard's deal and checklist figures (deals registered and won in a range,
time to first deal, the activation funnel) equal a naive Python computation over the rows, for
random deals (every status, submitted or not, closed in or out of the range) and checklists.

The readers behind them read only the rows that can count (``deals.readers.counts`` filters on
the range before counting; the first submission is the first entry of an index; the funnel
counts done rows instead of distinct partners): these tests fail if such a shortcut drops or
double-counts a row."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from deals.choices import DealStatus
from deals.models import Deal
from metrics.definitions import activation_funnel, percentile, time_to_first_deal
from metrics.definitions.program import deal_counts
from metrics.tests.domain import checklist
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
SINCE, UNTIL = date(2026, 3, 1), date(2026, 3, 31)
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)  # exclusive
BASE = datetime(2026, 1, 1, tzinfo=UTC)


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# A deal: partner, status, submitted and closed (hours after BASE; None: never submitted, not
# closed). The hours reach both sides of the range and its edges.
HOURS = st.one_of(
    st.integers(0, 24 * 120),
    st.sampled_from([24 * 59, 24 * 59 - 1, 24 * 90, 24 * 90 - 1]),  # 1 Mar, 1 Apr and just before
)
raw_deal = st.tuples(
    st.integers(0, 3),
    st.sampled_from(list(DealStatus.values)),
    st.one_of(st.none(), HOURS),
    st.one_of(st.none(), HOURS),
)
raw_step = st.tuples(
    st.integers(0, 3), st.sampled_from(["agreement", "training", "logo"]), st.booleans()
)


def _deal(partner, user, n, status, submitted, closed):
    submitted_at = None if submitted is None else BASE + timedelta(hours=submitted)
    closed_at = None if closed is None else BASE + timedelta(hours=closed)
    return Deal(
        partner=partner,
        created_by=user,
        status=status,
        customer_name=f"Customer {n}",
        customer_name_normalized=f"customer {n}",
        customer_domain_normalized=f"c{n}.example",
        amount=Decimal("0") if status == DealStatus.DRAFT else Decimal("10"),
        final_amount=Decimal("10") if status == DealStatus.WON else None,
        protected_until=NOW if status == DealStatus.APPROVED else None,
        rejection_reason="no" if status == DealStatus.REJECTED else "",
        submitted_at=submitted_at,
        closed_at=closed_at,
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(  # won in the range, submitted before it: counted as won only
    deals=[(0, DealStatus.WON, 24 * 40, 24 * 70), (0, DealStatus.SUBMITTED, 24 * 70, None)],
    steps=[(0, "agreement", True), (0, "training", False), (1, "agreement", True)],
    joined_days=[60, 65, 10, 62],
    filtered=False,
)
@given(
    deals=st.lists(raw_deal, max_size=25),
    steps=st.lists(raw_step, max_size=12),
    joined_days=st.lists(st.integers(0, 80), min_size=4, max_size=4),
    filtered=st.booleans(),
)
def test_deal_and_step_figures_equal_a_naive_count(deals, steps, joined_days, filtered):
    try:
        with transaction.atomic():
            program = ProgramFactory()
            other = ProgramFactory()
            partners = [
                PartnerFactory(
                    program=program if i % 2 == 0 else other,
                    joined_at=BASE + timedelta(days=day, hours=9),
                    status=PartnerStatus.ONBOARDING,
                    tier=None,
                )
                for i, day in enumerate(joined_days)
            ]
            user = UserFactory()
            Deal.objects.bulk_create(
                _deal(partners[p], user, n, status, submitted, closed)
                for n, (p, status, submitted, closed) in enumerate(deals)
            )
            done_steps: dict[int, dict[str, bool]] = {}
            for p, key, done in steps:
                done_steps.setdefault(p, {})[key] = done
            for p, by_key in done_steps.items():
                checklist(
                    partners[p],
                    [
                        (key, key.title(), n, True, UNTIL if done else None)
                        for n, (key, done) in enumerate(sorted(by_key.items()))
                    ],
                )
            filters = {"program": program} if filtered else {}
            counted = [p for i, p in enumerate(partners) if not filtered or i % 2 == 0]
            rows = list(Deal.objects.filter(partner__in=counted))

            # Deals registered / won in the range.
            figures = deal_counts(since=SINCE, until=UNTIL, **filters)
            registered = sum(1 for d in rows if d.submitted_at and START <= d.submitted_at < END)
            won = sum(
                1
                for d in rows
                if d.status == DealStatus.WON and d.closed_at and START <= d.closed_at < END
            )
            assert (figures.registered, figures.won) == (registered, won)

            # Time to first deal: over the cohort (joined in the range) with a submitted deal.
            cohort = [p for p in counted if START <= p.joined_at < END]
            days = []
            for partner in cohort:
                firsts = [
                    d.submitted_at for d in rows if d.partner_id == partner.pk and d.submitted_at
                ]
                if firsts:
                    days.append(max((min(firsts) - partner.joined_at).total_seconds(), 0) / 86400)
            ttd = time_to_first_deal(since=SINCE, until=UNTIL, **filters)
            median = percentile(days, 0.5)
            assert (ttd.count, ttd.median_days) == (
                len(days),
                None if median is None else round(median, 1),
            )

            # The funnel: partners of the cohort with each step done.
            funnel = activation_funnel(since=SINCE, until=UNTIL, **filters)
            expected = {}
            for partner in cohort:
                index = partners.index(partner)
                for key, done in done_steps.get(index, {}).items():
                    expected[key] = expected.get(key, 0) + int(done)
            assert funnel.cohort == len(cohort)
            assert {s.step: s.partners for s in funnel.steps} == expected
            raise Rollback
    except Rollback:
        pass
