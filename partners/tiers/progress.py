"""Progress to the next tier, in words a partner acts on ("2 of 3 certified people…")."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.choices import TierMetric as M
from partners.models import (
    ADOPTION_SCORE_MAX,
    Partner,
    Tier,
    TierHistory,
    TierRequirement,
    TierStanding,
)
from partners.tiers.measures import ladders, measure, requirement_key

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(value: Decimal, currency: str | None = None) -> str:
    """``$120k``, ``€1.2M``, ``$950``: short enough for a progress line."""
    currency = currency or settings.PRM_TIER_CURRENCY
    prefix = SYMBOLS.get(currency, f"{currency} ")
    value = Decimal(value)
    if value >= 1_000_000:
        text = f"{(value / 1_000_000).quantize(Decimal('0.1')).normalize():f}M"
    elif value >= 1000:
        text = f"{(value / 1000).quantize(Decimal('0.1')).normalize():f}k"
    else:
        text = f"{value.quantize(Decimal('1')):f}"
    return prefix + text


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


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
    history: list[TierHistory] = field(default_factory=list)

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


def _describe(requirement: TierRequirement, current: Decimal) -> tuple[str, str, str]:
    """(text, action label, action url) for one requirement."""
    minimum = requirement.minimum
    m = requirement.metric
    if m == M.CERTIFIED_USERS:
        cert = requirement.certification
        courses = list(cert.courses.all()) if cert is not None else []
        text = f"{_number(current)} of {_number(minimum)} certified people"
        if cert is not None:
            text += f" ({cert.name})"
        if courses:
            url = reverse("enablement:course_detail", args=[courses[0].slug])
            return text, f"Take {courses[0].title}", url
        return text, "Get certified", reverse("enablement:catalog")
    if m == M.REVENUE_12M:
        text = f"{money(current)} of {money(minimum)} won in the last 12 months"
        return text, "Register a deal", reverse("deals:create")
    if m == M.WON_DEALS_12M:
        text = f"{_number(current)} of {_number(minimum)} deals won in the last 12 months"
        return text, "Register a deal", reverse("deals:create")
    if m == M.ADOPTION_SCORE_90D:
        # A score is not a count toward a total ("93.1 of 60" read as nonsense): say the bar.
        values = {"score": _number(current), "minimum": _number(minimum)}
        if current >= minimum:
            text = _("Adoption score %(score)s (90-day average), needs %(minimum)s: met") % values
        else:
            values["short"] = _number(minimum - current)
            text = (
                _("Adoption score %(score)s (90-day average), needs %(minimum)s: %(short)s short")
                % values
            )
        return text, "See your adoption", reverse("metrics:partner_adoption")
    if m == M.ACTIVE_USERS_30D:
        text = f"{_number(current)} of {_number(minimum)} people active in the last 30 days"
        return text, "Invite colleagues", reverse("partners:team")
    if m == M.COMPLETED_COURSES:
        text = f"{_number(current)} of {_number(minimum)} courses completed"
        return text, "Browse courses", reverse("enablement:catalog")
    if m == M.ACTIVATED:
        done = current >= minimum
        text = "Activation done" if done else "Activation not done yet"
        return text, "Finish onboarding", reverse("onboarding:checklist")
    return f"{requirement}", "", ""  # pragma: no cover - every metric is described above


def _blockers(partner: Partner, requirements, values: dict) -> dict[int, str]:
    """``requirement pk → why it cannot be met`` for the unmet ``requirements`` that ``partner``
    cannot meet with what it sees today. One query, none when no course or certification
    requirement is unmet."""
    from enablement import selectors as enablement  # enablement owns the catalog and its audience

    unmet = [r for r in requirements if values.get(requirement_key(r), Decimal("0")) < r.minimum]
    blocked: dict[int, str] = {}
    name = partner.name
    for r in unmet:
        if (r.metric == M.ACTIVATED and r.minimum > 1) or (
            r.metric == M.ADOPTION_SCORE_90D and r.minimum > ADOPTION_SCORE_MAX
        ):
            blocked[r.pk] = _("Cannot be met: the minimum is above what this measure can reach.")
    courses = [r for r in unmet if r.metric == M.COMPLETED_COURSES]
    certified = [r for r in unmet if r.certification_id]
    reach, open_ids = enablement.tier_reach_for_partner(
        partner=partner,
        courses=bool(courses),
        certification_ids={r.certification_id for r in certified},
    )
    for r in courses:
        if r.minimum > reach:
            blocked[r.pk] = ngettext(
                "Cannot be met as it stands: only %(n)s course is open to %(partner)s.",
                "Cannot be met as it stands: only %(n)s courses are open to %(partner)s.",
                reach,
            ) % {"n": reach, "partner": name}
    for r in certified:
        if r.certification_id not in open_ids:
            blocked[r.pk] = _(
                "Cannot be met as it stands: %(certification)s is not open to %(partner)s."
            ) % {"certification": r.certification.name, "partner": name}
    return blocked


def _rows(
    tier: Tier | None, values: dict, blocked: dict[int, str] | None = None
) -> list[RequirementProgress]:
    rows = []
    blocked = blocked or {}
    for requirement in tier.requirements.all() if tier is not None else []:
        current = values.get(requirement_key(requirement), Decimal("0"))
        met = current >= requirement.minimum
        text, label, url = _describe(requirement, current)
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
    the nightly evaluation has not run since), its standing and its last tier changes.

    A bounded number of queries (about ten) whatever the number of requirements. The caller has
    already checked that the user may see this partner (partners.selectors.partner_get_for_user).
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
    blocked = _blockers(partner, shown, values)
    history = list(
        TierHistory.objects.filter(partner_id=partner.pk)
        .select_related("from_tier", "to_tier", "actor")
        .order_by("-at", "-pk")[:10]
    )
    return TierProgress(
        tier=current,
        next_tier=next_tier,
        rows=_rows(next_tier, values, blocked),
        current_rows=_rows(current, values, blocked) if keep else [],
        below_since=standing.below_since if standing else None,
        demote_after=standing.demote_after if standing else None,
        demote_to=standing.demote_to if standing else None,
        pinned_until=standing.pinned_until if standing and standing.is_pinned(at) else None,
        history=history,
    )
