"""What a tier setup change would do, before it is saved: a dry run of the nightly evaluation.

``impact_of`` runs the evaluation's own read-only part (``tiers.evaluation.evaluation_chunks``:
the same ladders, measures and ``decide``) for one program twice: as the program stands, and
with the change applied inside a transaction that is then rolled back (the change is made by the
real service, so its validation and its side rows are exactly those of saving it; nothing of it
survives, and no audit line is written). Partners whose outcome tonight differs between the two
runs are the change's impact.

``partners_meeting`` counts the active partners of a program that meet one requirement today,
with the evaluation's ``measure`` and ``requirement_met``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners.models import Program, Tier
from tiers.choices import TierChangeKind
from tiers.evaluation import CHUNK_SIZE, Decision, active_partners, evaluation_chunks
from tiers.measures import measure, requirement_met
from tiers.models import TierRequirement
from tiers.services.common import previewing

MOVES_SHOWN = 20
UP, DOWN, STAYS = "up", "down", "stays"


@dataclass(frozen=True)
class Outcome:
    """What tonight's evaluation does for one partner (plain values: they outlive the rollback)."""

    partner_name: str
    kind: str  # a TierChangeKind, "" for nothing
    from_name: str
    to_name: str
    to_pk: int | None

    @property
    def direction(self) -> str:
        if self.kind == TierChangeKind.PROMOTION:
            return UP
        if self.kind in (TierChangeKind.WARNING, TierChangeKind.DEMOTION):
            return DOWN
        return STAYS


@dataclass(frozen=True)
class Move:
    partner_id: int
    partner_name: str
    direction: str  # UP, DOWN or STAYS (e.g. no longer promoted, a warning lifted)
    kind: str  # what the evaluation would do with the change ("" for nothing)
    from_name: str
    to_name: str
    without: Outcome | None  # what it would do without the change


@dataclass
class Impact:
    up: int = 0
    down: int = 0
    other: int = 0
    evaluated: int = 0
    moves: list[Move] = field(default_factory=list)  # the first MOVES_SHOWN, by name
    anyway: int = 0  # partners the evaluation moves tonight with or without the change
    grace_days: int = 0

    @property
    def changed(self) -> int:
        return self.up + self.down + self.other

    @property
    def more(self) -> int:
        return self.changed - len(self.moves)


class _DryRun(Exception):
    """Raised to roll the applied change back once it has been measured."""


def _outcome(decision: Decision) -> Outcome:
    return Outcome(
        partner_name=decision.partner.name,
        kind=str(decision.kind),
        from_name=decision.from_tier.name if decision.from_tier else "",
        to_name=decision.to_tier.name if decision.to_tier else "",
        to_pk=decision.to_tier.pk if decision.to_tier else None,
    )


def _outcomes(*, program_id: int, at: datetime) -> tuple[dict[int, Outcome], dict[int, tuple]]:
    """Tonight's decisions for the program's partners, and every evaluated partner's
    ``(name, current tier id)``."""
    outcomes, partners = {}, {}
    for chunk, decisions in evaluation_chunks(at=at, program_ids=[program_id]):
        partners.update({p.pk: (p.name, p.tier_id) for p in chunk})
        outcomes.update({d.partner.pk: _outcome(d) for d in decisions})
    return outcomes, partners


def impact_of(
    *, program: Program, change: Callable[[], object], at: datetime | None = None
) -> Impact:
    """How tonight's evaluation of ``program`` would differ if ``change`` (a call of a setup
    service) were saved. ``change`` runs and is rolled back; a ValidationError it raises
    propagates (nothing to preview: the form shows the error)."""
    at = at or timezone.now()
    before, partners = _outcomes(program_id=program.pk, at=at)
    after: dict[int, Outcome] = {}
    tier_names: dict[int, str] = {}
    try:
        with transaction.atomic(), previewing():
            change()
            after, partners_after = _outcomes(program_id=program.pk, at=at)
            partners.update(partners_after)
            tier_names = dict(Tier.objects.filter(program=program).values_list("pk", "name"))
            raise _DryRun
    except _DryRun:
        pass
    impact = Impact(evaluated=len(partners), grace_days=settings.PRM_TIER_GRACE_DAYS)
    moves = []
    for pid in before.keys() | after.keys():
        old, new = before.get(pid), after.get(pid)
        if _same(old, new):
            if new is not None and new.direction != STAYS:
                impact.anyway += 1
            continue
        name, tier_id = partners[pid]
        current = tier_names.get(tier_id, "") if tier_id else ""
        if new is None:
            move = Move(pid, name, STAYS, "", current, current, old)
        else:
            move = Move(pid, name, new.direction, new.kind, new.from_name, new.to_name, old)
        if move.direction == UP:
            impact.up += 1
        elif move.direction == DOWN:
            impact.down += 1
        else:
            impact.other += 1
        moves.append(move)
    moves.sort(key=lambda m: ({UP: 0, DOWN: 1}.get(m.direction, 2), m.partner_name.casefold()))
    impact.moves = moves[:MOVES_SHOWN]
    return impact


def _same(old: Outcome | None, new: Outcome | None) -> bool:
    if old is None or new is None:
        return old is new
    return (old.kind, old.to_pk) == (new.kind, new.to_pk)


def partners_meeting(
    *, tier: Tier, metric: str, minimum: Decimal, subject_id: int | None = None,
    at: datetime | None = None,
) -> tuple[int, int]:  # fmt: skip
    """``(meet, active)``: how many of the active partners of ``tier``'s program meet "at least
    ``minimum`` of ``metric``" today, measured as the nightly evaluation measures it. A fixed
    number of queries per chunk of partners."""
    at = at or timezone.now()
    requirement = TierRequirement(
        tier=tier, metric=metric, minimum=Decimal(minimum), subject_id=subject_id
    )
    base = active_partners([tier.program_id])
    meet = active = 0
    last_pk = 0
    while True:
        chunk = list(base.filter(pk__gt=last_pk)[:CHUNK_SIZE])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        active += len(chunk)
        values = measure(partners=chunk, requirements=[requirement], at=at)
        meet += sum(1 for p in chunk if requirement_met(requirement, values[p.pk]))
    return meet, active
