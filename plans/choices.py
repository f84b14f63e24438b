from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")  # an approved version a newer approval replaced


class Side(models.TextChoices):
    PARTNER = "partner", _("Partner")
    VENDOR = "vendor", _("Vendor")


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class CommitmentKind(models.TextChoices):
    MDF = "mdf", _("Marketing funds (MDF) planned")
    ENABLEMENT = "enablement", _("Enablement sessions")
    OTHER = "other", _("Other")


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ActionConversion(models.TextChoices):
    NONE = "", _("Not converted")
    INITIATIVE = "initiative", _("Plan initiative")
    TASK = "task", _("Vendor staff task")
