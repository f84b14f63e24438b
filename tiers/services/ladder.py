"""A program's tiers: create, edit, reorder (ranks stay 1..n, unique), delete."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kernel.setup_log import ADDED, CHANGED, DELETED, snapshot
from partners.models import Program, Tier
from tiers.selectors import tier_references
from tiers.services.common import clean_text, log_change, require_editor

TIER_FIELDS = ("name", "rank", "description", "translations")
RANK_PARKING = 10_000  # ranks are moved out of the way here while a program is renumbered


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
        log_change(
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
    *,
    actor,
    program: Program,
    name: str,
    description: str = "",
    rank: int | None = None,
    translations: dict | None = None,
) -> Tier:
    """A new tier of ``program`` at ``rank`` (default: on top). The tiers from that rank up move
    one rank up. A new tier has no requirement: the evaluation promotes into it every partner
    that meets the tiers below it, so add requirements before partners are evaluated."""
    require_editor(actor)
    ladder = _locked_ladder(program.pk)
    name = clean_text(name, field="name", max_length=60, required=True)
    description = clean_text(description, field="description", max_length=2000)
    _check_name(name, ladder=ladder)
    rank = len(ladder) + 1 if rank is None else _check_rank(rank, highest=len(ladder) + 1)
    tier = Tier(
        program=program,
        name=name,
        description=description,
        rank=RANK_PARKING * 2,
        translations=translations or {},
    )
    tier.full_clean(exclude=["rank"], validate_constraints=False)
    tier.save()
    ordered = [*ladder]
    ordered.insert(rank - 1, tier)
    _renumber(actor=actor, ordered=ordered, skip=tier)
    log_change(
        actor=actor, obj=tier, action=ADDED, after=snapshot(tier, TIER_FIELDS),
        summary=_("Tier added"),
    )  # fmt: skip
    return tier


@transaction.atomic
def tier_update(
    *,
    actor,
    tier: Tier,
    name: str,
    description: str = "",
    rank: int | None = None,
    translations: dict | None = None,
) -> Tier:
    """Rename, describe or move ``tier`` to ``rank`` (None: keep it); the tiers in between
    shift by one rank. ``translations``: its other-language versions (None: keep them)."""
    require_editor(actor)
    ladder = _locked_ladder(tier.program_id)
    tier = next(t for t in ladder if t.pk == tier.pk)
    before = snapshot(tier, TIER_FIELDS)
    name = clean_text(name, field="name", max_length=60, required=True)
    description = clean_text(description, field="description", max_length=2000)
    _check_name(name, ladder=ladder, tier=tier)
    rank = tier.rank if rank is None else _check_rank(rank, highest=len(ladder))
    tier.name, tier.description = name, description
    if translations is not None:
        tier.translations = translations
    tier.full_clean(exclude=["rank"], validate_constraints=False)
    tier.save(update_fields=["name", "description", "translations"])
    if rank != tier.rank:
        ordered = [t for t in ladder if t.pk != tier.pk]
        ordered.insert(rank - 1, tier)
        _renumber(actor=actor, ordered=ordered, skip=tier)
    log_change(
        actor=actor, obj=tier, action=CHANGED, before=before, after=snapshot(tier, TIER_FIELDS),
        summary=_("Tier edited"),
    )  # fmt: skip
    return tier


@transaction.atomic
def tier_move(*, actor, tier: Tier, direction: str) -> Tier:
    """Swap ``tier`` with its neighbour above (``"up"``) or below (``"down"``)."""
    require_editor(actor)
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
    log_change(
        actor=actor, obj=moved, action=CHANGED, before=before, after=snapshot(moved, TIER_FIELDS),
        summary=_("Tier moved up") if direction == "up" else _("Tier moved down"),
    )  # fmt: skip
    return moved


@transaction.atomic
def tier_delete(*, actor, tier: Tier) -> None:
    """Delete an unused tier with its requirements and benefits; the tiers above it move down a
    rank. Refused, with each reference listed, while partners hold it or anything else names it
    (content gated at it, a pending demotion to it, its history, a deal policy...)."""
    require_editor(actor)
    ladder = _locked_ladder(tier.program_id)
    tier = next(t for t in ladder if t.pk == tier.pk)
    references = tier_references(tier)
    if references:
        raise ValidationError(
            _("%(tier)s is still in use, so it cannot be deleted: %(references)s.")
            % {"tier": tier.name, "references": "; ".join(references)}
        )
    log_change(
        actor=actor, obj=tier, action=DELETED, before=snapshot(tier, TIER_FIELDS),
        summary=_("Tier deleted"),
    )  # fmt: skip
    tier.delete()
    _renumber(actor=actor, ordered=[t for t in ladder if t.pk != tier.pk])
