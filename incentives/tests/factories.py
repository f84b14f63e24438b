"""Builders for incentive tests: allocations and requests through the real services."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incentives import services
from incentives.models import AwardRule, Badge

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def proof_pdf(name="invoice.pdf", content=PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def grant_mdf(tier, *, amount=None, period=""):
    """Give a tier the MDF benefit, where tiers carry typed benefits (partners.choices.BenefitKind)."""
    try:
        from partners.choices import BenefitKind
    except ImportError:
        return
    from partners.models import TierBenefit

    kind = BenefitKind.MDF_ALLOCATION if amount is not None else BenefitKind.MDF_ELIGIBLE
    TierBenefit.objects.update_or_create(
        tier=tier,
        kind=kind,
        defaults={"name": "Market development funds", "amount": amount, "period": period},
    )


def allocation(*, partner, actor, amount="10000.00", period=None, currency="USD"):
    grant_mdf(partner.tier)
    today = timezone.localdate()
    return services.mdf_allocation_create(
        partner=partner,
        actor=actor,
        period=period or f"{today:%Y}-Q{(today.month - 1) // 3 + 1}",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=80),
        amount=Decimal(amount),
        currency=currency,
    )


def activity(amount="1000.00", title="Webinar series", **overrides) -> services.Activity:
    today = timezone.localdate()
    values = {
        "title": title,
        "description": "Three webinars for CIOs in the DACH region, with follow-up calls.",
        "starts_on": today + timedelta(days=7),
        "ends_on": today + timedelta(days=30),
        "amount": Decimal(amount),
    } | overrides
    return services.Activity(**values)


def mdf_request(*, world, amount="1000.00", approve=False, claim=False, **overrides):
    """A request by partner A's admin (an allocation is created when the partner has none)."""
    from incentives.selectors import mdf_allocation_current

    partner = world.partner_a
    if mdf_allocation_current(partner=partner) is None:
        allocation(partner=partner, actor=world.users["manager_owner"])
    request = services.mdf_request_create(
        partner=partner,
        actor=world.users["partner_a_admin"],
        activity=activity(amount, **overrides),
    )
    if approve or claim:
        request = services.mdf_request_approve(request=request, actor=world.users["manager_owner"])
    if claim:
        request = services.mdf_claim_submit(
            request=request,
            actor=world.users["partner_a_admin"],
            amount=Decimal(amount),
            proof=proof_pdf(),
        )
    return request


def badge(slug="first-deal", name="First deal") -> Badge:
    return Badge.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def rule(kind="deal.won", points=50, **fields) -> AwardRule:
    return AwardRule.objects.create(
        name=fields.pop("name", f"{points} points for {kind}"),
        event_kind=kind,
        points=points,
        **fields,
    )
