from django.db import models
from django.utils.translation import gettext_lazy


class VendorRole(models.TextChoices):
    """A vendor-side role. Partner users have none: their role lives on their partner membership."""

    NONE = "", gettext_lazy("None (partner user)")
    CHANNEL_MANAGER = "channel_manager", gettext_lazy("Channel manager")
    ADMIN = "admin", gettext_lazy("Vendor admin")


class TokenScope(models.TextChoices):
    """What an API token may do: read only, or read and write (unsafe methods)."""

    READ = "read", gettext_lazy("Read")
    WRITE = "write", gettext_lazy("Read and write")
