from django.db import models


class WebhookEventType(models.TextChoices):
    PARTNER_APPLIED = "partner.applied", "A partner applied"
    PARTNER_ACTIVATED = "partner.activated", "A partner was activated"
    DEAL_SUBMITTED = "deal.submitted", "A deal was registered"
    DEAL_APPROVED = "deal.approved", "A deal was approved"
    DEAL_WON = "deal.won", "A deal was won"
    TIER_CHANGED = "tier.changed", "A partner's tier changed"
    CERTIFICATION_EARNED = "certification.earned", "A certification was earned"


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
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Gave up"
