"""The nightly tier evaluation: promotions at once, demotions after a warning and a grace period.

Contract of ``tiers_evaluate``:
- Active partners are measured in chunks; each chunk costs a fixed number of queries (measures,
  standings, and the writes grouped by kind), never one per partner or per requirement.
- A partner whose highest fully-met tier is above its tier is promoted straight to it.
- Below its tier, it is first warned (``TierStanding.below_since`` / ``demote_after``, a history
  line, a ``tier.demotion_warned`` event, an email to its admins, a notice on its home page);
  once ``demote_after`` has passed and it still falls short, it is demoted to the tier it meets.
  Meeting the requirements again in between clears the warning (``tier.recovered``).
- A partner pinned by an override (``pinned_until`` in the future) is left alone.
- Running it again at the same moment changes nothing: each decision compares the stored state,
  and every event key is derived from the state change (``record_events`` skips known keys).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.choices import EventKind
from events.services import NewEvent, record_events
from partners.choices import PartnerStatus
from partners.models import Partner, Tier
from tiers.choices import TierChangeKind
from tiers.measures import Ladder, jsonable, ladders, measure
from tiers.models import TierHistory, TierStanding
from tiers.notify import notify_partners_on_commit

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000


@dataclass
class Decision:
    partner: Partner
    kind: str  # a TierChangeKind
    from_tier: Tier | None
    to_tier: Tier | None
    values: dict
    below_since: datetime | None  # the standing this decision was taken on (re-checked)
    reason: str = ""


@dataclass
class EvaluationResult:
    evaluated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.counts[str(kind)] = self.counts.get(str(kind), 0) + 1


def decide(
    *, partner: Partner, ladder: Ladder, standing: TierStanding | None, values, at: datetime
) -> Decision | None:
    """What the evaluation does for one partner (pure: no queries, no writes)."""
    if standing is not None and standing.is_pinned(at):
        return None
    current = ladder_tier(ladder, partner.tier_id)
    qualified = ladder.qualified(values)
    if qualified is None:
        return None
    below_since = standing.below_since if standing is not None else None
    base = {"partner": partner, "from_tier": current, "values": values, "below_since": below_since}
    if current is None or qualified.rank > current.rank:
        reason = (
            f"Met every requirement of {qualified.name}."
            if current is not None
            else f"First tier assignment: {qualified.name}."
        )
        return Decision(kind=TierChangeKind.PROMOTION, to_tier=qualified, reason=reason, **base)
    if qualified.rank == current.rank:
        if below_since is None:
            return None
        return Decision(
            kind=TierChangeKind.RECOVERED,
            to_tier=current,
            reason=f"Meets the requirements of {current.name} again; the warning is lifted.",
            **base,
        )
    if below_since is None:
        grace = settings.PRM_TIER_GRACE_DAYS
        return Decision(
            kind=TierChangeKind.WARNING,
            to_tier=qualified,
            reason=(
                f"The requirements of {current.name} are no longer met. Unless they are met "
                f"again within {grace} days, the tier becomes {qualified.name}."
            ),
            **base,
        )
    if at < standing.demote_after:
        return None
    return Decision(
        kind=TierChangeKind.DEMOTION,
        to_tier=qualified,
        reason=(
            f"The requirements of {current.name} have not been met since "
            f"{below_since:%Y-%m-%d} and the grace period ended on {standing.demote_after:%Y-%m-%d}."
        ),
        **base,
    )


def ladder_tier(ladder: Ladder, tier_id: int | None) -> Tier | None:
    return next((t for t in ladder.tiers if t.pk == tier_id), None)


def active_partners(program_ids):
    """The partners the evaluation measures: active ones of the programs with a ladder."""
    return (
        Partner.objects.filter(status=PartnerStatus.ACTIVE, program_id__in=list(program_ids))
        .only("pk", "name", "program_id", "tier_id", "activated_at")
        .order_by("pk")
    )


def chunk_decisions(*, chunk: list[Partner], all_ladders: dict[int, Ladder], requirements, at):
    """What the evaluation decides for ``chunk`` (no writes): their standings and measures (a
    fixed number of queries), then ``decide`` for each. The impact preview of the tier setup
    pages (``tiers.impact``) runs this same code against a changed ladder."""
    ids = [p.pk for p in chunk]
    standings = {s.partner_id: s for s in TierStanding.objects.filter(partner_id__in=ids)}
    values = measure(partners=chunk, requirements=requirements, at=at)
    decisions = []
    for partner in chunk:
        decision = decide(
            partner=partner,
            ladder=all_ladders[partner.program_id],
            standing=standings.get(partner.pk),
            values=values[partner.pk],
            at=at,
        )
        if decision is not None:
            decisions.append(decision)
    return decisions


def evaluation_chunks(*, at: datetime, program_ids=None, chunk_size: int = CHUNK_SIZE):
    """Yield ``(partners, decisions)`` chunk by chunk, as the evaluation measures them (read
    only: the caller writes, or not). ``program_ids`` limits it to some programs."""
    all_ladders = ladders(program_ids=program_ids)
    requirements = [
        r for lad in all_ladders.values() for t in lad.tiers for r in t.requirements.all()
    ]
    base = active_partners(all_ladders)
    last_pk = 0
    while True:
        chunk = list(base.filter(pk__gt=last_pk)[:chunk_size])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        yield (
            chunk,
            chunk_decisions(chunk=chunk, all_ladders=all_ladders, requirements=requirements, at=at),
        )


def tiers_evaluate(*, at: datetime | None = None, chunk_size: int = CHUNK_SIZE) -> EvaluationResult:
    """Evaluate every active partner at ``at`` (default now). See the module docstring."""
    at = at or timezone.now()
    result = EvaluationResult()
    for chunk, decisions in evaluation_chunks(at=at, chunk_size=chunk_size):
        result.evaluated += len(chunk)
        for decision in apply_decisions(decisions=decisions, at=at):
            result.add(decision.kind)
    logger.info("tier evaluation at %s: %d partners, %s", at, result.evaluated, result.counts)
    return result


@transaction.atomic
def apply_decisions(*, decisions: list[Decision], at: datetime) -> list[Decision]:
    """Write the decisions of one chunk; returns those applied. Rows are locked and re-checked
    first, so an override made while the chunk was measured wins over the evaluation."""
    if not decisions:
        return []
    ids = [d.partner.pk for d in decisions]
    # Lock in primary-key order (as every other writer of these rows does: one row at a time).
    tiers_now = dict(
        Partner.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "tier_id")
    )
    standings = {
        s.partner_id: s
        for s in TierStanding.objects.select_for_update().filter(partner_id__in=ids).order_by("pk")
    }
    applied = []
    for d in decisions:
        standing = standings.get(d.partner.pk)
        if tiers_now.get(d.partner.pk) != (d.from_tier.pk if d.from_tier else None):
            continue
        if standing is not None and (
            standing.is_pinned(at) or standing.below_since != d.below_since
        ):
            continue
        applied.append(d)
    _write(applied, at=at)
    return applied


def _write(decisions: list[Decision], *, at: datetime) -> None:
    moves: dict[int, list[int]] = {}
    warned, cleared = [], []
    for d in decisions:
        if d.kind in (TierChangeKind.PROMOTION, TierChangeKind.DEMOTION):
            moves.setdefault(d.to_tier.pk, []).append(d.partner.pk)
        if d.kind == TierChangeKind.WARNING:
            warned.append(d)
        else:
            cleared.append(d.partner.pk)
    for tier_id, partner_ids in moves.items():  # one UPDATE per target tier (a handful)
        Partner.objects.filter(pk__in=partner_ids).update(tier_id=tier_id, updated_at=at)
    if cleared:
        TierStanding.objects.filter(partner_id__in=cleared).update(
            below_since=None, demote_after=None, demote_to=None, updated_at=at
        )
    if warned:
        deadline = at + timedelta(days=settings.PRM_TIER_GRACE_DAYS)
        TierStanding.objects.bulk_create(
            [
                TierStanding(
                    partner_id=d.partner.pk,
                    below_since=at,
                    demote_after=deadline,
                    demote_to=d.to_tier,
                    updated_at=at,
                )
                for d in warned
            ],
            update_conflicts=True,
            unique_fields=["partner"],
            update_fields=["below_since", "demote_after", "demote_to", "updated_at"],
        )
    TierHistory.objects.bulk_create(
        [
            TierHistory(
                partner_id=d.partner.pk,
                kind=d.kind,
                from_tier=d.from_tier,
                to_tier=d.to_tier,
                reason=d.reason,
                at=at,
                values=jsonable(d.values),
            )
            for d in decisions
        ]
    )
    record_events(_event(d, at=at) for d in decisions)
    notify_partners_on_commit(
        [(d.partner.pk, d.kind, d.from_tier, d.to_tier, d.reason) for d in decisions], at=at
    )


def _event(d: Decision, *, at: datetime) -> NewEvent:
    from_name = d.from_tier.name if d.from_tier else None
    props = {"from": from_name, "to": d.to_tier.name if d.to_tier else None, "cause": d.kind}
    pid, day = d.partner.pk, at.date().isoformat()
    if d.kind == TierChangeKind.WARNING:
        kind, key = EventKind.TIER_DEMOTION_WARNED, f"tier.demotion_warned:{pid}:{day}"
        deadline = at + timedelta(days=settings.PRM_TIER_GRACE_DAYS)
        props["demote_after"] = deadline.isoformat()
    elif d.kind == TierChangeKind.RECOVERED:
        kind, key = EventKind.TIER_RECOVERED, f"tier.recovered:{pid}:{day}"
    else:
        kind = EventKind.TIER_CHANGED
        key = f"tier.changed:{pid}:{d.from_tier.pk if d.from_tier else 0}:{d.to_tier.pk}:{day}"
        props["direction"] = "up" if d.kind == TierChangeKind.PROMOTION else "down"
    return NewEvent(
        kind=kind,
        key=key,
        partner_id=pid,
        occurred_at=at,
        subject_type="partners.partner",
        subject_id=str(pid),
        properties=props,
    )
