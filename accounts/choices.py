from django.db import models


class VendorRole(models.TextChoices):
    """A vendor-side role. Partner users have none: their role lives on their partner membership."""

    NONE = "", "None (partner user)"
    CHANNEL_MANAGER = "channel_manager", "Channel manager"
    ADMIN = "admin", "Vendor admin"
