from django.db import models
from django.utils.translation import gettext_lazy


class WebhookEventType(models.TextChoices):
    PARTNER_APPLIED = "partner.applied", gettext_lazy("A partner applied")
    PARTNER_ACTIVATED = "partner.activated", gettext_lazy("A partner was activated")
    DEAL_SUBMITTED = "deal.submitted", gettext_lazy("A deal was registered")
    DEAL_APPROVED = "deal.approved", gettext_lazy("A deal was approved")
    DEAL_WON = "deal.won", gettext_lazy("A deal was won")
    TIER_CHANGED = "tier.changed", gettext_lazy("A partner's tier changed")
    CERTIFICATION_EARNED = "certification.earned", gettext_lazy("A certification was earned")


#: PRM's event kinds (events.choices.EventKind values) → the webhook event type they deliver as.
KIND_TO_TYPE = {
    "application.submitted": WebhookEventType.PARTNER_APPLIED,
    "partner.activated": WebhookEventType.PARTNER_ACTIVATED,
    "deal.submitted": WebhookEventType.DEAL_SUBMITTED,
    "deal.approved": WebhookEventType.DEAL_APPROVED,
    "deal.won": WebhookEventType.DEAL_WON,
    "tier.changed": WebhookEventType.TIER_CHANGED,
    "certification.earned": WebhookEventType.CERTIFICATION_EARNED,
}

TEST_TYPE = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    SUCCEEDED = "succeeded", gettext_lazy("Delivered")
    FAILED = "failed", gettext_lazy("Gave up")
