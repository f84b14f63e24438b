from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notifications.choices import Channel, kind_label


class Notification(models.Model):
    """One notice in a person's in-app list: every email the product sends them (the outbox hook,
    ``notifications.hooks``) and the staff notices of ``notifications.consumers``. ``key`` makes
    the same notice land once per person; ``digested_on`` marks it sent in a daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.BooleanField(default=False)  # the kind was set to "digest" when it landed
    digested_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_user_key_uniq")
        ]
        indexes = [
            # The bell's unread count on every page: an index over the unread rows only.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            models.Index(fields=["user", "-created_at"], name="notification_list_idx"),
            models.Index(
                fields=["user", "created_at"],
                condition=Q(digest=True, digested_on__isnull=True),
                name="notification_digest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.title}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class Preference(models.Model):
    """A person's channel for one kind; no row means both (in-app and email)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.BOTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_uniq")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind} → {self.channel}"


class DigestRun(models.Model):
    """One daily digest per person per local day: the row is the claim (idempotence)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_run_uniq")]

    def __str__(self):
        return f"{self.user_id}: {self.day}"
