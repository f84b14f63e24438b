from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerStatus(models.TextChoices):
    """A partner's lifecycle: applicant → onboarding → active → inactive / churned."""

    APPLICANT = "applicant", _("Applicant")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    CHURNED = "churned", _("Churned")


# Which moves the lifecycle allows. Anything else is refused by partner_set_status.
PARTNER_STATUS_TRANSITIONS: dict[str, set[str]] = {
    PartnerStatus.APPLICANT: {PartnerStatus.ONBOARDING, PartnerStatus.CHURNED},
    PartnerStatus.ONBOARDING: {PartnerStatus.ACTIVE, PartnerStatus.INACTIVE, PartnerStatus.CHURNED},
    PartnerStatus.ACTIVE: {PartnerStatus.INACTIVE, PartnerStatus.CHURNED},
    PartnerStatus.INACTIVE: {PartnerStatus.ACTIVE, PartnerStatus.CHURNED},
    PartnerStatus.CHURNED: {PartnerStatus.ONBOARDING},
}


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Partner admin")
    USER = "user", _("Partner user")


class OfferingKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")
    PROGRAM = "program", _("Program element")


class Region(models.TextChoices):
    NORTH_AMERICA = "na", _("North America")
    LATIN_AMERICA = "latam", _("Latin America")
    EMEA = "emea", _("Europe, Middle East & Africa")
    APAC = "apac", _("Asia Pacific")


class BenefitKind(models.TextChoices):
    """What a tier benefit is, so the portal can apply it (partners.benefits.partner_benefits)."""

    DEAL_PROTECTION_DAYS = "deal_protection_days", _("Deal protection (days)")
    DISCOUNT_PERCENT = "discount_percent", _("Discount (%)")
    CONTENT_ACCESS = "content_access", _("Tier-targeted content access")
    MDF_ELIGIBLE = "mdf_eligible", _("Market development funds: eligible")
    MDF_ALLOCATION = "mdf_allocation", _("Market development funds: allocation per period")
    OTHER = "other", _("Other (text)")


# Kinds whose ``amount`` is required and that a tier may hold at most once.
TYPED_BENEFIT_KINDS = (
    BenefitKind.DEAL_PROTECTION_DAYS,
    BenefitKind.DISCOUNT_PERCENT,
    BenefitKind.MDF_ALLOCATION,
)


class BenefitPeriod(models.TextChoices):
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class ImportStage(models.TextChoices):
    """Where a partner import stands: checked (dry run) first, then applied on request."""

    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    APPLY_QUEUED = "apply_q", _("Waiting to be imported")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed")


RUNNING_IMPORT_STAGES = frozenset(
    {ImportStage.QUEUED, ImportStage.CHECKING, ImportStage.APPLY_QUEUED, ImportStage.APPLYING}
)


class SsoProtocol(models.TextChoices):
    """How a company identity provider signs people in (issue 23, docs/sso.md)."""

    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")
