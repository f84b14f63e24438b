from django.db import models


class VendorRole(models.TextChoices):
    """A vendor-side role. Partner users have none: their role lives on their partner membership."""

    NONE = "", "None (partner user)"
    CHANNEL_MANAGER = "channel_manager", "Channel manager"
    ADMIN = "admin", "Vendor admin"


class TokenScope(models.TextChoices):
    """What an API token may do: read only, or read and write (unsafe methods)."""

    READ = "read", "Read"
    WRITE = "write", "Read and write"
