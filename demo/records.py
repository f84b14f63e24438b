"""Step 2 of the demo data: reference rows, vendor staff and the partners with their teams."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.db import reset_queries, transaction

from accounts.choices import VendorRole
from accounts.models import User
from demo.plans import PartnerPlan
from demo.reference import (
    _PASSWORDS,
    ADMIN,
    MANAGERS,
    OFFERINGS,
    PARTNER_TYPES,
    PROGRAM_NAME,
    PROGRAM_SLUG,
    TIERS,
    _days,
    _sec,
)
from partners.choices import BenefitKind, BenefitPeriod, Region
from partners.models import (
    Offering,
    Partner,
    PartnerMembership,
    PartnerType,
    Program,
    Tier,
    TierBenefit,
)
from partners.services import membership_add, partner_create, partner_set_status
from tiers.models import TierRequirement

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
        for position, (kind, benefit, amount, value) in enumerate(benefits):
            TierBenefit.objects.update_or_create(
                tier=tier,
                name=benefit,
                defaults={
                    "kind": kind,
                    "amount": amount,
                    "value": value,
                    "position": position,
                    "period": BenefitPeriod.YEAR if kind == BenefitKind.MDF_ALLOCATION else "",
                },
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
                        # Dated when the demo history says they joined (and so is the
                        # ``user.joined`` event the service records).
                        membership_add(
                            partner=partner,
                            user=user,
                            role=person.role,
                            created_at=person.joined_at,
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
