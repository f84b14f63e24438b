"""The readers features register for other floors (``partners/readers.py``, issue 17) are wired:
every key metrics or onboarding or the ingestion looks up is registered at start-up, and each data
reader keeps its contract of one query and plain data."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from onboarding.choices import StepKind
from onboarding.models import REFERENCED_KINDS
from partners.models import Partner
from partners.readers import readers, step_subjects, usage_accounts

ROOT = Path(__file__).resolve().parent.parent
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
DATA_READERS = {
    "onboarding.step_funnel": {},
    "onboarding.last_step_done": {},
    "deals.counts": {"start": START, "end": END},
    "deals.pipeline": {},
    "deals.won_by_partner": {"start": START, "end": END, "limit": 10},
    "deals.won_revenue": {"start": START, "end": END, "rates": {"USD": 1.0}, "target": "USD"},
    "incentives.mdf_paid": {"start": START, "end": END, "rates": {"USD": 1.0}, "target": "USD"},
    "incentives.points_awarded": {"start": START, "end": END},
    "deals.partners_with": {"which": "registered", "start": START, "end": END},
    "leads.answered_offers": {"start": START, "end": END},
    "enablement.certificates_expiring": {"as_of": START, "within_days": 60},
}
#: Readers that take no partners: expression readers (no query) and the deal stages (no query).
OTHER_READERS = {"deals.first_submitted_at", "deals.stages"}


def test_every_reader_the_metric_definitions_look_up_is_registered():
    source = "".join(p.read_text() for p in (ROOT / "metrics").rglob("*.py"))
    looked_up = set(re.findall(r'readers\.get\("([^"]+)"\)', source))
    assert looked_up, "no readers.get(...) found in metrics/: did the lookup change shape?"
    assert sorted(looked_up - set(readers)) == []
    assert sorted(looked_up) == sorted(set(DATA_READERS) | OTHER_READERS)


def test_every_step_kind_naming_an_object_of_another_app_has_a_subject_reader():
    assert {k for k in REFERENCED_KINDS if k != StepKind.AGREEMENT} <= set(step_subjects)


def test_the_ingestion_finds_how_usage_names_a_customer_account():
    assert "customers" in usage_accounts


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(DATA_READERS))
def test_a_data_reader_runs_one_query_and_returns_plain_data(key, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = readers.get(key)(partners=Partner.objects.all(), **DATA_READERS[key])
    assert isinstance(result, dict | list)
    rows = result if isinstance(result, list) else [result]
    for row in rows:
        assert isinstance(row, dict)
        assert all(
            isinstance(v, int | str | bool | dict | datetime | Decimal | None) for v in row.values()
        )


@pytest.mark.django_db
def test_the_deal_stages_reader_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        stages = readers.get("deals.stages")()
    assert stages and all(isinstance(v, str) and isinstance(t, str) for v, t in stages)


@pytest.mark.django_db
def test_the_adoption_scores_reader_leads_routing_reads_runs_one_query(
    world, django_assert_num_queries
):
    """Registered by metrics for a feature (leads' routing minimum), looked up outside metrics."""
    source = (ROOT / "leads" / "facts.py").read_text()
    assert 'ADOPTION_READER = "metrics.adoption_scores"' in source
    with django_assert_num_queries(1):
        scores = readers.get("metrics.adoption_scores")(partners=Partner.objects.all())
    assert scores == {}
