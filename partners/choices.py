from django.db import models


class PartnerStatus(models.TextChoices):
    """A partner's lifecycle: applicant → onboarding → active → inactive / churned."""

    APPLICANT = "applicant", "Applicant"
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    CHURNED = "churned", "Churned"


# Which moves the lifecycle allows. Anything else is refused by partner_set_status.
PARTNER_STATUS_TRANSITIONS: dict[str, set[str]] = {
    PartnerStatus.APPLICANT: {PartnerStatus.ONBOARDING, PartnerStatus.CHURNED},
    PartnerStatus.ONBOARDING: {PartnerStatus.ACTIVE, PartnerStatus.INACTIVE, PartnerStatus.CHURNED},
    PartnerStatus.ACTIVE: {PartnerStatus.INACTIVE, PartnerStatus.CHURNED},
    PartnerStatus.INACTIVE: {PartnerStatus.ACTIVE, PartnerStatus.CHURNED},
    PartnerStatus.CHURNED: {PartnerStatus.ONBOARDING},
}


class MemberRole(models.TextChoices):
    ADMIN = "admin", "Partner admin"
    USER = "user", "Partner user"


class OfferingKind(models.TextChoices):
    PRODUCT = "product", "Product"
    SERVICE = "service", "Service"
    PROGRAM = "program", "Program element"


class Region(models.TextChoices):
    NORTH_AMERICA = "na", "North America"
    LATIN_AMERICA = "latam", "Latin America"
    EMEA = "emea", "Europe, Middle East & Africa"
    APAC = "apac", "Asia Pacific"


class BenefitKind(models.TextChoices):
    """What a tier benefit is, so the portal can apply it (partners.benefits.partner_benefits)."""

    DEAL_PROTECTION_DAYS = "deal_protection_days", "Deal protection (days)"
    DISCOUNT_PERCENT = "discount_percent", "Discount (%)"
    CONTENT_ACCESS = "content_access", "Tier-targeted content access"
    MDF_ELIGIBLE = "mdf_eligible", "Market development funds: eligible"
    MDF_ALLOCATION = "mdf_allocation", "Market development funds: allocation per period"
    OTHER = "other", "Other (text)"


# Kinds whose ``amount`` is required and that a tier may hold at most once.
TYPED_BENEFIT_KINDS = (
    BenefitKind.DEAL_PROTECTION_DAYS,
    BenefitKind.DISCOUNT_PERCENT,
    BenefitKind.MDF_ALLOCATION,
)


class BenefitPeriod(models.TextChoices):
    QUARTER = "quarter", "per quarter"
    YEAR = "year", "per year"
