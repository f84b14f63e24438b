from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    LINK = "link", _("Link")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", _("Expires soon")
    EXPIRED = "expired", _("Expired")


class Language(models.TextChoices):
    """Languages a resource can be written in (localized variants of one resource)."""

    EN = "en", _("English")
    DE = "de", _("Deutsch")
    FR = "fr", _("Français")
    ES = "es", _("Español")
    IT = "it", _("Italiano")
    PT = "pt", _("Português")
    NL = "nl", _("Nederlands")
    JA = "ja", _("日本語")
    ZH = "zh", _("中文")
