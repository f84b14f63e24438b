from django.db import models
from django.utils.translation import gettext_lazy


class TierChangeKind(models.TextChoices):
    """A line of a partner's tier history."""

    PROMOTION = "promotion", gettext_lazy("Promoted")
    DEMOTION = "demotion", gettext_lazy("Demoted")
    WARNING = "warning", gettext_lazy("Demotion warning")
    RECOVERED = "recovered", gettext_lazy("Requirements met again")
    OVERRIDE = "override", gettext_lazy("Override by the vendor")
