"""Activation experiments in the demo (issue 22), from the demo's generated history.

Before the partners are created (:func:`prepare_experiments`), a vendor admin has started two
experiments on the demo program, dated 400 days back: in North America the standard path against
one without the kick-off call (a large effect to detect, so its planned sample fits the demo's
partners), in EMEA the standard path against one where the certification is optional. Partners
joining then are assigned through the real code (``onboarding.experiments.assignment``, via
onboarding's receiver) and get their variant's checklist, which the history replays as it does
for everyone. After the history (:func:`finish_experiments`), the North American one is stopped:
with its planned sample's windows closed it records its verdict (whatever the generated history
says); the EMEA one keeps running, short of its sample, so its page shows progress and no verdict.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from demo.onboarding import STANDARD_STEPS, _template
from onboarding.experiments import assignment as experiment_assignment
from onboarding.experiments import selectors as experiment_selectors
from onboarding.experiments import services as experiment_services
from onboarding.experiments.models import Experiment, ExperimentStatus
from onboarding.models import ChecklistTemplate
from partners.choices import Region

FINISHED = "Kick-off call: needed?"
RUNNING = "Certification optional"


@contextmanager
def seeded_assignments(*, seed: int, run: int) -> Iterator[None]:
    """While the demo creates its partners, assignments draw from a generator seeded like the
    rest of the demo (the same arguments give the same data); the system's afterwards."""
    live = experiment_assignment.rng
    experiment_assignment.rng = random.Random(f"prm-demo-experiments:{seed}:{run}")
    try:
        yield
    finally:
        experiment_assignment.rng = live


def _variant(name: str, steps, program) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(program=program, name=name).first()
    return template or _template(name, steps, program=program, is_active=False)


def prepare_experiments(*, program, vendor, since: datetime) -> list[Experiment]:
    """The two experiments, started at ``since`` (once: nothing when they exist)."""
    if Experiment.objects.filter(program=program).exists():
        return []
    control = ChecklistTemplate.objects.get(
        program=program, name="Standard activation path", partner_type__isnull=True
    )
    no_kickoff = _variant(
        "Standard path without the kick-off call",
        [step for step in STANDARD_STEPS if step[0] != "kickoff"],
        program,
    )
    optional_cert = _variant(
        "Standard path, certification optional",
        [(*step[:5], False, step[6]) if step[0] == "certification" else step
         for step in STANDARD_STEPS],
        program,
    )  # fmt: skip
    designs = [
        (FINISHED, Region.NORTH_AMERICA, no_kickoff, "40", "40",
         "Partners who skip the kick-off call activate as often."),
        (RUNNING, Region.EMEA, optional_cert, "40", "20",
         "Making the certification optional activates more partners."),
    ]  # fmt: skip
    experiments = []
    for name, region, variant, baseline, difference, hypothesis in designs:
        experiment = experiment_services.experiment_create(
            actor=vendor,
            data={
                "name": name,
                "hypothesis": hypothesis,
                "program": program,
                "region": region,
                "baseline_rate": baseline,
                "min_difference": difference,
            },
            variants=[(control, 1), (variant, 1)],
        )
        Experiment.objects.filter(pk=experiment.pk).update(created_at=since)
        experiments.append(
            experiment_services.experiment_start(actor=vendor, experiment=experiment, at=since)
        )
    return experiments


def finish_experiments(*, program, vendor, now: datetime) -> None:
    """Stop the North American experiment at ``now``: with its verdict when its planned sample has
    completed its window, else early (a small demo), never rolling out on the demo's behalf."""
    experiment = Experiment.objects.filter(
        program=program, name=FINISHED, status=ExperimentStatus.RUNNING
    ).first()
    if experiment is None:
        return
    ready = experiment_selectors.experiment_analysis(experiment=experiment, now=now).ready
    experiment_services.experiment_stop(
        actor=vendor, experiment=experiment, early_ok=not ready, at=now - timedelta(seconds=1)
    )
