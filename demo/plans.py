"""Step 1 of the demo data: who the partners are and how their year went (pure, no database)."""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from demo.reference import (
    _ADOPTION,
    _PASSWORDS,
    ACME_DOMAIN,
    ACME_NAME,
    ADMIN_TITLES,
    FIRST_NAMES,
    LAST_NAMES,
    MANAGERS,
    PARTNER_TYPES,
    REGIONS,
    STEM_A,
    STEM_B,
    SUFFIXES,
    TEAM_SIZE_WEIGHTS,
    TITLES,
    _days,
    _rng,
    _sec,
    _Type,
)
from partners.choices import MemberRole, Region
from partners.choices import PartnerStatus as S

# --- 1. Plans (pure) ------------------------------------------------------------------------------


@dataclass
class PersonPlan:
    email: str
    full_name: str
    job_title: str
    role: str
    joined_at: datetime
    weight: float  # share of the partner's activity; ~0 for colleagues who never use the portal
    password: str | None = None  # demo logins only; everyone else gets an unusable password


@dataclass
class PartnerPlan:
    name: str
    domain: str
    type_slug: str
    country: str
    region: str
    currency: str
    owner_email: str | None
    tier_rank: int
    status: str  # at creation: applicant or onboarding
    joined_at: datetime
    transitions: list[tuple[str, datetime]]  # later moves, in time order
    engagement: float
    people: list[PersonPlan]  # the first one is the partner admin
    adoptions: list[tuple[datetime, str]] = field(default_factory=list)  # (adopted at, offering)

    @property
    def final_status(self) -> str:
        return self.transitions[-1][0] if self.transitions else self.status

    @property
    def activated_at(self) -> datetime | None:
        return next((at for status, at in self.transitions if status == S.ACTIVE), None)


def plan_partners(
    *,
    count: int,
    seed: int,
    now: datetime,
    launches: dict[str, date],
    run: int = 0,
    with_acme: bool = True,
    taken_domains: frozenset[str] | set[str] = frozenset(),
) -> list[PartnerPlan]:
    """``count`` partners who joined in the 12 months before ``now``, oldest first. ``run`` (the
    number of demo partners already stored) varies the draw so ``--force`` adds new companies."""
    rng = _rng("prm-demo-partners", seed, run)
    taken = set(taken_domains)
    plans = [_acme_plan(rng, now, launches)] if with_acme and count else []
    taken.add(ACME_DOMAIN)
    while len(plans) < count:
        plans.append(_random_plan(rng, now, launches, taken))
    plans.sort(key=lambda plan: plan.joined_at)
    return plans


def _company(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    for attempt in range(1000):
        stem = rng.choice(STEM_A) + rng.choice(STEM_B)
        suffix = rng.choice(SUFFIXES)
        # .example is reserved (RFC 2606): generated addresses can never receive real mail.
        domain = f"{stem}{suffix}{attempt // 50 or ''}.example".lower()
        if domain not in taken:
            taken.add(domain)
            return f"{stem} {suffix}", domain
    raise RuntimeError("Ran out of demo company names.")


def _team(rng, size, domain, joined_at, now) -> list[PersonPlan]:
    share = rng.betavariate(1.6, 2)  # the part of the team that actually uses the portal
    engaged = max(1, round(share * size))
    people, emails = [], set()
    for i in range(size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower()
        email = next(
            f"{local}{n or ''}@{domain}" for n in range(99) if f"{local}{n or ''}" not in emails
        )
        emails.add(email.split("@")[0])
        since = joined_at if i == 0 else _sec(joined_at + _days(rng.expovariate(1 / 30)))
        if since > now:
            since = _sec(joined_at + (now - joined_at) * rng.random())
        weight = 2.5 if i == 0 else rng.lognormvariate(0, 0.6) if i < engaged else 0.004
        title = rng.choice(ADMIN_TITLES if i == 0 else TITLES)
        role = MemberRole.ADMIN if i == 0 else MemberRole.USER
        people.append(PersonPlan(email, f"{first} {last}", title, role, since, weight))
    return people


def _lifecycle(rng, kind: _Type, joined: datetime, now: datetime, age: float):
    """(status at creation, later transitions). Time to activation is log-normal around 36 days;
    some partners never activate, some go quiet after activating and a share of those churn."""
    moves: list[tuple[str, datetime]] = []

    def move(status, at):
        if at < now:
            moves.append((status, _sec(at)))
            return True
        return False

    if age < 45 and rng.random() < 0.35:
        return S.APPLICANT, moves
    if age > 60 and rng.random() < 0.03:  # an application turned down
        move(S.CHURNED, joined + _days(rng.uniform(5, 30)))
        return S.APPLICANT, moves
    activated = joined + _days(max(3.0, rng.lognormvariate(math.log(36), 0.6)))
    if rng.random() < kind.activation:
        if move(S.ACTIVE, activated):
            r = rng.random()
            if r < 0.22:
                quiet = activated + _days(20 + rng.expovariate(1 / 120))
                if move(S.INACTIVE, quiet):
                    r = rng.random()
                    if r < 0.5:
                        move(S.CHURNED, quiet + _days(rng.uniform(20, 90)))
                    elif r < 0.7:
                        move(S.ACTIVE, quiet + _days(rng.uniform(15, 60)))
            elif r < 0.28:
                move(S.CHURNED, activated + _days(30 + rng.expovariate(1 / 180)))
    else:
        r = rng.random()
        if r < 0.35:
            move(S.CHURNED, joined + _days(rng.uniform(75, 200)))
        elif r < 0.6:
            move(S.INACTIVE, joined + _days(rng.uniform(60, 150)))
    return S.ONBOARDING, moves


def _adoptions(rng, plan: PartnerPlan, launches, now) -> list[tuple[datetime, str]]:
    factor = 1.0 if plan.activated_at else 0.0 if plan.status == S.APPLICANT else 0.4
    out = []
    for slug, launched_on in launches.items():
        chance, mean_days, _ = _ADOPTION[slug]
        if rng.random() < chance * factor:
            launch = datetime.combine(launched_on, datetime.min.time(), tzinfo=UTC)
            at = max(plan.joined_at, launch) + _days(rng.expovariate(1 / mean_days))
            if at < now:
                out.append((_sec(at), slug))
    return sorted(out)


def _random_plan(rng, now, launches, taken) -> PartnerPlan:
    kind = rng.choices(PARTNER_TYPES, [t.share for t in PARTNER_TYPES])[0]
    region = rng.choices(list(REGIONS), [r[0] for r in REGIONS.values()])[0]
    country, _, currency = rng.choices(REGIONS[region][2], [c[1] for c in REGIONS[region][2]])[0]
    name, domain = _company(rng, taken)
    while True:  # more sign-ups lately: the program is growing
        age = rng.uniform(0.05, 365)
        if rng.random() < (1 + 0.8 * (1 - age / 365)) / 1.8:
            break
    joined = _sec(now - _days(age))
    status, transitions = _lifecycle(rng, kind, joined, now, age)
    engagement = rng.lognormvariate(0, 0.7) * kind.engagement
    plan = PartnerPlan(
        name=name,
        domain=domain,
        type_slug=kind.slug,
        country=country,
        region=region,
        currency=currency,
        owner_email=None,
        tier_rank=1,
        status=status,
        joined_at=joined,
        transitions=transitions,
        engagement=engagement,
        people=[],
    )
    if status != S.APPLICANT or rng.random() < 0.6:
        plan.owner_email = next(m[0] for m in MANAGERS if m[2] == region)
    if plan.activated_at and plan.final_status in (S.ACTIVE, S.INACTIVE):
        score = engagement * (1 + (now - plan.activated_at).days / 120)
        plan.tier_rank = 3 if score > 4.5 else 2 if score > 1.8 else 1
    size = rng.choices(range(1, 13), TEAM_SIZE_WEIGHTS)[0] + kind.team_shift
    size = max(1, min(12, size if status != S.APPLICANT else min(size, 2)))
    plan.people = _team(rng, size, domain, joined, now)
    plan.adoptions = _adoptions(rng, plan, launches, now)
    return plan


def _acme_plan(rng, now, launches) -> PartnerPlan:
    """The demo partner: a healthy Silver reseller, active for most of the year."""
    joined = _sec(now - _days(300)).replace(hour=14, minute=0, second=0)
    people = _team(rng, 6, ACME_DOMAIN, joined, now)
    demo = [("partner@acme.example", "Alex Morgan", "Managing Director"),
            ("user@acme.example", "Jamie Chen", "Account Executive")]  # fmt: skip
    for person, (email, name, title) in zip(people, demo, strict=False):
        person.email, person.full_name, person.job_title = email, name, title
        person.joined_at, person.weight, person.password = joined, 3.0, _PASSWORDS[email]
    ai_launch = datetime.combine(launches["ai-assistant"], datetime.min.time(), tzinfo=UTC)
    adoptions = [
        (joined + _days(20), "cloud-platform"),
        (joined + _days(40), "partner-marketing-kit"),
        (joined + _days(150), "managed-services"),
        (ai_launch + _days(12), "ai-assistant"),
    ]
    return PartnerPlan(
        name=ACME_NAME,
        domain=ACME_DOMAIN,
        type_slug="reseller",
        country="US",
        region=Region.NORTH_AMERICA,
        currency="USD",
        owner_email="manager@prm.example",
        tier_rank=2,
        status=S.ONBOARDING,
        joined_at=joined,
        transitions=[(S.ACTIVE, joined + _days(34))],
        engagement=2.2,
        people=people,
        adoptions=sorted((at, slug) for at, slug in adoptions if slug in launches and at < now),
    )
