from django.db import models


class TierChangeKind(models.TextChoices):
    """A line of a partner's tier history."""

    PROMOTION = "promotion", "Promoted"
    DEMOTION = "demotion", "Demoted"
    WARNING = "warning", "Demotion warning"
    RECOVERED = "recovered", "Requirements met again"
    OVERRIDE = "override", "Override by the vendor"
