"""Writes of the tier setup pages: a program's tiers (create, edit, reorder, delete), their
requirements and their benefits. Vendor admins only (the views check; every function takes the
``actor``).

Each function is one change: keyword-only, atomic, it refuses bad input with a ValidationError
keyed by the form's field (``None`` for the whole form) and writes nothing then, and it records
who changed what with each field before and after (``kernel.setup_log``, shown on the audit
log). Ranks stay 1..n per program, unique: a reorder locks the program's tiers and renumbers them
in two steps so the unique constraint never sees two tiers on one rank.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from partners.choices import TYPED_BENEFIT_KINDS, BenefitKind
from partners.measures import Unit, number_text
from partners.models import Program, Tier, TierBenefit
from tiers.models import TierRequirement
from tiers.permissions import can_edit_setup
from tiers.selectors import tier_references

TIER_FIELDS = ("name", "rank", "description")
REQUIREMENT_FIELDS = ("tier", "metric", "subject_id", "minimum", "note")
BENEFIT_FIELDS = ("tier", "kind", "name", "amount", "period", "value", "description", "position")

MAX_MINIMUM = Decimal("999999999999.99")  # what the column holds (14 digits, 2 decimals)
MAX_PROTECTION_DAYS = 3650
MAX_MDF_AMOUNT = Decimal("999999999999.99")
RANK_PARKING = 10_000  # ranks are moved out of the way here while a program is renumbered


def _require_editor(actor) -> None:
    """The views check the role on every route; the services check it again (a task, a shell
    or a future API must not write setup for somebody who may not)."""
    if actor is None or not can_edit_setup(actor):
        raise PermissionDenied(_("Only vendor admins can change tiers."))


def _clean_text(value, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_length}})
    return text


# --- Tiers --------------------------------------------------------------------------------------


def _locked_ladder(program_id: int) -> list[Tier]:
    """The program's tiers, locked, lowest rank first (every writer of ranks locks them first,
    so two reorders never interleave)."""
    return list(Tier.objects.select_for_update().filter(program_id=program_id).order_by("rank"))


def _renumber(*, actor, ordered: list[Tier], skip: Tier | None = None) -> None:
    """Give ``ordered`` the ranks 1..n in that order and log each tier whose rank moved (but
    ``skip``, whose own change is logged by the caller). Two steps: park every rank out of the
    way, then set the final ones, so no two tiers ever share a rank."""
    if not ordered:
        return
    before = {t.pk: snapshot(t, TIER_FIELDS) for t in ordered}
    old_rank = {t.pk: t.rank for t in ordered}
    Tier.objects.filter(pk__in=[t.pk for t in ordered]).update(rank=F("rank") + RANK_PARKING)
    for rank, tier in enumerate(ordered, start=1):
        tier.rank = rank
        Tier.objects.filter(pk=tier.pk).update(rank=rank)
    for tier in ordered:
        if tier is skip or tier.rank == old_rank[tier.pk]:
            continue
        log_setup_change(
            actor=actor, obj=tier, action=CHANGED, before=before[tier.pk],
            after=snapshot(tier, TIER_FIELDS), summary=_("Tier rank moved by a reorder"),
        )  # fmt: skip


def _check_rank(rank, *, highest: int) -> int:
    if rank is None or not 1 <= int(rank) <= highest:
        raise ValidationError(
            {"rank": _("Choose a rank from 1 to %(n)s (1 is the entry tier).") % {"n": highest}}
        )
    return int(rank)


def _check_name(name: str, *, ladder: list[Tier], tier: Tier | None = None) -> None:
    for other in ladder:
        if other.name.casefold() == name.casefold() and (tier is None or other.pk != tier.pk):
            raise ValidationError({"name": _("This program already has a tier with this name.")})


@transaction.atomic
def tier_create(
    *, actor, program: Program, name: str, description: str = "", rank: int | None = None
) -> Tier:
    """A new tier of ``program`` at ``rank`` (default: on top). The tiers from that rank up move
    one rank up. A new tier has no requirement: the evaluation promotes into it every partner
    that meets the tiers below it, so add requirements before partners are evaluated."""
    _require_editor(actor)
    ladder = _locked_ladder(program.pk)
    name = _clean_text(name, field="name", max_length=60, required=True)
    description = _clean_text(description, field="description", max_length=2000)
    _check_name(name, ladder=ladder)
    rank = len(ladder) + 1 if rank is None else _check_rank(rank, highest=len(ladder) + 1)
    tier = Tier(program=program, name=name, description=description, rank=RANK_PARKING * 2)
    tier.full_clean(exclude=["rank"], validate_constraints=False)
    tier.save()
    ordered = [*ladder]
    ordered.insert(rank - 1, tier)
    _renumber(actor=actor, ordered=ordered, skip=tier)
    log_setup_change(
        actor=actor, obj=tier, action=ADDED, after=snapshot(tier, TIER_FIELDS),
        summary=_("Tier added"),
    )  # fmt: skip
    return tier


@transaction.atomic
def tier_update(
    *, actor, tier: Tier, name: str, description: str = "", rank: int | None = None
) -> Tier:
    """Rename, describe or move ``tier`` to ``rank`` (None: keep it); the tiers in between
    shift by one rank."""
    _require_editor(actor)
    ladder = _locked_ladder(tier.program_id)
    tier = next(t for t in ladder if t.pk == tier.pk)
    before = snapshot(tier, TIER_FIELDS)
    name = _clean_text(name, field="name", max_length=60, required=True)
    description = _clean_text(description, field="description", max_length=2000)
    _check_name(name, ladder=ladder, tier=tier)
    rank = tier.rank if rank is None else _check_rank(rank, highest=len(ladder))
    tier.name, tier.description = name, description
    tier.full_clean(exclude=["rank"], validate_constraints=False)
    tier.save(update_fields=["name", "description"])
    if rank != tier.rank:
        ordered = [t for t in ladder if t.pk != tier.pk]
        ordered.insert(rank - 1, tier)
        _renumber(actor=actor, ordered=ordered, skip=tier)
    log_setup_change(
        actor=actor, obj=tier, action=CHANGED, before=before, after=snapshot(tier, TIER_FIELDS),
        summary=_("Tier edited"),
    )  # fmt: skip
    return tier


@transaction.atomic
def tier_move(*, actor, tier: Tier, direction: str) -> Tier:
    """Swap ``tier`` with its neighbour above (``"up"``) or below (``"down"``)."""
    _require_editor(actor)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move a tier up or down.")})
    ladder = _locked_ladder(tier.program_id)
    index = next(i for i, t in enumerate(ladder) if t.pk == tier.pk)
    target = index + (1 if direction == "up" else -1)
    if not 0 <= target < len(ladder):
        message = (
            _("%(tier)s is already the highest tier.")
            if direction == "up"
            else _("%(tier)s is already the entry tier.")
        )
        raise ValidationError({"rank": message % {"tier": ladder[index].name}})
    ordered = [*ladder]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    moved = ladder[index]
    before = snapshot(moved, TIER_FIELDS)
    _renumber(actor=actor, ordered=ordered, skip=moved)
    log_setup_change(
        actor=actor, obj=moved, action=CHANGED, before=before, after=snapshot(moved, TIER_FIELDS),
        summary=_("Tier moved up") if direction == "up" else _("Tier moved down"),
    )  # fmt: skip
    return moved


@transaction.atomic
def tier_delete(*, actor, tier: Tier) -> None:
    """Delete an unused tier with its requirements and benefits; the tiers above it move down a
    rank. Refused, with each reference listed, while partners hold it or anything else names it
    (content gated at it, a pending demotion to it, its history, a deal policy...)."""
    _require_editor(actor)
    ladder = _locked_ladder(tier.program_id)
    tier = next(t for t in ladder if t.pk == tier.pk)
    references = tier_references(tier)
    if references:
        raise ValidationError(
            _("%(tier)s is still in use, so it cannot be deleted: %(references)s.")
            % {"tier": tier.name, "references": "; ".join(references)}
        )
    log_setup_change(
        actor=actor, obj=tier, action=DELETED, before=snapshot(tier, TIER_FIELDS),
        summary=_("Tier deleted"),
    )  # fmt: skip
    tier.delete()
    _renumber(actor=actor, ordered=[t for t in ladder if t.pk != tier.pk])


# --- Requirements -------------------------------------------------------------------------------


def _validate_requirement(requirement: TierRequirement) -> None:
    """Every rule of a requirement, each on its field; raises the first field's errors."""
    measure = requirement.measure
    if measure is None:
        raise ValidationError({"metric": _("Choose one of the measures on offer.")})
    if requirement.subject_id and not measure.subject:
        raise ValidationError(
            {"metric": _("%(measure)s counts everything: it cannot be narrowed.")
             % {"measure": measure.label}}
        )  # fmt: skip
    if requirement.subject_id:
        found = measure.subjects([requirement.subject_id]) if measure.subjects else {}
        if requirement.subject_id not in found:
            raise ValidationError(
                {measure.subject: _("Choose one of the %(subject)s options on offer.")
                 % {"subject": measure.subject}}
            )  # fmt: skip
    minimum = requirement.minimum
    if minimum is None:
        raise ValidationError({"minimum": _("Give the minimum a partner must reach.")})
    if minimum < 0 or minimum > MAX_MINIMUM:
        raise ValidationError(
            {"minimum": _("Give a minimum from 0 to %(max)s.") % {"max": number_text(MAX_MINIMUM)}}
        )
    if measure.unit in (Unit.COUNT, Unit.FLAG) and minimum != minimum.to_integral_value():
        raise ValidationError({"minimum": _("%(measure)s is counted in whole numbers.")
                               % {"measure": measure.label}})  # fmt: skip
    if minimum == 0:
        raise ValidationError(
            {"minimum": _("A minimum of 0 is met by every partner: give a higher one.")}
        )
    if measure.maximum is not None and minimum > measure.maximum:
        raise ValidationError(
            {"minimum": _("%(measure)s is at most %(max)s.")
             % {"measure": measure.label, "max": number_text(measure.maximum)}}
        )  # fmt: skip
    same = TierRequirement.objects.filter(tier_id=requirement.tier_id, metric=requirement.metric)
    if requirement.pk:
        same = same.exclude(pk=requirement.pk)
    if requirement.subject_id:
        if same.filter(subject_id=requirement.subject_id).exists():
            raise ValidationError(
                {measure.subject: _("This tier already asks for this %(subject)s.")
                 % {"subject": measure.subject}}
            )  # fmt: skip
    elif same.filter(subject_id__isnull=True).exists():
        raise ValidationError({"metric": _("This tier already has a requirement on this measure.")})
    errors = requirement.unreachable_errors()
    if errors:
        raise ValidationError(errors)
    requirement.full_clean(exclude=["tier"], validate_constraints=False)


def _requirement(requirement, *, metric, minimum, subject_id, note) -> TierRequirement:
    requirement.metric = (metric or "").strip()
    requirement.minimum = Decimal(minimum) if minimum is not None else None
    requirement.subject_id = subject_id or None
    requirement.note = _clean_text(note, field="note", max_length=200)
    _validate_requirement(requirement)
    return requirement


@transaction.atomic
def requirement_create(
    *, actor, tier: Tier, metric: str, minimum, subject_id: int | None = None, note: str = ""
) -> TierRequirement:
    """A new requirement of ``tier``: at least ``minimum`` of the registered measure ``metric``
    (narrowed to ``subject_id`` for a measure that takes a subject)."""
    _require_editor(actor)
    tier = Tier.objects.select_for_update().select_related("program").get(pk=tier.pk)
    requirement = _requirement(
        TierRequirement(tier=tier), metric=metric, minimum=minimum, subject_id=subject_id,
        note=note,
    )  # fmt: skip
    requirement.save()
    log_setup_change(
        actor=actor, obj=requirement, action=ADDED,
        after=snapshot(requirement, REQUIREMENT_FIELDS), summary=_("Tier requirement added"),
    )  # fmt: skip
    return requirement


@transaction.atomic
def requirement_update(
    *, actor, requirement: TierRequirement, metric: str, minimum, subject_id: int | None = None,
    note: str = "",
) -> TierRequirement:  # fmt: skip
    _require_editor(actor)
    requirement = (
        TierRequirement.objects.select_for_update()
        .select_related("tier", "tier__program")
        .get(pk=requirement.pk)
    )
    before = snapshot(requirement, REQUIREMENT_FIELDS)
    _requirement(requirement, metric=metric, minimum=minimum, subject_id=subject_id, note=note)
    requirement.save()
    log_setup_change(
        actor=actor, obj=requirement, action=CHANGED, before=before,
        after=snapshot(requirement, REQUIREMENT_FIELDS), summary=_("Tier requirement changed"),
    )  # fmt: skip
    return requirement


@transaction.atomic
def requirement_delete(*, actor, requirement: TierRequirement) -> None:
    _require_editor(actor)
    requirement = (
        TierRequirement.objects.select_for_update().select_related("tier").get(pk=requirement.pk)
    )
    log_setup_change(
        actor=actor, obj=requirement, action=DELETED,
        before=snapshot(requirement, REQUIREMENT_FIELDS), summary=_("Tier requirement removed"),
    )  # fmt: skip
    requirement.delete()


# --- Benefits -----------------------------------------------------------------------------------


def _validate_benefit(benefit: TierBenefit) -> None:
    if benefit.kind not in BenefitKind.values:
        raise ValidationError({"kind": _("Choose one of the kinds on offer.")})
    amount = benefit.amount
    if benefit.kind in TYPED_BENEFIT_KINDS and amount is None:
        raise ValidationError({"amount": _("This kind of benefit needs an amount.")})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if benefit.kind == BenefitKind.DEAL_PROTECTION_DAYS and (
        amount != amount.to_integral_value() or not 1 <= amount <= MAX_PROTECTION_DAYS
    ):
        raise ValidationError(
            {"amount": _("Give whole days from 1 to %(n)s.") % {"n": MAX_PROTECTION_DAYS}}
        )
    if benefit.kind == BenefitKind.DISCOUNT_PERCENT and amount > 100:
        raise ValidationError({"amount": _("A discount is at most 100%.")})
    if benefit.kind == BenefitKind.MDF_ALLOCATION:
        if amount > MAX_MDF_AMOUNT:
            raise ValidationError({"amount": _("This amount is too large.")})
        if not benefit.period:
            raise ValidationError({"period": _("Say per which period the funds are allocated.")})
    elif benefit.period:
        raise ValidationError({"period": _("Only an MDF allocation has a period.")})
    if benefit.kind in (*TYPED_BENEFIT_KINDS, BenefitKind.MDF_ELIGIBLE):
        same = TierBenefit.objects.filter(tier_id=benefit.tier_id, kind=benefit.kind)
        if benefit.pk:
            same = same.exclude(pk=benefit.pk)
        if same.exists():
            raise ValidationError({"kind": _("This tier already has a benefit of this kind.")})
    try:
        benefit.full_clean(exclude=["tier"], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _benefit(benefit, *, kind, name, amount, period, value, description, position) -> TierBenefit:
    benefit.kind = kind
    benefit.name = _clean_text(name, field="name", max_length=120, required=True)
    benefit.amount = Decimal(amount) if amount is not None else None
    benefit.period = period or ""
    benefit.value = _clean_text(value, field="value", max_length=120)
    benefit.description = _clean_text(description, field="description", max_length=2000)
    if position is None or not 0 <= int(position) <= 1000:
        raise ValidationError({"position": _("Give a position from 0 to 1000.")})
    benefit.position = int(position)
    _validate_benefit(benefit)
    return benefit


@transaction.atomic
def benefit_create(
    *, actor, tier: Tier, kind: str, name: str, amount=None, period: str = "", value: str = "",
    description: str = "", position: int = 0,
) -> TierBenefit:  # fmt: skip
    """A new benefit of ``tier``. Deal protection days, discount percent and an MDF allocation
    (with its period) carry their number in ``amount`` and apply at once (``partners.benefits``);
    a tier holds each of those kinds once."""
    _require_editor(actor)
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    benefit = _benefit(
        TierBenefit(tier=tier), kind=kind, name=name, amount=amount, period=period, value=value,
        description=description, position=position,
    )  # fmt: skip
    benefit.save()
    log_setup_change(
        actor=actor, obj=benefit, action=ADDED, after=snapshot(benefit, BENEFIT_FIELDS),
        summary=_("Tier benefit added"),
    )  # fmt: skip
    return benefit


@transaction.atomic
def benefit_update(
    *, actor, benefit: TierBenefit, kind: str, name: str, amount=None, period: str = "",
    value: str = "", description: str = "", position: int = 0,
) -> TierBenefit:  # fmt: skip
    _require_editor(actor)
    benefit = TierBenefit.objects.select_for_update().select_related("tier").get(pk=benefit.pk)
    before = snapshot(benefit, BENEFIT_FIELDS)
    _benefit(
        benefit, kind=kind, name=name, amount=amount, period=period, value=value,
        description=description, position=position,
    )  # fmt: skip
    benefit.save()
    log_setup_change(
        actor=actor, obj=benefit, action=CHANGED, before=before,
        after=snapshot(benefit, BENEFIT_FIELDS), summary=_("Tier benefit changed"),
    )  # fmt: skip
    return benefit


@transaction.atomic
def benefit_delete(*, actor, benefit: TierBenefit) -> None:
    _require_editor(actor)
    benefit = TierBenefit.objects.select_for_update().select_related("tier").get(pk=benefit.pk)
    log_setup_change(
        actor=actor, obj=benefit, action=DELETED, before=snapshot(benefit, BENEFIT_FIELDS),
        summary=_("Tier benefit removed"),
    )  # fmt: skip
    benefit.delete()
