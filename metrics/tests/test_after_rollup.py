"""The after-rollup hooks (metrics/after_rollup.py): a floor above metrics registers what runs
after each rollup run, and metrics runs it without importing that floor."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from events.services import record_events
from kernel.registry import Registry
from metrics import after_rollup
from metrics.tasks import rollup_metrics
from metrics.tests.helpers import event
from partners.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)


@pytest.fixture
def heard(monkeypatch):
    """A hook of its own in place of the registered ones; the runs it heard of."""
    runs = []

    def hook(rollup, scores):
        runs.append((rollup.events, scores.ran))
        return len(runs)

    monkeypatch.setattr(after_rollup, "hooks", Registry("after-rollup hook"))
    after_rollup.register("heard", hook)
    return runs


def test_the_console_registers_the_dashboard_step():
    assert "dashboard_rebuilds" in after_rollup.hooks


def test_the_rollup_task_runs_each_hook_after_the_scores_and_reports_its_count(heard):
    member = MembershipFactory()
    with time_machine.travel(NOW, tick=False):
        record_events(
            [event("auth.login", "1", partner=member.partner, day=NOW.date(), user=member.user)]
        )
        result = rollup_metrics()
    assert heard == [(1, True)]
    assert result["heard"] == 1 and "dashboard_rebuilds" not in result


def test_a_rollup_by_hand_runs_the_hooks_too(heard):
    with time_machine.travel(NOW, tick=False):
        call_command("rollup_metrics", stdout=None)
    assert heard == [(0, True)]
