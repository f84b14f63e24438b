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
    PLAN_CREATED = (
        "plan.created",
        gettext_lazy("A business plan was drafted (or a new version started)"),
    )
    PLAN_SUBMITTED = "plan.submitted", gettext_lazy("A business plan was submitted for approval")
    PLAN_APPROVED = "plan.approved", gettext_lazy("A business plan was approved")
    PLAN_REVISED = (
        "plan.revised",
        gettext_lazy("A new version of an approved business plan was started"),
    )
    PLAN_SENT_BACK = (
        "plan.sent_back",
        gettext_lazy("A submitted business plan was sent back to draft"),
    )
    PLAN_GOAL_CHANGED = (
        "plan.goal_changed",
        gettext_lazy("A business plan's goal was added, changed or removed"),
    )
    QBR_SCHEDULED = "qbr.scheduled", gettext_lazy("A quarterly business review was scheduled")
    QBR_RESCHEDULED = "qbr.rescheduled", gettext_lazy("A quarterly business review was changed")
    QBR_HELD = "qbr.held", gettext_lazy("A quarterly business review was held (scorecard frozen)")
    QBR_CANCELLED = "qbr.cancelled", gettext_lazy("A quarterly business review was cancelled")
    QBR_ACTION_ADDED = (
        "qbr.action_added",
        gettext_lazy("An action item was added to a business review"),
    )
    QBR_ACTION_CONVERTED = (
        "qbr.action_converted",
        gettext_lazy("A review's action item became an initiative or task"),
    )


#: PRM's event kinds (events.choices.EventKind values) → the webhook event type they deliver as.
KIND_TO_TYPE = {
    "application.submitted": WebhookEventType.PARTNER_APPLIED,
    "partner.activated": WebhookEventType.PARTNER_ACTIVATED,
    "deal.submitted": WebhookEventType.DEAL_SUBMITTED,
    "deal.approved": WebhookEventType.DEAL_APPROVED,
    "deal.won": WebhookEventType.DEAL_WON,
    "tier.changed": WebhookEventType.TIER_CHANGED,
    "certification.earned": WebhookEventType.CERTIFICATION_EARNED,
    # joint business plans and their reviews (issue 21): the same names as the kinds
    **{
        kind: WebhookEventType(kind)
        for kind in (
            "plan.created",
            "plan.submitted",
            "plan.approved",
            "plan.revised",
            "plan.sent_back",
            "plan.goal_changed",
            "qbr.scheduled",
            "qbr.rescheduled",
            "qbr.held",
            "qbr.cancelled",
            "qbr.action_added",
            "qbr.action_converted",
        )
    },
}

TEST_TYPE = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    SUCCEEDED = "succeeded", gettext_lazy("Delivered")
    FAILED = "failed", gettext_lazy("Gave up")
