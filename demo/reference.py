"""Demo reference data: the program, tiers, partner types, offerings, regions, names, and the
activity mix; small helpers shared by the demo modules."""

import bisect
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from events.choices import EventKind as K
from partners.choices import BenefitKind, OfferingKind, Region

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


class M:  # the keys of the tier measures the apps register (partners.measures)
    CERTIFIED_USERS = "certified_users"
    WON_DEALS_12M = "won_deals_12m"
    REVENUE_12M = "revenue_12m"
    ACTIVE_USERS_30D = "active_users_30d"
    COMPLETED_COURSES = "completed_courses"
    ADOPTION_SCORE_90D = "adoption_score_90d"
    ACTIVATED = "activated"


B = BenefitKind
# Benefits: (kind, name, amount, text); a typed kind's text is derived from its amount when empty.
TIERS = [  # rank, name, description, requirements, benefits
    (1, "Registered", "Entry tier: portal, training and deal registration.",
     {M.COMPLETED_COURSES: 1, M.CERTIFIED_USERS: 1, M.ACTIVE_USERS_30D: 1},
     [(B.DEAL_PROTECTION_DAYS, "Deal protection", 60, ""), (B.DISCOUNT_PERCENT, "Discount", 10, ""),
      (B.OTHER, "Market development funds", None, "Not included"),
      (B.OTHER, "Partner account manager", None, "Pooled partner desk")]),
    (2, "Silver", "Proven partners with certified people and won deals.",
     {M.ACTIVATED: 1, M.COMPLETED_COURSES: 3, M.CERTIFIED_USERS: 2, M.ACTIVE_USERS_30D: 2,
      M.WON_DEALS_12M: 2, M.REVENUE_12M: 50_000},
     [(B.DEAL_PROTECTION_DAYS, "Deal protection", 90, ""), (B.DISCOUNT_PERCENT, "Discount", 20, ""),
      (B.MDF_ALLOCATION, "Market development funds", 10_000, ""),
      (B.CONTENT_ACCESS, "Silver sales plays", None, "Silver-only courses and playbooks"),
      (B.OTHER, "Partner account manager", None, "Named")]),
    (3, "Gold", "Strategic partners with a dedicated account team.",
     {M.ACTIVATED: 1, M.COMPLETED_COURSES: 5, M.CERTIFIED_USERS: 4, M.ACTIVE_USERS_30D: 5,
      M.WON_DEALS_12M: 6, M.REVENUE_12M: 250_000, M.ADOPTION_SCORE_90D: 60},
     [(B.DEAL_PROTECTION_DAYS, "Deal protection", 120, ""), (B.DISCOUNT_PERCENT, "Discount", 30, ""),
      (B.MDF_ALLOCATION, "Market development funds", 50_000, ""),
      (B.CONTENT_ACCESS, "Gold content", None, "Every course and resource, Gold-only included"),
      (B.OTHER, "Partner account manager", None, "Dedicated")]),
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
# "fading": the last FADE_DAYS before a partner goes inactive or churns, fewer people doing less
# (the warning a churn forecast learns from: demo/activity.py ``_phases``; issue 22).
LEVEL = {
    "applicant": 0.15, "onboarding": 0.6, "stalled": 0.2, "active": 1.0, "inactive": 0.08,
    "fading": 0.3,
}  # fmt: skip
FADE_DAYS = 75
MIX = {
    "applicant": {K.LOGIN: 70, K.RESOURCE_VIEWED: 30},
    "onboarding": {K.LOGIN: 48, K.RESOURCE_VIEWED: 24, K.RESOURCE_DOWNLOADED: 10,
                   K.OFFERING_USED: 18},
    "stalled": {K.LOGIN: 58, K.RESOURCE_VIEWED: 30, K.OFFERING_USED: 12},
    "active": {K.LOGIN: 36, K.RESOURCE_VIEWED: 17, K.RESOURCE_DOWNLOADED: 8, K.OFFERING_USED: 39},
    "inactive": {K.LOGIN: 50, K.RESOURCE_VIEWED: 28, K.OFFERING_USED: 22},
    "fading": {K.LOGIN: 55, K.RESOURCE_VIEWED: 25, K.OFFERING_USED: 20},
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
