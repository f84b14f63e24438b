"""Values behind tier requirements, for many partners at once, from the registered measures.

The apps that own the data register the measures (``partners.measures``); tiers reads them by
the key a requirement stores. ``measure`` calls each ``compute`` function the requirements need
once (a fixed number of grouped queries whatever the number of partners or requirements): the
nightly evaluation and the progress shown on the partner home read the same numbers.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.measures import Measure, Unit, measures, register
from partners.models import Tier
from tiers.models import TierRequirement

ACTIVATED = "activated"


def requirement_key(requirement: TierRequirement) -> str:
    """Where a requirement's value sits in a partner's measures."""
    if requirement.subject_id:
        return f"{requirement.metric}:{requirement.subject_id}"
    return requirement.metric


def requirement_met(requirement: TierRequirement, values: dict[str, Decimal]) -> bool:
    return values.get(requirement_key(requirement), Decimal("0")) >= requirement.minimum


@dataclass(frozen=True)
class Ladder:
    """The tiers of one program, lowest rank first, with their requirements loaded."""

    tiers: list[Tier]

    @property
    def entry(self) -> Tier | None:
        return self.tiers[0] if self.tiers else None

    def qualified(self, values: dict[str, Decimal]) -> Tier | None:
        """The highest tier whose requirements are all met; never below the entry tier."""
        best = self.entry
        for tier in self.tiers:
            if all(requirement_met(r, values) for r in tier.requirements.all()):
                best = tier
        return best

    def above(self, tier: Tier | None) -> Tier | None:
        rank = tier.rank if tier is not None else 0
        return next((t for t in self.tiers if t.rank > rank), None)


def ladders(*, program_ids=None) -> dict[int, Ladder]:
    """Each program's ladder (two queries in all)."""
    requirements = TierRequirement.objects.all()
    qs = Tier.objects.prefetch_related(Prefetch("requirements", queryset=requirements)).order_by(
        "program_id", "rank"
    )
    if program_ids is not None:
        qs = qs.filter(program_id__in=program_ids)
    result: dict[int, list[Tier]] = {}
    for tier in qs:
        result.setdefault(tier.program_id, []).append(tier)
    return {program_id: Ladder(tiers) for program_id, tiers in result.items()}


def measure(*, partners, requirements, at: datetime) -> dict[int, dict[str, Decimal]]:
    """``partner id → {requirement key → value}`` at ``at`` for the measures ``requirements``
    use. ``partners`` need ``pk`` (and ``activated_at`` for the activation). A partner without
    data gets 0. A requirement whose measure is not registered counts 0 (it cannot be met)."""
    partners = list(partners)
    ids = [p.pk for p in partners]
    values: dict[int, dict[str, Decimal]] = {pid: {} for pid in ids}
    if not ids:
        return values
    subject_ids: dict[str, set[int]] = {}
    for r in requirements:
        if r.metric in measures:
            subject_ids.setdefault(r.metric, set())
            if r.subject_id:
                subject_ids[r.metric].add(r.subject_id)
    by_compute: dict = {}  # one call per compute function, with the subjects of its measures
    for key, subjects in subject_ids.items():
        by_compute.setdefault(measures.get(key).compute, set()).update(subjects)
    computed: dict = {}
    for compute, subjects in by_compute.items():
        computed.update(
            compute(partner_ids=ids, at=at, subject_ids=sorted(subjects), partners=partners)
        )
    for key, subjects in subject_ids.items():
        table = computed.get(key, {})
        for pid in ids:
            values[pid][key] = Decimal(str(table.get(pid, 0)))
            for subject_id in subjects:
                values[pid][f"{key}:{subject_id}"] = Decimal(str(table.get((pid, subject_id), 0)))
    return values


def subjects_of(requirements) -> dict[tuple[str, int], object]:
    """``(measure key, subject id) → subject`` for the requirements narrowed to a subject: one
    call per measure (a query or two each)."""
    wanted: dict[str, set[int]] = {}
    for r in requirements:
        if r.subject_id and r.metric in measures:
            wanted.setdefault(r.metric, set()).add(r.subject_id)
    found = {}
    for key, ids in wanted.items():
        subjects = measures.get(key).subjects
        for subject_id, subject in (subjects(sorted(ids)) if subjects else {}).items():
            found[(key, subject_id)] = subject
    return found


def jsonable(values: dict[str, Decimal]) -> dict[str, str]:
    return {key: f"{value.normalize():f}" for key, value in values.items()}


# --- The activation, measured from the partner row itself -----------------------------------------


def _activated(*, partner_ids, at, subject_ids, partners):
    done = {p.pk: int(p.activated_at is not None and p.activated_at <= at) for p in partners}
    return {ACTIVATED: {pid: done.get(pid, 0) for pid in partner_ids}}


def _describe_activated(*, current, minimum, subject):
    text = _("Activation done") if current >= minimum else _("Activation not done yet")
    return text, _("Finish onboarding"), reverse("onboarding:checklist")


def _check_activated(*, tier, minimum, subject_id):
    if minimum > 1:
        return {"minimum": _("Activation is done (1) or not (0): ask for 1.")}
    return {}


def register_measures() -> None:
    """Called from ``TiersConfig.ready()``."""
    register(
        Measure(
            key=ACTIVATED,
            label=gettext_lazy("Activation done"),
            counting=gettext_lazy(
                "1 once the partner has finished onboarding (activation), else 0."
            ),
            unit=Unit.FLAG,
            compute=_activated,
            past_levels=True,  # the activation date
            describe=_describe_activated,
            maximum=Decimal(1),
            check=_check_activated,
        )
    )
