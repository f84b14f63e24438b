"""The console's one record: a bulk action of the partner list (who did what to which partners,
and what happened to each), also its progress while a Celery task runs it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from console.choices import BulkKind, BulkState


class BulkAction(models.Model):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=BulkKind.choices)
    # What the action sets: ids of the owner or tier, the status, the email's subject and body;
    # with the names shown when it ran (a later rename does not rewrite history).
    params = models.JSONField(default=dict, blank=True)
    partner_ids = models.JSONField(default=list)  # the selection, in the list's order
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)  # partners processed so far (the progress bar)
    changed_ids = models.JSONField(default=list, blank=True)
    # [{"id", "name", "before", "after"}]: what each changed partner had and now has (names)
    changes = models.JSONField(default=list, blank=True)
    # [{"id", "name", "reason"}]: the partners left alone and why
    skipped = models.JSONField(default=list, blank=True)
    recipients = models.PositiveIntegerField(default=0)  # emails queued (the email action)
    state = models.CharField(max_length=16, choices=BulkState.choices, default=BulkState.PENDING)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk action")

    def __str__(self):
        return _("%(action)s · %(count)s partners") % {
            "action": self.get_kind_display(),
            "count": self.total,
        }

    @property
    def is_finished(self) -> bool:
        return self.state in (BulkState.DONE, BulkState.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class WeeklyDigest(models.Model):
    """A weekly digest sent to one channel manager for one ISO week: the record that makes the
    hourly beat task send it once (unique user, week), whatever its retries and reruns."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_digests"
    )
    # The Monday (in the manager's time zone) that starts the ISO week the digest was sent in.
    week = models.DateField()
    partners = models.PositiveIntegerField(default=0)  # owned partners when it was built
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="weekly_digest_once_per_week")
        ]

    def __str__(self):
        return f"{self.user} · {self.week.isoformat()}"
