"""Assigning a new partner to an experiment's variant at approval: random, stratified by partner
type and region with permuted blocks that respect the weights, once per partner, never changed.

Why it holds under concurrent approvals: each stratum's block is one row locked FOR UPDATE while
a variant is taken from it (two approvals in the same stratum queue there; other strata do not
wait), and the assignment is unique per partner (``ExperimentAssignment.partner`` is one-to-one),
re-read after the lock so a second call for the same partner returns the first assignment.
"""

import math
import random
from functools import reduce

from django.db import transaction
from django.db.models import Q

from events.choices import EventKind
from events.services import record_event
from onboarding.experiments.models import (
    Experiment,
    ExperimentAssignment,
    ExperimentStatus,
    ExperimentStratum,
    ExperimentVariant,
)

# The randomness source: the operating system's (not seedable, not predictable by a partner).
# Tests that check the distribution may swap in a seeded random.Random.
rng: random.Random = random.SystemRandom()
# A block holds at least this many assignments, so its end is not obvious from its start.
MIN_BLOCK = 4


def new_block(variants: list[ExperimentVariant]) -> list[int]:
    """One permuted block: each variant id repeated in proportion to its weight, shuffled."""
    weights = [v.weight for v in variants]
    divisor = reduce(math.gcd, weights)
    units = [w // divisor for w in weights]
    repeat = max(1, math.ceil(MIN_BLOCK / sum(units)))
    block = [v.pk for v, n in zip(variants, units, strict=True) for _ in range(n * repeat)]
    rng.shuffle(block)
    return block


def scope_filter(partner) -> Q:
    """Experiments whose scope includes ``partner`` (empty type or region: any)."""
    return (
        Q(program_id=partner.program_id)
        & (Q(partner_type__isnull=True) | Q(partner_type_id=partner.partner_type_id))
        & (Q(region="") | Q(region=partner.region))
    )


def programs_with_experiments() -> set[int]:
    """Programs where an experiment runs or a winner was rolled out (one query), so a batch of
    joining partners outside them keeps the batched checklist start."""
    return set(
        Experiment.objects.filter(
            Q(status=ExperimentStatus.RUNNING) | Q(rolled_out_at__isnull=False)
        ).values_list("program_id", flat=True)
    )


def running_experiment_for(partner) -> Experiment | None:
    """The running experiment the partner falls in (experiment_start refuses overlapping scopes,
    so there is at most one)."""
    return (
        Experiment.objects.filter(scope_filter(partner), status=ExperimentStatus.RUNNING)
        .order_by("-started_at", "-pk")
        .first()
    )


def rolled_out_template_for(partner):
    """The winning checklist rolled out for the partner's scope (the latest roll-out), or None."""
    experiment = (
        Experiment.objects.filter(scope_filter(partner), rolled_out_at__isnull=False)
        .select_related("winner__template")
        .order_by("-rolled_out_at", "-pk")
        .first()
    )
    return experiment.winner.template if experiment is not None else None


@transaction.atomic
def partner_assign(*, experiment: Experiment, partner, actor=None, at=None) -> ExperimentAssignment:
    """The partner's assignment in ``experiment``: made now if it has none, else the one it has
    (an assignment never changes)."""
    existing = _assignment_of(partner)
    if existing is not None:
        return existing
    stratum, _ = ExperimentStratum.objects.get_or_create(
        experiment=experiment, partner_type_id=partner.partner_type_id, region=partner.region
    )
    stratum = ExperimentStratum.objects.select_for_update().get(pk=stratum.pk)
    existing = _assignment_of(partner)  # a concurrent call for the same partner won the lock
    if existing is not None:
        return existing
    variants = {v.pk: v for v in experiment.variants.select_related("template")}
    block = [pk for pk in stratum.block if pk in variants]
    if not block:
        block = new_block(list(variants.values()))
        stratum.blocks_started += 1
    variant = variants[block.pop(0)]
    stratum.block = block
    stratum.save(update_fields=["block", "blocks_started"])
    kwargs = {"assigned_at": at} if at is not None else {}
    assignment = ExperimentAssignment.objects.create(
        experiment=experiment,
        variant=variant,
        partner=partner,
        partner_type_id=partner.partner_type_id,
        region=partner.region,
        version=variant.template.version,
        **kwargs,
    )
    record_event(
        kind=EventKind.EXPERIMENT_ASSIGNED,
        key=f"onboarding.experiment_assigned:{partner.pk}",
        partner=partner,
        user=actor,
        subject=assignment,
        occurred_at=assignment.assigned_at,
        properties={
            "experiment": experiment.pk,
            "variant": variant.pk,
            "checklist": variant.template_id,
            "version": assignment.version,
            "stratum": f"{partner.partner_type_id}:{partner.region}",
        },
    )
    return assignment


def _assignment_of(partner) -> ExperimentAssignment | None:
    return (
        ExperimentAssignment.objects.select_related("variant__template")
        .filter(partner_id=partner.pk)
        .first()
    )


def assign_at_approval(*, partner, actor=None, at=None) -> ExperimentAssignment | None:
    """Assign a newly approved partner when an experiment of its scope runs; None otherwise."""
    experiment = running_experiment_for(partner)
    if experiment is not None:
        return partner_assign(experiment=experiment, partner=partner, actor=actor, at=at)
    return None


def checklist_template_at_approval(*, partner, actor=None, at=None):
    """The checklist template a newly approved partner gets: its variant's when an experiment of
    its scope runs (assigning it), the rolled-out winner's after one, else None (the usual
    targeting, ``onboarding.selectors.template_for_partner``)."""
    assignment = assign_at_approval(partner=partner, actor=actor, at=at)
    if assignment is not None:
        return assignment.variant.template
    return rolled_out_template_for(partner)
