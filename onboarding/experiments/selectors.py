"""Reads of activation experiments, for vendor staff only (partner users get 404), and the
results: the records the analysis runs on, the per-step funnel, the verdict in words."""

from django.db.models import Count, IntegerField, Max, Min, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.choices import StepStatus
from onboarding.experiments.analysis import Analysis, Record, analyse
from onboarding.experiments.models import Experiment, ExperimentAssignment, ExperimentStatus
from onboarding.models import ChecklistStep
from partners.permissions import is_vendor_staff


def experiment_list_for_user(*, user):
    if not is_vendor_staff(user):
        raise Http404
    return (
        Experiment.objects.select_related("program", "partner_type", "winner__template")
        .annotate(assigned=Count("assignments"))
        .order_by("-created_at", "-pk")
    )


def experiment_get_for_user(*, user, pk: int) -> Experiment:
    if not is_vendor_staff(user):
        raise Http404
    experiment = (
        Experiment.objects.select_related(
            "program", "partner_type", "winner__template", "created_by", "stopped_by"
        )
        .filter(pk=pk)
        .first()
    )
    if experiment is None:
        raise Http404
    return experiment


def variants_of(experiment: Experiment) -> list:
    return list(experiment.variants.select_related("template"))


def overlapping_running(*, experiment: Experiment) -> Experiment | None:
    """A running experiment of the same program whose scope shares partners with this one."""
    others = Experiment.objects.filter(
        program_id=experiment.program_id, status=ExperimentStatus.RUNNING
    ).exclude(pk=experiment.pk)
    if experiment.partner_type_id is not None:
        others = others.filter(
            Q(partner_type__isnull=True) | Q(partner_type_id=experiment.partner_type_id)
        )
    if experiment.region:
        others = others.filter(Q(region="") | Q(region=experiment.region))
    return others.order_by("pk").first()


def experiment_records(*, experiment: Experiment) -> list[Record]:
    """One record per assigned partner (one query): its window starts when it joined (approval,
    which is when it was assigned)."""
    rows = ExperimentAssignment.objects.filter(experiment=experiment).values_list(
        "variant_id", "assigned_at", "partner__joined_at", "partner__activated_at"
    )
    return [
        Record(variant=variant, joined_at=joined or assigned, activated_at=activated)
        for variant, assigned, joined, activated in rows
    ]


def experiment_analysis(*, experiment: Experiment, now=None, variants=None) -> Analysis:
    variants = variants if variants is not None else variants_of(experiment)
    return analyse(
        experiment_records(experiment=experiment),
        variant_ids=[v.pk for v in variants],
        planned=[v.sample_size for v in variants],
        now=now or timezone.now(),
        window_days=experiment.window_days,
        alpha=float(experiment.alpha),
    )


def step_funnel(*, experiment: Experiment) -> dict[int, list[dict]]:
    """Per variant id, its checklist steps in order with how many assigned partners have each
    step and how many completed it (one query): where each variant loses partners."""
    variant_field = "checklist__partner__experiment_assignment__variant_id"
    rows = (
        ChecklistStep.objects.filter(
            checklist__partner__experiment_assignment__experiment=experiment
        )
        .values(variant_field, "key")
        .annotate(
            title=Max("title"),
            order=Min("position"),
            required=Max(Cast("required", IntegerField())),
            total=Count("pk"),
            done=Count("pk", filter=Q(status=StepStatus.DONE)),
        )
        .order_by(variant_field, "order", "key")
    )
    funnel: dict[int, list[dict]] = {}
    for row in rows:
        row["share"] = row["done"] / row["total"] if row["total"] else None
        funnel.setdefault(row[variant_field], []).append(row)
    return funnel


def verdict_sentence(experiment: Experiment, analysis: Analysis) -> str:
    if not analysis.ready:
        return ""
    if analysis.winner is None:
        return _(
            "No difference detected at the planned sample size (alpha %(alpha)s): keep the control "
            "or choose on other grounds."
        ) % {"alpha": experiment.alpha.normalize()}
    names = {v.pk: v.template.name for v in experiment.variants.select_related("template")}
    return _("“%(name)s” activates more partners within %(days)d days (alpha %(alpha)s).") % {
        "name": names.get(analysis.winner, "?"),
        "days": experiment.window_days,
        "alpha": experiment.alpha.normalize(),
    }
