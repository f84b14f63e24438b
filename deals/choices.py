from django.db import models
from django.utils.translation import gettext_lazy as _


class DealStatus(models.TextChoices):
    """A registration's lifecycle. Only ``approved`` is protected (see ``Deal`` constraints)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")


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

    PROSPECTING = "prospecting", _("Prospecting")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSAL = "proposal", _("Proposal sent")
    NEGOTIATION = "negotiation", _("Negotiation")
    COMMIT = "commit", _("Verbal commit")


class Currency(models.TextChoices):
    """ISO 4217 codes the vendor accepts for registrations."""

    USD = "USD", _("USD — US dollar")
    EUR = "EUR", _("EUR — Euro")
    GBP = "GBP", _("GBP — Pound sterling")
    CHF = "CHF", _("CHF — Swiss franc")
    CAD = "CAD", _("CAD — Canadian dollar")
    AUD = "AUD", _("AUD — Australian dollar")
    NZD = "NZD", _("NZD — New Zealand dollar")
    JPY = "JPY", _("JPY — Japanese yen")
    CNY = "CNY", _("CNY — Chinese yuan")
    INR = "INR", _("INR — Indian rupee")
    SGD = "SGD", _("SGD — Singapore dollar")
    BRL = "BRL", _("BRL — Brazilian real")
    MXN = "MXN", _("MXN — Mexican peso")
    ZAR = "ZAR", _("ZAR — South African rand")
    SEK = "SEK", _("SEK — Swedish krona")
    NOK = "NOK", _("NOK — Norwegian krone")
    DKK = "DKK", _("DKK — Danish krone")
    PLN = "PLN", _("PLN — Polish złoty")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    DECLINED = "declined", _("Declined")


class NoticeKind(models.TextChoices):
    """Emails a deal sends; one outbox key per (deal, kind, key) makes each send once."""

    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRING = "expiring", _("Protection ending soon")
    EXPIRED = "expired", _("Protection expired")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")


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
