from django.db import models


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    LINK = "link", "Link"


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", "Valid"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", "Expires soon"
    EXPIRED = "expired", "Expired"


class Language(models.TextChoices):
    """Languages a resource can be written in (localized variants of one resource)."""

    EN = "en", "English"
    DE = "de", "Deutsch"
    FR = "fr", "Français"
    ES = "es", "Español"
    IT = "it", "Italiano"
    PT = "pt", "Português"
    NL = "nl", "Nederlands"
    JA = "ja", "日本語"
    ZH = "zh", "中文"
