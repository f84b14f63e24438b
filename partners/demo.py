"""Deterministic demo data: one partner program, demo logins, partners and a year of activity.

Everything comes from ``random.Random`` seeded with ``seed``, and every date is relative to the
anchor ``now``, so the same arguments give the same data. The work has four steps:

1. :func:`plan_partners` is pure: it decides who the partners are, when they joined, how their
   lifecycle went (``transitions``), their team and which offerings they adopted.
2. :func:`create_partners` writes the plans through ``partners.services`` so the lifecycle events
   (``partner.created``, ``partner.status_changed``, ``partner.activated``) are the real ones.
   The activation paths exist by then (:func:`prepare_domain`), so onboarding's receiver gives
   every partner entering onboarding its checklist.
3. :func:`build_domain` has each app's demo module build the partners' history as real objects
   (``deals.demo``: registrations; ``enablement.demo_activity``: enrollments, quiz attempts,
   certificates; ``onboarding.demo_progress``: agreement acceptances and checklist steps; profiles
   here) and records the events their services would have recorded, same keys and properties,
   a chunk of partners at a time. Partners that activated met every required step before.
4. :func:`generate_events` yields the activity stream (logins, product usage, library views:
   events with no object of their own) week by week in time order (the event table is
   append-only and its BRIN index relies on physical order following time), and
   :func:`write_events` stores them through ``metrics.services.record_events`` in batches, so ten
   million events never sit in memory at once.
"""

import bisect
import math
import random
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.models import User
from metrics.choices import EventKind as K
from metrics.services import NewEvent, record_events
from partners.choices import MemberRole, OfferingKind, Region, TierMetric
from partners.choices import PartnerStatus as S
from partners.models import (
    Offering,
    Partner,
    PartnerMembership,
    PartnerType,
    Program,
    Tier,
    TierBenefit,
    TierRequirement,
)
from partners.services import membership_add, partner_create, partner_set_status

# --- Reference data -------------------------------------------------------------------------------

PROGRAM_NAME, PROGRAM_SLUG = "Global Partner Program", "global-partner-program"
DEMO_LOGINS = [
    {"role": "Vendor admin", "email": "admin@prm.example", "password": "prm-demo-admin"},
    {"role": "Channel manager", "email": "manager@prm.example", "password": "prm-demo-manager"},
    {"role": "Partner admin", "email": "partner@acme.example", "password": "prm-demo-partner"},
    {"role": "Partner user", "email": "user@acme.example", "password": "prm-demo-partner"},
]
_PASSWORDS = {login["email"]: login["password"] for login in DEMO_LOGINS}
ADMIN = ("admin@prm.example", "Dana Whitfield", "Partner program director")
# A manager owns the partners of one region (the User model has no region: it lives in the title).
MANAGERS = [
    ("manager@prm.example", "Morgan Reyes", Region.NORTH_AMERICA),
    ("sofia.lindqvist@prm.example", "Sofia Lindqvist", Region.EMEA),
    ("kenji.watanabe@prm.example", "Kenji Watanabe", Region.APAC),
    ("camila.duarte@prm.example", "Camila Duarte", Region.LATIN_AMERICA),
]
ACME_NAME, ACME_DOMAIN = "Acme Cloud Solutions", "acme.example"

M = TierMetric
TIERS = [  # rank, name, description, requirements, benefits
    (1, "Registered", "Entry tier: portal, training and deal registration.",
     {M.COMPLETED_COURSES: 1, M.CERTIFIED_USERS: 1, M.ACTIVE_USERS_30D: 1},
     [("Deal protection", "60 days"), ("Discount", "10%"), ("Market development funds", "Not included"),
      ("Partner account manager", "Pooled partner desk")]),
    (2, "Silver", "Proven partners with certified people and won deals.",
     {M.COMPLETED_COURSES: 5, M.CERTIFIED_USERS: 2, M.ACTIVE_USERS_30D: 3, M.WON_DEALS_12M: 3,
      M.REVENUE_12M: 100_000},
     [("Deal protection", "90 days"), ("Discount", "20%"),
      ("Market development funds", "Up to $10,000 a year"), ("Partner account manager", "Named")]),
    (3, "Gold", "Strategic partners with a dedicated account team.",
     {M.COMPLETED_COURSES: 15, M.CERTIFIED_USERS: 5, M.ACTIVE_USERS_30D: 6, M.WON_DEALS_12M: 10,
      M.REVENUE_12M: 500_000},
     [("Deal protection", "120 days"), ("Discount", "30%"),
      ("Market development funds", "Up to $50,000 a year"), ("Partner account manager", "Dedicated")]),
]  # fmt: skip


@dataclass(frozen=True)
class _Type:
    slug: str
    name: str
    description: str
    share: int  # relative number of partners of this type
    activation: float  # chance to activate at all
    engagement: float  # activity multiplier
    team_shift: int  # added to the drawn team size
    deal_scale: float  # deal size multiplier


PARTNER_TYPES = [
    _Type("reseller", "Reseller", "Buys licences and resells them to end customers.",
          40, 0.66, 1.0, 0, 1.0),
    _Type("integrator", "Integrator", "Designs and implements solutions on the platform.",
          20, 0.64, 1.2, 2, 1.6),
    _Type("distributor", "Distributor", "Supplies resellers in a territory.", 5, 0.74, 1.5, 3, 3.0),
    _Type("referral", "Referral", "Introduces customers for a referral fee.", 15, 0.45, 0.5, -1, 0.6),
    _Type("service-provider", "Service provider", "Runs the platform for customers as a service.",
          20, 0.6, 0.9, 1, 1.2),
]  # fmt: skip
_TYPES = {t.slug: t for t in PARTNER_TYPES}

# slug, name, kind, launched (days before now), adoption chance, mean days to adopt, usage weight
OFFERINGS = [
    ("cloud-platform", "Cloud Platform", OfferingKind.PRODUCT, 4 * 365, 0.9, 14, 5.0),
    ("ai-assistant", "AI Assistant", OfferingKind.PRODUCT, 120, 0.55, 30, 3.0),
    ("managed-services", "Managed Services", OfferingKind.SERVICE, 3 * 365, 0.35, 60, 2.0),
    (
        "partner-marketing-kit",
        "Partner Marketing Kit",
        OfferingKind.PROGRAM,
        2 * 365,
        0.55,
        30,
        1.0,
    ),
]
_ADOPTION = {slug: (p, mean, weight) for slug, _, _, _, p, mean, weight in OFFERINGS}

# region: share of partners, UTC offset (hours) for business hours, [(country, share, currency)]
REGIONS = {
    Region.NORTH_AMERICA: (35, -6, [("US", 75, "USD"), ("CA", 25, "CAD")]),
    Region.EMEA: (35, 1, [("GB", 18, "GBP"), ("DE", 18, "EUR"), ("FR", 12, "EUR"),
                          ("NL", 8, "EUR"), ("ES", 7, "EUR"), ("IT", 6, "EUR"), ("SE", 5, "USD"),
                          ("PL", 5, "USD"), ("IE", 4, "EUR"), ("ZA", 4, "USD"), ("AE", 4, "USD")]),
    Region.APAC: (18, 8, [("AU", 30, "AUD"), ("SG", 20, "USD"), ("JP", 20, "USD"),
                          ("IN", 20, "USD"), ("NZ", 10, "USD")]),
    Region.LATIN_AMERICA: (12, -4, [("BR", 45, "USD"), ("MX", 35, "USD"), ("CL", 10, "USD"),
                                    ("CO", 10, "USD")]),
}  # fmt: skip

STEM_A = [
    "North", "South", "East", "West", "Blue", "Red", "Green", "Silver", "Iron", "Stone", "Bright",
    "Clear", "Swift", "High", "Deep", "Sky", "Sun", "Star", "Cedar", "Oak", "Pine", "Maple",
    "River", "Lake", "Summit", "Harbor", "Granite", "Crystal", "Falcon", "Eagle", "Wolf", "Fox",
    "Atlas", "Nova", "Apex", "Vertex", "Quantum", "Pixel", "Cloud", "Core", "Prime", "True", "Open",
    "Next", "Arc", "Ever", "Wind", "Frost"
]  # fmt: skip
STEM_B = [
    "wind", "peak", "stone", "line", "path", "bridge", "field", "gate", "point", "wave", "forge",
    "light", "ridge", "view", "works", "bay", "crest", "rock", "brook", "haven", "mark", "shore",
    "spring", "logic", "soft", "ware", "link", "scale", "stream", "sight"
]  # fmt: skip
SUFFIXES = [
    "Systems", "Consulting", "Solutions", "Technologies", "Networks", "Partners", "Group",
    "Digital", "IT", "Labs", "Cloud", "Data", "Integrations", "Services", "Software", "Advisory"
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Alex", "Amelia", "Andre", "Ana", "Ben", "Carlos", "Chloe", "Daniel", "David", "Elena",
    "Emma", "Ethan", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Isabel", "Ivan", "Jack", "James",
    "Julia", "Kai", "Kenji", "Laura", "Leo", "Liam", "Lucas", "Maya", "Mei", "Mia", "Noah", "Nora",
    "Olivia", "Omar", "Priya", "Rafael", "Raj", "Rosa", "Sam", "Sara", "Sofia", "Tom", "Yara",
    "Yusuf", "Zoe", "Lars", "Ingrid", "Marta", "Pablo", "Wei", "Anika", "Jonas"
]  # fmt: skip
LAST_NAMES = [
    "Anderson", "Bauer", "Becker", "Brown", "Chen", "Costa", "Dubois", "Evans", "Fischer", "Garcia",
    "Gupta", "Hansen", "Hughes", "Ito", "Jensen", "Johnson", "Kim", "Kowalski", "Larsen", "Lee",
    "Lopez", "Martin", "Meyer", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Olsen", "Park", "Patel", "Perez", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith",
    "Tanaka", "Taylor", "Walker", "Wang", "Weber", "Williams", "Wilson", "Yamamoto", "Zhang"
]  # fmt: skip
ADMIN_TITLES = ["Managing Director", "Alliance Manager", "Head of Partnerships", "Sales Director"]
TITLES = [
    "Account Executive", "Solutions Architect", "Pre-sales Engineer", "Marketing Manager",
    "Technical Consultant", "Sales Manager", "Support Engineer", "Project Manager",
]  # fmt: skip
TEAM_SIZE_WEIGHTS = [10, 16, 18, 15, 12, 9, 7, 5, 3, 2, 2, 1]  # sizes 1..12

# The activity stream: what people do that leaves no row of its own (logins, product usage,
# library views). Courses, deals and checklist steps are real objects built by each app's demo
# module, with the events their services record (see ``build_domain``).
LEVEL = {"applicant": 0.15, "onboarding": 0.6, "stalled": 0.2, "active": 1.0, "inactive": 0.08}
MIX = {
    "applicant": {K.LOGIN: 70, K.RESOURCE_VIEWED: 30},
    "onboarding": {K.LOGIN: 48, K.RESOURCE_VIEWED: 24, K.RESOURCE_DOWNLOADED: 10,
                   K.OFFERING_USED: 18},
    "stalled": {K.LOGIN: 58, K.RESOURCE_VIEWED: 30, K.OFFERING_USED: 12},
    "active": {K.LOGIN: 36, K.RESOURCE_VIEWED: 17, K.RESOURCE_DOWNLOADED: 8, K.OFFERING_USED: 39},
    "inactive": {K.LOGIN: 50, K.RESOURCE_VIEWED: 28, K.OFFERING_USED: 22},
}  # fmt: skip
DAY, WEEK = 86_400.0, 7 * 86_400.0
LOGIN_PROPS = {"method": "session"}


def _rng(*parts) -> random.Random:
    # Reproducible on purpose (a str seed is hashed with SHA-512, not PYTHONHASHSEED): demo data.
    return random.Random(":".join(map(str, parts)))


def _cumulate(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, items, cum: list[float]):
    """One of ``items`` with probability in proportion to its weight (``cum`` is cumulative)."""
    return items[min(bisect.bisect_right(cum, rng.random() * cum[-1]), len(items) - 1)]


def _sec(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _days(n: float) -> timedelta:
    return timedelta(days=n)


_MIX = {mode: (list(mix), _cumulate(mix.values())) for mode, mix in MIX.items()}


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


# --- 2. Reference data, staff and partners (database) ---------------------------------------------


@dataclass
class Reference:
    program: Program
    tiers: dict[int, Tier]
    types: dict[str, PartnerType]
    launches: dict[str, date]  # demo offering slug → launch date, as stored


@transaction.atomic
def ensure_reference_data(*, today: date) -> Reference:
    """Get or create the program, tiers, partner types and offerings; existing rows are kept."""
    program, _ = Program.objects.get_or_create(
        slug=PROGRAM_SLUG,
        defaults={"name": PROGRAM_NAME, "description": "Resell, integrate and refer our cloud."},
    )
    tiers = {}
    for rank, name, description, requirements, benefits in TIERS:
        tier, _ = Tier.objects.get_or_create(
            program=program, rank=rank, defaults={"name": name, "description": description}
        )
        tiers[rank] = tier
        for metric, minimum in requirements.items():
            TierRequirement.objects.get_or_create(
                tier=tier, metric=metric, defaults={"minimum": minimum}
            )
        for position, (benefit, value) in enumerate(benefits):
            TierBenefit.objects.get_or_create(
                tier=tier, name=benefit, defaults={"value": value, "position": position}
            )
    types = {}
    for kind in PARTNER_TYPES:
        types[kind.slug], _ = PartnerType.objects.get_or_create(
            slug=kind.slug, defaults={"name": kind.name, "description": kind.description}
        )
    launches = {}
    for slug, name, offering_kind, age_days, *_ in OFFERINGS:
        offering, _ = Offering.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "kind": offering_kind, "launched_on": today - _days(age_days)},
        )
        launches[slug] = offering.launched_on
    return Reference(program=program, tiers=tiers, types=types, launches=launches)


def _ensure_user(email, full_name, job_title, *, vendor_role="", superuser=False, **extra) -> User:
    """The account with this email, created if missing (an existing password is left alone), with
    a verified primary address: email verification is mandatory before the first login."""
    user = User.objects.filter(email=email).first()
    if user is None:
        password = _PASSWORDS.get(email)  # None → unusable password
        fields = {"full_name": full_name, "job_title": job_title, **extra}
        if superuser:
            user = User.objects.create_superuser(email, password, **fields)
        else:
            user = User.objects.create_user(email, password, vendor_role=vendor_role, **fields)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def ensure_staff(*, now: datetime) -> dict[str, User]:
    """The vendor admin and the channel managers, by email (on staff since before the program)."""
    since = _sec(now - _days(730)).replace(hour=9, minute=0, second=0)
    staff = {ADMIN[0]: _ensure_user(*ADMIN, superuser=True, date_joined=since)}
    for email, name, region in MANAGERS:
        title = f"Channel manager, {Region(region).label}"
        staff[email] = _ensure_user(
            email, name, title, vendor_role=VendorRole.CHANNEL_MANAGER, date_joined=since
        )
    return staff


@dataclass
class SeededPartner:
    partner_id: int
    plan: PartnerPlan
    members: list[tuple[int, float, float]]  # (user id, member since as a timestamp, weight)


def create_partners(
    plans: list[PartnerPlan],
    *,
    ref: Reference,
    staff: dict[str, User],
    progress: Callable[[str], None],
    batch_size: int = 250,
) -> list[SeededPartner]:
    """Create partners through the services (one transaction per batch), then their teams: demo
    logins through ``membership_add``, generated colleagues with ``bulk_create`` (fresh accounts
    without a vendor role, one membership each: the invariants ``membership_add`` checks)."""
    seeded: list[SeededPartner] = []
    for start in range(0, len(plans), batch_size):
        chunk = plans[start : start + batch_size]
        with transaction.atomic():
            partners = [_create_partner(plan, ref, staff) for plan in chunk]
            generated = [
                (partner, person)
                for partner, plan in zip(partners, chunk, strict=True)
                for person in plan.people
                if person.password is None
            ]
            users = []
            for _, person in generated:
                user = User(
                    email=person.email,
                    full_name=person.full_name,
                    job_title=person.job_title,
                    date_joined=person.joined_at,
                )
                user.set_unusable_password()  # generated people never log in
                users.append(user)
            User.objects.bulk_create(users, batch_size=1000)
            emails = [user.email for user in users]
            ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
            PartnerMembership.objects.bulk_create(
                [
                    PartnerMembership(
                        user_id=ids[person.email],
                        partner=partner,
                        role=person.role,
                        created_at=person.joined_at,
                    )
                    for partner, person in generated
                ],
                batch_size=1000,
            )
            for partner, plan in zip(partners, chunk, strict=True):
                for person in plan.people:
                    if person.password is not None:
                        user = _ensure_user(
                            person.email,
                            person.full_name,
                            person.job_title,
                            date_joined=person.joined_at,
                        )
                        membership = membership_add(partner=partner, user=user, role=person.role)
                        # The service stamps "now"; the demo history says they joined back then.
                        PartnerMembership.objects.filter(pk=membership.pk).update(
                            created_at=person.joined_at
                        )
                        ids[person.email] = user.pk
                members = [(ids[p.email], p.joined_at.timestamp(), p.weight) for p in plan.people]
                seeded.append(SeededPartner(partner.pk, plan, members))
        reset_queries()
        progress(f"  partners {len(seeded):,}/{len(plans):,}")
    return seeded


def _create_partner(plan: PartnerPlan, ref: Reference, staff: dict[str, User]) -> Partner:
    partner = partner_create(
        name=plan.name,
        program=ref.program,
        partner_type=ref.types[plan.type_slug],
        country=plan.country,
        region=plan.region,
        domain=plan.domain,
        tier=ref.tiers[plan.tier_rank],
        owner=staff.get(plan.owner_email) if plan.owner_email else None,
        status=plan.status,
        joined_at=plan.joined_at,
    )
    for status, at in plan.transitions:
        partner = partner_set_status(partner=partner, status=status, at=at)
    return partner


# --- 3. Activity events ---------------------------------------------------------------------------


def _phases(plan: PartnerPlan, now: datetime) -> list[tuple[float, float, str]]:
    """(start, end, mode) timestamps of the partner's life; churned partners stop."""
    timeline = [(plan.status, plan.joined_at), *plan.transitions]
    out = []
    for i, (status, since) in enumerate(timeline):
        start = since.timestamp()
        end = (timeline[i + 1][1] if i + 1 < len(timeline) else now).timestamp()
        if status == S.CHURNED or end <= start:
            continue
        if status == S.ONBOARDING and end - start > 60 * DAY:  # onboarding that drags on stalls
            out += [(start, start + 60 * DAY, "onboarding"), (start + 60 * DAY, end, "stalled")]
        else:
            out.append((start, end, str(status)))
    return out


class _Activity:
    """One partner's state while its activity events are generated."""

    def __init__(self, seeded: SeededPartner, *, rng, now, resources):
        plan = seeded.plan
        self.rng, self.pid, self.n = rng, seeded.partner_id, 0
        self.phases = _phases(plan, now)
        self.offset = REGIONS[plan.region][1] * 3600.0
        self.users = [m[0] for m in seeded.members]
        self.since = [m[1] for m in seeded.members]
        self.user_cum = _cumulate(m[2] for m in seeded.members)
        self.indexes = range(len(self.users))
        self.scale = plan.engagement * math.sqrt(self.user_cum[-1])  # bigger teams do more
        self.adoptions = [(at.timestamp(), slug, _ADOPTION[slug][2]) for at, slug in plan.adoptions]
        # The library as the partner's tier sees it: (id, properties).
        self.resources = [(pk, props) for pk, rank, props in resources if rank <= plan.tier_rank]
        # Library views count once per person, resource and day (the service's key): the keys of
        # this week and the last one are enough to avoid repeats, since days never span more.
        self.seen: set[str] = set()
        self.seen_before: set[str] = set()
        self.counts = array("l")

    def emit(self, count: int, w0: float, w1: float, out: list) -> None:
        """Append ``count`` events of the week [w0, w1) to ``out``."""
        rng = self.rng
        self.seen_before, self.seen = self.seen, set()
        segs = [(max(a, w0), min(b, w1), mode) for a, b, mode in self.phases if a < w1 and b > w0]
        cum = _cumulate(LEVEL[mode] * (b - a) for a, b, mode in segs)
        for _ in range(count):
            a, b, mode = _pick(rng, segs, cum)
            ts = self._when(a, b)
            kinds, kind_cum = _MIX[mode]
            i = _pick(rng, self.indexes, self.user_cum)
            uid = self.users[i] if self.since[i] <= ts else self.users[0]  # the admin was first
            self._fresh(out, ts, _pick(rng, kinds, kind_cum), uid)

    def _when(self, a: float, b: float) -> float:
        """A moment in [a, b], mostly in local business hours on a weekday."""
        rng, offset, ts = self.rng, self.offset, a
        for _ in range(3):
            ts = a + rng.random() * (b - a)
            local = ts + offset
            day = local - local % DAY
            if (int(day // DAY) + 3) % 7 >= 5 and rng.random() < 0.8:  # 1970-01-01 was a Thursday
                continue
            snapped = day + min(21.0, max(7.0, rng.gauss(13, 2.7))) * 3600 - offset
            return snapped if a <= snapped <= b else ts
        return ts

    def _fresh(self, out: list, ts: float, kind: str, uid: int) -> None:
        rng, props, key = self.rng, LOGIN_PROPS, ""
        if kind == K.OFFERING_USED:
            usable = [(slug, w) for at, slug, w in self.adoptions if at <= ts]
            if usable:
                props = {
                    "offering": _pick(rng, [u[0] for u in usable], _cumulate(u[1] for u in usable))
                }
            else:
                kind = K.RESOURCE_VIEWED
        if kind in (K.RESOURCE_VIEWED, K.RESOURCE_DOWNLOADED):
            # The key and properties of enablement's resource_record_view / _download; a person
            # opening the same resource twice in a day is one view, so a repeat is a login.
            pk, found = rng.choice(self.resources) if self.resources else (0, {})
            day = datetime.fromtimestamp(math.ceil(ts), UTC).date().isoformat()
            key = f"{kind}:{uid}:{pk}:{day}"
            if found and key not in self.seen and key not in self.seen_before:
                self.seen.add(key)
                props = found
            else:
                kind, props, key = K.LOGIN, LOGIN_PROPS, ""
        self._add(out, ts, kind, uid, props, key)

    def _add(self, out: list, ts: float, kind: str, uid: int, props: dict, key: str) -> None:
        # Whole seconds, rounded up: every phase bound is a whole second, so ts stays inside it.
        self.n += 1
        out.append((math.ceil(ts), self.pid, self.n, kind, uid, props, key))  # (ts, pid, n) sorts


def _allocate(acts: list[_Activity], *, total: int, weeks: int, start: float, end: float, rng):
    """Split exactly ``total`` events over (partner, week) cells in proportion to each cell's
    activity (phase level * days * partner scale * weekly noise), by systematic sampling."""
    weights, grand = [], 0.0
    for act in acts:
        w = array("d", [0.0]) * weeks
        for a, b, mode in act.phases:
            for k in range(int((a - start) // WEEK), min(weeks, int((b - start) // WEEK) + 1)):
                lo, hi = max(a, start + k * WEEK), min(b, start + (k + 1) * WEEK, end)
                if hi > lo:
                    w[k] += LEVEL[mode] * (hi - lo) / DAY
        for k in range(weeks):
            if w[k]:
                w[k] *= act.scale * rng.lognormvariate(0, 0.3)
                grand += w[k]
        weights.append(w)
    step = grand / total if grand and total > 0 else 0.0
    offset, cum, placed, last = rng.random() * step, 0.0, 0, None
    for act, w in zip(acts, weights, strict=True):
        act.counts = array("l", [0]) * weeks
        for k in range(weeks):
            if step and w[k]:
                cum += w[k]
                n = min(total, max(0, math.ceil((cum - offset) / step)))
                act.counts[k], placed, last = n - placed, n, (act.counts, k)
    if last is not None and placed < total:  # float rounding can leave the last point out
        last[0][last[1]] += total - placed


def generate_events(
    seeded: list[SeededPartner],
    *,
    total: int,
    seed: int,
    now: datetime,
    run: int = 0,
    resources: list[tuple[int, int, dict]] = (),
) -> Iterator[NewEvent]:
    """Exactly ``total`` activity events for the seeded partners, in time order, one week held
    in memory at a time. Keys are ``demo:{seed}:{run}:{sequence}:{partner id}``, except library
    views and downloads of ``resources`` ((id, minimum tier rank, event properties)), which carry
    enablement's own keys and properties."""
    if not seeded or total <= 0:
        return
    rng = _rng("prm-demo-events", seed, run)
    acts = [_Activity(s, rng=rng, now=now, resources=resources) for s in seeded]
    start, end = min(s.plan.joined_at for s in seeded).timestamp(), now.timestamp()
    weeks = max(1, math.ceil((end - start) / WEEK))
    _allocate(acts, total=total, weeks=weeks, start=start, end=end, rng=rng)
    # Keys grow with time, so the unique index is appended to at its right edge instead of being
    # written all over (10M random btree inserts thrash the buffer cache and the WAL).
    prefix, seq = f"demo:{seed}:{run}:", 0
    for k in range(weeks):
        w0, w1 = start + k * WEEK, min(start + (k + 1) * WEEK, end)
        batch: list = []
        for act in acts:
            if act.counts[k]:
                act.emit(act.counts[k], w0, w1, batch)
        batch.sort(key=lambda item: item[:3])
        for ts, pid, _, kind, uid, props, key in batch:
            seq += 1
            yield NewEvent(
                kind=kind,
                key=key or f"{prefix}{seq:09d}:{pid}",
                partner_id=pid,
                user_id=uid,
                occurred_at=datetime.fromtimestamp(ts, UTC),
                subject_type="enablement.resource" if key else "",
                subject_id=str(props["resource"]) if key else "",
                properties=props,
            )


def write_events(
    events: Iterator[NewEvent], *, total: int, batch_size: int, progress: Callable[[str], None]
) -> int:
    """Store events through ``record_events``, one transaction per batch (``record_events`` is
    atomic), reporting every 10%. Returns how many were new."""
    written, batch, began, decile = 0, [], time.monotonic(), 0
    for event in events:
        batch.append(event)
        if len(batch) >= batch_size:
            written += _write(batch, batch_size)
            batch = []
            if 10 * written // total > decile:
                decile = 10 * written // total
                if decile in (1, 5):  # once the planner has a sample, it scales it with the size
                    _refresh_statistics()
                rate = written / max(time.monotonic() - began, 1e-9)
                progress(f"  events {written:,}/{total:,} ({10 * decile}%), {rate:,.0f}/s")
    if batch:
        written += _write(batch, batch_size)
    return written


def _write(batch: list[NewEvent], batch_size: int) -> int:
    new = record_events(batch, batch_size=batch_size)
    reset_queries()  # under DEBUG each logged batch holds megabytes of SQL; keep one at most
    return new


def _refresh_statistics() -> None:
    """ANALYZE on PostgreSQL as a bulk load goes. Without fresh statistics (autovacuum off, or
    lagging behind the load) the planner seq-scans the growing event table for the key lookup in
    ``record_events`` and every batch gets slower. Every table, so no other app's is named."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- 4. Domain history: checklists, courses, deals (each app's demo module) ------------------------


@dataclass(frozen=True)
class DomainPartner:
    """What the other apps' demo builders need to know about one demo partner."""

    partner_id: int
    key: str  # stable across databases (the domain): seeds the builders' generators
    tier_id: int
    tier_rank: int
    type_slug: str
    country: str
    currency: str
    owner_id: int | None
    joined_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None  # churned
    phases: list[tuple[datetime, datetime, str]]  # (start, end, status), churn left out
    members: list[tuple[int, datetime, float, str]]  # (user id, since, weight, full name)
    adoptions: list[tuple[datetime, str]]
    engagement: float
    deal_scale: float


def domain_partners(
    seeded: list[SeededPartner], *, ref: Reference, staff: dict[str, User], now: datetime
) -> list[DomainPartner]:
    out = []
    for s in seeded:
        plan = s.plan
        timeline = [(plan.status, plan.joined_at), *plan.transitions]
        phases = [
            (since, timeline[i + 1][1] if i + 1 < len(timeline) else now, str(status))
            for i, (status, since) in enumerate(timeline)
            if status != S.CHURNED
        ]
        members = [
            (uid, person.joined_at, weight, person.full_name)
            for (uid, _, weight), person in zip(s.members, plan.people, strict=True)
        ]
        owner = staff.get(plan.owner_email) if plan.owner_email else None
        out.append(
            DomainPartner(
                partner_id=s.partner_id,
                key=plan.domain,
                tier_id=ref.tiers[plan.tier_rank].pk,
                tier_rank=plan.tier_rank,
                type_slug=plan.type_slug,
                country=plan.country,
                currency=plan.currency,
                owner_id=owner.pk if owner else None,
                joined_at=plan.joined_at,
                activated_at=plan.activated_at,
                ended_at=plan.transitions[-1][1] if plan.final_status == S.CHURNED else None,
                phases=phases,
                members=members,
                adoptions=plan.adoptions,
                engagement=plan.engagement,
                deal_scale=_TYPES[plan.type_slug].deal_scale,
            )
        )
    return out


def _profiles(partners: list[DomainPartner], *, seed: int, now: datetime) -> list[NewEvent]:
    """Company profiles completed by the partner admin (an activation step): every partner that
    activated did it before activating, others sometimes. The profile is stored as of today and
    ``partner.profile_updated`` carries ``partner_update_profile``'s key and properties."""
    events, updates = [], []
    for p in partners:
        if not p.phases or p.phases[0][2] != S.ONBOARDING:
            continue
        rng = _rng("prm-demo-profile", seed, p.key)
        if p.activated_at is not None:
            at = p.joined_at + (p.activated_at - p.joined_at) * rng.uniform(0.05, 0.4)
        else:
            at = p.joined_at + _days(rng.uniform(1, 12))
            if rng.random() >= 0.55 or at >= (p.ended_at or now):
                continue
        at = _sec(at)
        partner = Partner(pk=p.partner_id, domain=p.key)
        partner.website = f"https://www.{p.key}"
        partner.phone = f"+1 555 01{rng.randint(0, 99):02d}"
        partner.address = f"{rng.randint(1, 400)} Market Street"
        partner.description = f"{_TYPES[p.type_slug].name} of cloud and data solutions."
        partner.updated_at = at
        updates.append(partner)
        events.append(
            NewEvent(
                kind=K.PROFILE_UPDATED,
                key=f"partner.profile_updated:{p.partner_id}:{at.isoformat()}",
                partner_id=p.partner_id,
                user_id=p.members[0][0],
                occurred_at=at,
                subject_type="partners.partner",
                subject_id=str(p.partner_id),
                properties={"fields": list(Partner.PROFILE_FIELDS), "complete": True},
            )
        )
    Partner.objects.bulk_update(updates, [*Partner.PROFILE_FIELDS, "updated_at"], batch_size=500)
    return events


@dataclass
class DomainSetup:
    """What the apps need before the partners exist (configuration a vendor admin does)."""

    agreement: object
    catalog: object
    protection: dict[int, int]
    offerings: dict[str, int]


def prepare_domain(*, ref: Reference, now: datetime) -> DomainSetup:
    """Deal policies, the learning catalog, the agreement and activation paths. Run before the
    partners are created: onboarding gives each partner entering onboarding its checklist."""
    from deals.demo import ensure_policies
    from enablement.demo_activity import ensure_catalog
    from onboarding.demo_progress import ensure_paths

    since = _sec(now - _days(400)).replace(hour=9, minute=0, second=0)
    return DomainSetup(
        agreement=ensure_paths(
            program=ref.program, referral_type=ref.types.get("referral"), since=since
        ),
        catalog=ensure_catalog(program=ref.program, since=since),
        protection=ensure_policies(program=ref.program, tiers=ref.tiers),
        offerings=dict(Offering.objects.values_list("slug", "pk")),
    )


@dataclass
class DomainCounts:
    deals: int = 0
    enrollments: int = 0
    certificates: int = 0
    events: int = 0


def build_domain(
    seeded: list[SeededPartner],
    *,
    setup: DomainSetup,
    ref: Reference,
    staff: dict[str, User],
    seed: int,
    now: datetime,
    batch_size: int,
    progress: Callable[[str], None],
    chunk: int = 250,
) -> int:
    """Each app's real objects for the partners, ``chunk`` partners at a time (memory follows the
    chunk), and their events recorded in time order, so onboarding's receiver completes the
    checklist steps they stand for at the right moments. Returns the events recorded."""
    from deals.demo import build_deals, taken_customer_domains
    from enablement.demo_activity import build_learning
    from onboarding.demo_progress import build_onboarding, complete_steps, flag_stalls, owner_rules

    taken = taken_customer_domains()
    managers = {email: user.pk for email, user in staff.items()}
    fallback = managers[MANAGERS[0][0]]
    recorded = 0
    for start in range(0, len(seeded), chunk):
        partners = domain_partners(seeded[start : start + chunk], ref=ref, staff=staff, now=now)
        with transaction.atomic():
            events, kickoffs = build_onboarding(
                partners, seed=seed, now=now, agreement=setup.agreement
            )
            events += _profiles(partners, seed=seed, now=now)
            events += build_learning(partners, seed=seed, now=now, catalog=setup.catalog)
            events += build_deals(
                partners,
                seed=seed,
                now=now,
                offerings=setup.offerings,
                protection=setup.protection,
                managers={p.partner_id: p.owner_id for p in partners if p.owner_id},
                fallback_manager=fallback,
                taken=taken,
                showcase_key=ACME_DOMAIN,
            )
            events.sort(key=lambda e: (e.occurred_at, e.key))
            events += complete_steps(partners, events=events, kickoffs=kickoffs)
            events.sort(key=lambda e: (e.occurred_at, e.key))
            for i in range(0, len(events), batch_size):
                recorded += record_events(events[i : i + batch_size], batch_size=batch_size)
        reset_queries()
        progress(f"  history {min(start + chunk, len(seeded)):,}/{len(seeded):,} partners")
    owner_rules()
    flag_stalls(now=now)
    return recorded


# --- The whole run --------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    partners: int = 0
    users: int = 0
    events: int = 0
    history_events: int = 0  # courses, deals, checklist steps… (each with its domain object)
    lifecycle_events: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_data_present() -> bool:
    return Partner.objects.filter(program__slug=PROGRAM_SLUG).exists()


def seed_demo(
    *,
    partners: int = 200,
    events: int = 60_000,
    seed: int = 42,
    now: datetime | None = None,
    force: bool = False,
    batch_size: int = 5_000,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Build the demo data set as of ``now`` (default: this moment). Does nothing when the demo
    program already has partners, unless ``force`` (which adds ``partners`` new companies)."""
    if demo_data_present() and not force:
        return SeedResult(created=False)
    began = time.monotonic()
    now = _sec(now or timezone.now())
    ref = ensure_reference_data(today=now.date())
    staff = ensure_staff(now=now)
    run = Partner.objects.filter(program=ref.program).count()
    plans = plan_partners(
        count=partners,
        seed=seed,
        now=now,
        launches=ref.launches,
        run=run,
        with_acme=not Partner.objects.filter(domain=ACME_DOMAIN).exists(),
        taken_domains=set(Partner.objects.exclude(domain="").values_list("domain", flat=True)),
    )
    setup = prepare_domain(ref=ref, now=now)
    progress(f"Creating {len(plans):,} partners…")
    seeded = create_partners(plans, ref=ref, staff=staff, progress=progress)
    _refresh_statistics()
    progress("Recording checklists, courses and deals…")
    history = build_domain(
        seeded,
        setup=setup,
        ref=ref,
        staff=staff,
        seed=seed,
        now=now,
        batch_size=batch_size,
        progress=progress,
    )
    _refresh_statistics()
    progress(f"Recording {events:,} activity events…")
    stream = generate_events(
        seeded, total=events, seed=seed, now=now, run=run, resources=setup.catalog.resources
    )
    written = write_events(stream, total=events, batch_size=batch_size, progress=progress)
    by_status: dict[str, int] = {}
    for plan in plans:
        by_status[plan.final_status] = by_status.get(plan.final_status, 0) + 1
    return SeedResult(
        created=True,
        partners=len(plans),
        users=sum(len(plan.people) for plan in plans),
        events=written,
        history_events=history,
        lifecycle_events=sum(1 + len(p.transitions) + bool(p.activated_at) for p in plans),
        by_status={status: by_status[status] for status in S.values if status in by_status},
        seconds=time.monotonic() - began,
    )
