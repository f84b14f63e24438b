"""Progress to the next tier, in words a partner acts on ("2 of 3 certified people…")."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, Tier
from tiers.measures import ladders, measure, requirement_key, subjects_of
from tiers.models import TierHistory, TierRequirement, TierStanding


@dataclass(frozen=True)
class RequirementProgress:
    requirement: TierRequirement
    current: Decimal
    minimum: Decimal
    met: bool
    text: str  # e.g. "2 of 3 certified people (Sales Engineer)"
    action_label: str = ""
    action_url: str = ""
    # why the partner cannot meet it with what it sees today ('' when it can): a course count
    # above the courses open to it, a certification it cannot earn, a minimum above the scale
    blocked: str = ""

    @property
    def percent(self) -> int:
        if self.minimum <= 0:
            return 100
        return min(100, int(self.current * 100 / self.minimum))


@dataclass(frozen=True)
class TierProgress:
    tier: Tier | None
    next_tier: Tier | None
    rows: list[RequirementProgress] = field(default_factory=list)  # toward next_tier
    # to keep ``tier``: filled whenever the partner falls short of it (warned or not yet)
    current_rows: list[RequirementProgress] = field(default_factory=list)
    below_since: datetime | None = None
    demote_after: datetime | None = None
    demote_to: Tier | None = None
    pinned_until: datetime | None = None
    partner_id: int | None = None  # whose ``history`` to read (None: no history)

    @cached_property
    def history(self) -> list[TierHistory]:
        """The partner's last ten tier changes, newest first: one query on first use (only the
        tier override page shows them; the partner home and the partner 360 do not)."""
        if self.partner_id is None:
            return []
        return list(
            TierHistory.objects.filter(partner_id=self.partner_id)
            .select_related("from_tier", "to_tier", "actor")
            .order_by("-at", "-pk")[:10]
        )

    @property
    def met_count(self) -> int:
        return sum(row.met for row in self.rows)

    @property
    def at_risk(self) -> bool:
        return self.below_since is not None

    @property
    def missing(self) -> list[RequirementProgress]:
        return [row for row in self.rows if not row.met]

    @property
    def keep_missing(self) -> list[RequirementProgress]:
        """What the partner lacks to keep its current tier (empty when it meets it)."""
        return [row for row in self.current_rows if not row.met]


def _describe(
    requirement: TierRequirement, current: Decimal, subjects: dict
) -> tuple[str, str, str]:
    """(text, action label, action url) for one requirement, in the words of its measure."""
    m = requirement.measure
    if m is None:  # its app is not installed: say what it is, offer nothing
        return f"{requirement.metric} ≥ {requirement.minimum.normalize():f}", "", ""
    subject = subjects.get((requirement.metric, requirement.subject_id))
    return m.describe(current=current, minimum=requirement.minimum, subject=subject)


def _blockers(partner: Partner, requirements, values: dict, subjects: dict) -> dict[int, str]:
    """``requirement pk → why it cannot be met`` for the unmet ``requirements`` that ``partner``
    cannot meet with what it sees today: a minimum above what the measure can reach, or what
    the measure's own ``blockers`` say (one call per ``blockers`` function, with all its
    requirements; none when nothing of it is unmet)."""
    unmet = [r for r in requirements if values.get(requirement_key(r), Decimal("0")) < r.minimum]
    blocked: dict[int, str] = {}
    by_blockers: dict = {}
    for r in unmet:
        m = r.measure
        if m is None:
            continue
        if m.maximum is not None and r.minimum > m.maximum:
            blocked[r.pk] = _("Cannot be met: the minimum is above what this measure can reach.")
        elif m.blockers is not None:
            by_blockers.setdefault(m.blockers, []).append(r)
    for blockers, rows in by_blockers.items():
        blocked.update(blockers(partner=partner, requirements=rows, subjects=subjects))
    return blocked


def _rows(
    tier: Tier | None, values: dict, subjects: dict, blocked: dict[int, str] | None = None
) -> list[RequirementProgress]:
    rows = []
    blocked = blocked or {}
    for requirement in tier.requirements.all() if tier is not None else []:
        current = values.get(requirement_key(requirement), Decimal("0"))
        met = current >= requirement.minimum
        text, label, url = _describe(requirement, current, subjects)
        rows.append(
            RequirementProgress(
                requirement=requirement,
                current=current,
                minimum=requirement.minimum,
                met=met,
                text=text,
                action_label="" if met else label,
                action_url="" if met else url,
                blocked=blocked.get(requirement.pk, ""),
            )
        )
    return rows


def tier_progress(partner: Partner, *, at: datetime | None = None) -> TierProgress:
    """Where ``partner`` stands: its requirement values against the next tier (and against its
    own tier whenever it falls short of it: a demotion warning pending, or not yet warned because
    the nightly evaluation has not run since), its standing and its last tier changes
    (``history``, read when first used).

    A bounded number of queries (about ten) whatever the number of requirements. The caller has
    already checked that the user may see this partner (partners.selectors.partner_get_for_user).
    The core's pages read it through the reader tiers registers (``partners.selectors.tier_readers``).
    """
    at = at or timezone.now()
    ladder = ladders(program_ids=[partner.program_id]).get(partner.program_id)
    if ladder is None:
        return TierProgress(tier=None, next_tier=None)
    current = next((t for t in ladder.tiers if t.pk == partner.tier_id), None)
    next_tier = ladder.above(current)
    standing = (
        TierStanding.objects.select_related("demote_to").filter(partner_id=partner.pk).first()
    )
    requirements = [r for t in ladder.tiers for r in t.requirements.all()]
    values = measure(partners=[partner], requirements=requirements, at=at)[partner.pk]
    at_risk = standing is not None and standing.below_since is not None
    # The entry tier is the floor: nobody is demoted from it, so nothing is needed to keep it.
    qualified = ladder.qualified(values)
    short = (
        current is not None
        and current is not ladder.entry
        and qualified is not None
        and qualified.rank < current.rank
    )
    keep = at_risk or short
    shown = [
        r
        for t in (next_tier, current if keep else None)
        if t is not None
        for r in t.requirements.all()
    ]
    subjects = subjects_of(shown)
    blocked = _blockers(partner, shown, values, subjects)
    return TierProgress(
        tier=current,
        next_tier=next_tier,
        rows=_rows(next_tier, values, subjects, blocked),
        current_rows=_rows(current, values, subjects, blocked) if keep else [],
        below_since=standing.below_since if standing else None,
        demote_after=standing.demote_after if standing else None,
        demote_to=standing.demote_to if standing else None,
        pinned_until=standing.pinned_until if standing and standing.is_pinned(at) else None,
        partner_id=partner.pk,
    )
