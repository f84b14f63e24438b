"""Writes of activation experiments: create (a draft with its sample size), start, stop (with the
verdict when the planned sample is reached, or early with no valid verdict) and roll out the
winner. Keyword-only, atomic, refusing with a ValidationError; each change is in the setup log."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from kernel.setup_log import ADDED, CHANGED, log_setup_change
from onboarding.experiments import selectors
from onboarding.experiments.design import Design, sample_sizes
from onboarding.experiments.models import (
    Experiment,
    ExperimentStatus,
    ExperimentVariant,
    Verdict,
)
from partners.models import Program

MAX_VARIANTS = 4
DESIGN_FIELDS = ("window_days", "baseline_rate", "min_difference", "alpha", "power")


def scope_key(*, program_id: int, partner_type_id: int | None, region: str) -> str:
    return f"{program_id}:{partner_type_id or ''}:{region or ''}"


def design_of(experiment: Experiment, weights: list[int]) -> Design:
    return Design(
        baseline=float(experiment.baseline_rate) / 100,
        difference=float(experiment.min_difference) / 100,
        alpha=float(experiment.alpha),
        power=float(experiment.power),
        weights=tuple(weights),
    )


@transaction.atomic
def experiment_create(*, actor: User, data: dict, variants: list[tuple]) -> Experiment:
    """A draft experiment with its variants [(template, weight), …] (the first is the control)
    and the sample size per variant its design needs."""
    if not 2 <= len(variants) <= MAX_VARIANTS:
        raise ValidationError(
            _("An experiment compares two to %(n)d checklists.") % {"n": MAX_VARIANTS}
        )
    templates = [template for template, _weight in variants]
    if len({t.pk for t in templates}) != len(templates):
        raise ValidationError(_("Each variant is a different checklist."))
    program = data["program"]
    for template in templates:
        if template.program_id not in (None, program.pk):
            raise ValidationError(
                _("The checklist “%(name)s” is for another program.") % {"name": template.name}
            )
    if Decimal(data["baseline_rate"]) + Decimal(data["min_difference"]) >= 100:
        raise ValidationError(
            {"min_difference": _("The baseline plus the difference must stay under 100 %.")}
        )
    experiment = Experiment(
        name=data["name"],
        hypothesis=data.get("hypothesis", ""),
        program=program,
        partner_type=data.get("partner_type"),
        region=data.get("region") or "",
        created_by=actor,
        **{name: data[name] for name in DESIGN_FIELDS if data.get(name) is not None},
    )
    experiment.scope_key = scope_key(
        program_id=program.pk,
        partner_type_id=experiment.partner_type_id,
        region=experiment.region,
    )
    experiment.full_clean(exclude=["winner", "created_by", "stopped_by"])
    sizes = sample_sizes(design_of(experiment, [weight for _t, weight in variants]))
    experiment.sample_size = max(sizes)
    experiment.save()
    ExperimentVariant.objects.bulk_create(
        ExperimentVariant(
            experiment=experiment,
            position=i,
            template=template,
            weight=weight,
            version=template.version,
            sample_size=size,
        )
        for i, ((template, weight), size) in enumerate(zip(variants, sizes, strict=True))
    )
    log_setup_change(
        actor=actor,
        obj=experiment,
        action=ADDED,
        after={"name": experiment.name, "sample_size": sizes, "scope": experiment.scope_key},
        summary=_("Activation experiment added"),
    )
    return experiment


def _lock(experiment: Experiment) -> Experiment:
    return Experiment.objects.select_for_update().get(pk=experiment.pk)


@transaction.atomic
def experiment_start(*, actor: User, experiment: Experiment, at=None) -> Experiment:
    """Start assigning new partners. Refused unless a draft, when a variant's checklist has no
    required step (nothing would activate a partner), or when a running experiment's scope
    overlaps this one (a partner would fall in both)."""
    Program.objects.select_for_update().get(pk=experiment.program_id)  # serialises starts
    experiment = _lock(experiment)
    if experiment.status != ExperimentStatus.DRAFT:
        raise ValidationError(_("Only a draft experiment can start."))
    variants = list(experiment.variants.select_related("template"))
    for variant in variants:
        if not variant.template.steps.filter(required=True).exists():
            raise ValidationError(
                _("The checklist “%(name)s” has no published required step: publish it first.")
                % {"name": variant.template.name}
            )
    overlapping = selectors.overlapping_running(experiment=experiment)
    if overlapping is not None:
        raise ValidationError(
            _("“%(name)s” already runs on new partners of this scope: stop it first.")
            % {"name": overlapping.name}
        )
    for variant in variants:
        variant.version = variant.template.version
    ExperimentVariant.objects.bulk_update(variants, ["version"])
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = at or timezone.now()
    experiment.save(update_fields=["status", "started_at"])
    log_setup_change(
        actor=actor,
        obj=experiment,
        action=CHANGED,
        before={"status": ExperimentStatus.DRAFT},
        after={"status": ExperimentStatus.RUNNING},
        summary=_("Activation experiment started"),
    )
    return experiment


@transaction.atomic
def experiment_stop(
    *, actor: User, experiment: Experiment, roll_out: bool = False, early_ok: bool = False, at=None
) -> Experiment:
    """Stop assigning. With the planned sample reached the verdict is recorded (and the winner
    rolled out when asked: new partners of the scope get its checklist). Before that, stopping
    needs ``early_ok`` (the admin read that no verdict is valid) and rolls nothing out."""
    experiment = _lock(experiment)
    if experiment.status != ExperimentStatus.RUNNING:
        raise ValidationError(_("Only a running experiment can stop."))
    at = at or timezone.now()
    analysis = selectors.experiment_analysis(experiment=experiment, now=at)
    before = {"status": experiment.status}
    if analysis.ready:
        experiment.status = ExperimentStatus.FINISHED
        if analysis.winner is not None:
            experiment.verdict = Verdict.WINNER
            experiment.winner_id = analysis.winner
        else:
            experiment.verdict = Verdict.NO_DIFFERENCE
        experiment.verdict_summary = selectors.verdict_sentence(experiment, analysis)
        if roll_out and experiment.winner_id is None:
            raise ValidationError(_("No variant won: there is nothing to roll out."))
        if roll_out:
            experiment.rolled_out_at = at
    else:
        if not early_ok:
            raise ValidationError(
                _("The planned sample is not reached: confirm that you stop without a verdict.")
            )
        if roll_out:
            raise ValidationError(_("An experiment stopped early has no winner to roll out."))
        experiment.status = ExperimentStatus.STOPPED
        experiment.verdict = Verdict.NONE
    experiment.stopped_at, experiment.stopped_by = at, actor
    experiment.save()
    log_setup_change(
        actor=actor,
        obj=experiment,
        action=CHANGED,
        before=before,
        after={
            "status": experiment.status,
            "verdict": experiment.verdict,
            "winner": experiment.winner_id,
            "rolled_out": experiment.rolled_out_at is not None,
        },
        summary=_("Activation experiment stopped"),
    )
    return experiment


@transaction.atomic
def experiment_roll_out(*, actor: User, experiment: Experiment, at=None) -> Experiment:
    """Roll out the recorded winner of a finished experiment (if not done when it stopped)."""
    experiment = _lock(experiment)
    if experiment.status != ExperimentStatus.FINISHED or experiment.winner_id is None:
        raise ValidationError(_("Only a finished experiment with a winner can be rolled out."))
    if experiment.rolled_out_at is None:
        experiment.rolled_out_at = at or timezone.now()
        experiment.save(update_fields=["rolled_out_at"])
        log_setup_change(
            actor=actor,
            obj=experiment,
            action=CHANGED,
            before={"rolled_out": False},
            after={"rolled_out": True},
            summary=_("Winning checklist rolled out"),
        )
    return experiment


@transaction.atomic
def experiment_roll_out_end(*, actor: User, experiment: Experiment) -> Experiment:
    """End a roll-out: new partners of the scope get the checklist the usual targeting picks
    again (the checklist builder's). Partners who got the winner keep it."""
    experiment = _lock(experiment)
    if experiment.rolled_out_at is None:
        raise ValidationError(_("This experiment's winner is not rolled out."))
    experiment.rolled_out_at = None
    experiment.save(update_fields=["rolled_out_at"])
    log_setup_change(
        actor=actor,
        obj=experiment,
        action=CHANGED,
        before={"rolled_out": True},
        after={"rolled_out": False},
        summary=_("Roll-out of the winning checklist ended"),
    )
    return experiment
