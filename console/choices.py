from django.db import models
from django.utils.translation import gettext_lazy as _


class BulkKind(models.TextChoices):
    """What a bulk action of the partner list does to each selected partner."""

    OWNER = "owner", _("Reassign owner")
    TIER = "tier", _("Set tier")
    STATUS = "status", _("Change status")
    EMAIL = "email", _("Email partner admins")
    EXPORT = "export", _("Export CSV")


class BulkState(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped by an error")
