"""Property test of the incremental span update (issue 24, ``metrics.summaries._update``): usage
rows arrive in random batches (late days, rows that grow, shrink or go, days on the edge of a
window), and after every batch the spans updated from each partner's earliest touched day equal
the spans computed from the partner's whole usage (``summaries.spans_of``), for the default rules,
configured windowed and "ever" rules, and rules that take the whole-history path."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from metrics import summaries
from metrics.adoption_rules import current_rules
from metrics.models import OfferingAdoptionRule, OfferingAdoptionSpan, PartnerDayOffering
from partners.models import Offering
from partners.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db

DAY0 = date(2026, 1, 1)
OFFERINGS = ["edge", "core", "odd"]  # default rules; windowed + ever; ever of two (whole path)
KINDS = ["deal.won", "certification.earned", "resource.viewed", "offering.used", "auth.login"]


class Rollback(Exception):
    pass


# Days: anywhere in 200 days (so late ones), a few close days (a 5-day window's edges), or on
# the edges of the 20/30/90-day windows.
day = st.one_of(
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(0, 200),
    st.sampled_from([19, 20, 21, 29, 30, 31, 89, 90, 91]),
)
row = st.tuples(
    st.integers(0, 1),  # partner
    st.integers(0, len(OFFERINGS) - 1),
    day,
    st.integers(0, len(KINDS) - 1),
    st.integers(0, 3),  # the bucket's events now (0: the row goes)
)


def stored() -> set:
    return set(OfferingAdoptionSpan.objects.values_list("partner_id", "offering", "start", "end"))


def rebuilt() -> set:
    rules = current_rules()
    usage = defaultdict(list)
    for p, slug, d, kind, events in PartnerDayOffering.objects.order_by("day").values_list(
        "partner_id", "offering", "day", "kind", "events"
    ):
        usage[(p, slug)].append((d, kind, events))
    return {
        (p, slug, start, end)
        for (p, slug), rows in usage.items()
        if slug in rules
        for start, end in summaries.spans_of(rows, rules[slug])
    }


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The lead-in of a window: a late rewrite on day 4 whose met-ness needs the row on day 0 (5-day
# window, two events): a lead-in one day short drops it. Random batches rarely line days up so.
@example(batches=[[(0, 1, 0, 3, 1), (0, 1, 4, 3, 1)], [(0, 1, 4, 3, 1)]])
@given(batches=st.lists(st.lists(row, min_size=1, max_size=8), min_size=1, max_size=6))
def test_incremental_spans_equal_the_spans_rebuilt_from_all_usage(world, batches):
    partners = [world.partner_a, world.partner_b]
    try:
        with transaction.atomic():
            for slug in OFFERINGS:
                OfferingFactory(slug=slug, launched_on=DAY0)
            core, odd = (Offering.objects.get(slug=s) for s in ("core", "odd"))
            for offering, kinds, window, least in [
                (core, ["offering.used"], 5, 2),
                (core, ["certification.earned"], None, 1),
                (odd, ["certification.earned"], None, 2),
                (odd, ["resource.viewed"], 20, 1),
            ]:
                OfferingAdoptionRule.objects.create(
                    offering=offering,
                    description="r",
                    kinds=kinds,
                    window_days=window,
                    min_events=least,
                )
            summaries.refresh()  # fingerprints: the offerings' spans are trusted from here on
            for n, batch in enumerate(batches):
                cuts: dict[int, date] = {}
                for p, o, ago, k, events in batch:
                    partner, d = partners[p], DAY0 + timedelta(days=ago)
                    key = {"partner": partner, "day": d, "offering": OFFERINGS[o], "kind": KINDS[k]}
                    PartnerDayOffering.objects.filter(**key).delete()
                    if events:
                        PartnerDayOffering.objects.create(**key, events=events)
                    cuts[partner.pk] = min(cuts.get(partner.pk, d), d)
                summaries.refresh(cuts=cuts)
                assert stored() == rebuilt(), n
            raise Rollback
    except Rollback:
        pass
