"""Reads of the tier pages, scoped to the user (``partners.selectors.partner_list_for_user``)."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from partners.measures import number_text
from partners.models import Partner, Program, Tier, TierBenefit
from partners.permissions import can_override_tier
from partners.selectors import partner_get_for_user, partner_list_for_user
from tiers.measures import subjects_of
from tiers.models import TierHistory, TierRequirement, TierStanding


def tier_review_for_user(*, user: User, limit: int = 100) -> dict:
    """For the vendor's tier review page: partners warned of a demotion (soonest first), partners
    pinned by an override, and the latest tier changes, among the partners ``user`` may see.
    Three queries."""
    visible = partner_list_for_user(user=user).values("pk")
    now = timezone.now()
    standings = TierStanding.objects.filter(partner_id__in=visible).select_related(
        "partner", "partner__tier", "partner__owner", "demote_to"
    )
    return {
        "at_risk": list(
            standings.filter(below_since__isnull=False).order_by("demote_after")[:limit]
        ),
        "pinned": list(standings.filter(pinned_until__gt=now).order_by("pinned_until")[:limit]),
        "history": list(
            TierHistory.objects.filter(partner_id__in=visible)
            .select_related("partner", "from_tier", "to_tier", "actor")
            .order_by("-at", "-pk")[:limit]
        ),
    }


def partner_get_for_tier_override(*, user: User, pk: int) -> Partner:
    """A partner whose tier ``user`` may override: vendor admins any, a channel manager the
    partners they own; anybody else gets 404."""
    partner = partner_get_for_user(user=user, pk=pk)
    if not can_override_tier(user, partner):
        raise Http404("No such partner.")
    return partner


# --- The tier setup pages ------------------------------------------------------------------------

PARTNER_NAMES_PER_TIER = 5


@dataclass
class TierRow:
    """One tier of a program's ladder as the setup page shows it."""

    tier: Tier
    requirements: list
    benefits: list
    partner_count: int = 0
    partner_names: list[str] = field(default_factory=list)


def setup_programs() -> list[Program]:
    """Every program, for the picker (one query)."""
    return list(Program.objects.order_by("name", "pk"))


def setup_ladder(*, program: Program) -> dict:
    """The ladder of ``program`` for its setup page, lowest rank first: each tier with its
    requirements (and the subjects they name), its benefits, how many partners hold it and the
    first few by name; and how many partners of the program hold no tier. Seven queries at most
    plus one per measure that names subjects, whatever the number of tiers or partners."""
    tiers = list(
        Tier.objects.filter(program=program)
        .prefetch_related(
            Prefetch("requirements", queryset=TierRequirement.objects.order_by("metric", "pk")),
            Prefetch("benefits", queryset=TierBenefit.objects.order_by("position", "name", "pk")),
        )
        .order_by("rank")
    )
    counts = dict(
        Partner.objects.filter(program=program)
        .values_list("tier_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    first = (
        Partner.objects.filter(program=program, tier__isnull=False)
        .annotate(row=Window(RowNumber(), partition_by=F("tier_id"), order_by=[F("name"), F("pk")]))
        .filter(row__lte=PARTNER_NAMES_PER_TIER)
        .values_list("tier_id", "name")
    )
    names: dict[int, list[str]] = {}
    for tier_id, name in first:
        names.setdefault(tier_id, []).append(name)
    requirements = [r for t in tiers for r in t.requirements.all()]
    subjects = subjects_of(requirements)
    rows = []
    for tier in tiers:
        reqs = [
            {
                "requirement": r,
                "measure": r.measure,
                "subject": subjects.get((r.metric, r.subject_id)) if r.subject_id else None,
                "minimum": number_text(r.minimum),
            }
            for r in tier.requirements.all()
        ]
        rows.append(
            TierRow(
                tier=tier,
                requirements=reqs,
                benefits=list(tier.benefits.all()),
                partner_count=counts.get(tier.pk, 0),
                partner_names=names.get(tier.pk, []),
            )
        )
    return {"rows": rows, "untiered": counts.get(None, 0)}


def setup_tier_get(*, pk: int) -> Tier:
    """A tier for the setup pages (the views have checked the role), or 404."""
    return get_object_or_404(Tier.objects.select_related("program"), pk=pk)


def setup_requirement_get(*, pk: int) -> TierRequirement:
    return get_object_or_404(TierRequirement.objects.select_related("tier", "tier__program"), pk=pk)


def setup_benefit_get(*, pk: int) -> TierBenefit:
    return get_object_or_404(TierBenefit.objects.select_related("tier", "tier__program"), pk=pk)


# The rows that belong to a tier and go with it (its own configuration), not references to it.
OWN_RELATIONS = {("tiers", "tierrequirement"), ("partners", "tierbenefit")}
REFERENCE_NAMES_SHOWN = 10


def tier_references(tier: Tier) -> list[str]:
    """One readable line per kind of row that names ``tier`` (partners holding it, content gated
    at it, pending demotions to it, history lines, a deal policy, a checklist...), found from
    the model graph so an app added later is covered without tiers importing it. Empty when
    only the tier's own requirements and benefits name it. One query per relation."""
    lines = []
    for relation in Tier._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        model = relation.related_model
        if (model._meta.app_label, model._meta.model_name) in OWN_RELATIONS:
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        rows = model._base_manager.filter(**{relation.field.name: tier})
        if model is Partner:
            found = list(
                rows.order_by("name").values_list("name", flat=True)[: REFERENCE_NAMES_SHOWN + 1]
            )
            if not found:
                continue
            shown = ", ".join(found[:REFERENCE_NAMES_SHOWN])
            total = rows.count() if len(found) > REFERENCE_NAMES_SHOWN else len(found)
            lines.append(
                ngettext(
                    "%(n)s partner holds it (%(names)s)",
                    "%(n)s partners hold it (%(names)s)",
                    total,
                )
                % {"n": total, "names": shown + ("…" if total > REFERENCE_NAMES_SHOWN else "")}
            )
            continue
        count = rows.count()
        if count:
            lines.append(
                _("%(what)s (%(field)s): %(n)s")
                % {
                    "what": capfirst(model._meta.verbose_name_plural),
                    "field": relation.field.verbose_name,
                    "n": count,
                }
            )
    return lines
