"""The demo's activation experiments come from its generated history: partners of each scope
were assigned by the real code when they joined and got their variant's checklist; the North
American one is closed (with its verdict when its sample completed, early in a small demo), the
EMEA one runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.tests.test_demo_consistency import ARGS
from events.models import Event
from onboarding.experiments.models import Experiment, ExperimentAssignment, ExperimentStatus
from partners.choices import Region
from partners.models import Partner

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_and_a_running_experiment_from_its_history():
    call_command("seed_demo", *ARGS, stdout=StringIO())
    closed = Experiment.objects.get(region=Region.NORTH_AMERICA)
    running = Experiment.objects.get(region=Region.EMEA)
    assert closed.status in (ExperimentStatus.FINISHED, ExperimentStatus.STOPPED)
    assert (closed.status == ExperimentStatus.FINISHED) == bool(closed.verdict)
    assert running.status == ExperimentStatus.RUNNING
    for experiment in (closed, running):
        joined = Partner.objects.filter(region=experiment.region, checklist__isnull=False).exclude(
            joined_at__isnull=True
        )
        assignments = ExperimentAssignment.objects.filter(experiment=experiment)
        assert assignments.count() == joined.count() > 0
        for assignment in assignments.select_related("partner__checklist", "variant"):
            assert assignment.partner.checklist.template_id == assignment.variant.template_id
            assert assignment.assigned_at == assignment.partner.joined_at
    assert Event.objects.filter(kind="onboarding.experiment_assigned").count() == (
        ExperimentAssignment.objects.count()
    )
    assert not ExperimentAssignment.objects.exclude(
        region__in=[Region.NORTH_AMERICA, Region.EMEA]
    ).exists()
