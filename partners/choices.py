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


class TierMetric(models.TextChoices):
    """What a tier requirement measures; the value for a partner is computed by the metrics app."""

    CERTIFIED_USERS = "certified_users", "Certified people"
    WON_DEALS_12M = "won_deals_12m", "Deals won in the last 12 months"
    REVENUE_12M = "revenue_12m", "Won revenue in the last 12 months"
    ACTIVE_USERS_30D = "active_users_30d", "Active portal users in the last 30 days"
    COMPLETED_COURSES = "completed_courses", "Courses completed"
