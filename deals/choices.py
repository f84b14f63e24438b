from django.db import models
from django.utils.translation import gettext_lazy as _


class DealStatus(models.TextChoices):
    """A registration's lifecycle. Only ``approved`` is protected (see ``Deal`` constraints)."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"


# Which moves the workflow allows; each has exactly one service in deals.services.
DEAL_TRANSITIONS: dict[str, set[str]] = {
    DealStatus.DRAFT: {DealStatus.SUBMITTED},
    DealStatus.SUBMITTED: {DealStatus.APPROVED, DealStatus.REJECTED},
    DealStatus.APPROVED: {DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED},
    DealStatus.REJECTED: set(),
    DealStatus.WON: set(),
    DealStatus.LOST: set(),
    DealStatus.EXPIRED: set(),
}

# Statuses in which a registration still claims its customer (what conflict detection compares).
OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.APPROVED)
CLOSED_STATUSES = (DealStatus.REJECTED, DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED)


class DealStage(models.TextChoices):
    """Where the partner's sales cycle is (the partner's own view; not the review status)."""

    PROSPECTING = "prospecting", "Prospecting"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal sent"
    NEGOTIATION = "negotiation", "Negotiation"
    COMMIT = "commit", "Verbal commit"


class Currency(models.TextChoices):
    """ISO 4217 codes the vendor accepts for registrations."""

    USD = "USD", "USD — US dollar"
    EUR = "EUR", "EUR — Euro"
    GBP = "GBP", "GBP — Pound sterling"
    CHF = "CHF", "CHF — Swiss franc"
    CAD = "CAD", "CAD — Canadian dollar"
    AUD = "AUD", "AUD — Australian dollar"
    NZD = "NZD", "NZD — New Zealand dollar"
    JPY = "JPY", "JPY — Japanese yen"
    CNY = "CNY", "CNY — Chinese yuan"
    INR = "INR", "INR — Indian rupee"
    SGD = "SGD", "SGD — Singapore dollar"
    BRL = "BRL", "BRL — Brazilian real"
    MXN = "MXN", "MXN — Mexican peso"
    ZAR = "ZAR", "ZAR — South African rand"
    SEK = "SEK", "SEK — Swedish krona"
    NOK = "NOK", "NOK — Norwegian krone"
    DKK = "DKK", "DKK — Danish krone"
    PLN = "PLN", "PLN — Polish złoty"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    GRANTED = "granted", "Granted"
    DECLINED = "declined", "Declined"


class NoticeKind(models.TextChoices):
    """Emails a deal sends; one outbox key per (deal, kind, key) makes each send once."""

    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRING = "expiring", "Protection ending soon"
    EXPIRED = "expired", "Protection expired"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXTENSION_REQUESTED = "extension_requested", "Extension requested"
    EXTENSION_DECIDED = "extension_decided", "Extension decided"


DEFAULT_PROTECTION_DAYS = 90
DEFAULT_WARNING_DAYS = 14
MAX_EXTENSION_DAYS = 90


class HelpKind(models.TextChoices):
    """What a partner asks the vendor for on an approved deal (co-selling, issue 20)."""

    PRESALES = "presales", _("Pre-sales help")
    PRICING = "pricing", _("Pricing help")
    EXECUTIVE = "executive", _("Executive sponsor")


class HelpStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a vendor person")
    ASSIGNED = "assigned", _("Vendor person assigned")
