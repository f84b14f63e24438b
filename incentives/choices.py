from django.db import models
from django.utils.translation import gettext_lazy


class MdfStatus(models.TextChoices):
    """A fund request's lifecycle: requested → approved (funds committed) or rejected; approved →
    claimed (proof uploaded) → paid (claim approved) or claim rejected (funds released)."""

    REQUESTED = "requested", gettext_lazy("Requested")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")
    CLAIMED = "claimed", gettext_lazy("Claimed")
    PAID = "paid", gettext_lazy("Claim approved")
    CLAIM_REJECTED = "claim_rejected", gettext_lazy("Claim rejected")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


# Which moves the workflow allows; each has one service in incentives.services.mdf.
MDF_TRANSITIONS: dict[str, set[str]] = {
    # Until a decision the partner may withdraw (or edit: incentives.services.mdf_request_update).
    MdfStatus.REQUESTED: {MdfStatus.APPROVED, MdfStatus.REJECTED, MdfStatus.WITHDRAWN},
    MdfStatus.APPROVED: {MdfStatus.CLAIMED},
    MdfStatus.CLAIMED: {MdfStatus.PAID, MdfStatus.CLAIM_REJECTED},
    MdfStatus.REJECTED: set(),
    MdfStatus.PAID: set(),
    MdfStatus.CLAIM_REJECTED: set(),
    MdfStatus.WITHDRAWN: set(),
}

# Statuses waiting for a manager (the review queue).
MDF_PENDING = (MdfStatus.REQUESTED, MdfStatus.CLAIMED)


class AwardScope(models.TextChoices):
    """Whom a rule's "first only" and cap count against."""

    PARTNER = "partner", gettext_lazy("Per partner")
    USER = "user", gettext_lazy("Per user")


# Kinds a rule may not listen to: awards record these, so a rule on them would feed itself.
AWARD_EVENT_KINDS = ("points.awarded", "badge.earned")
