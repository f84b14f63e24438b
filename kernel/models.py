from django.db import models
from django.db.models import Q
from django.utils import timezone

from kernel.choices import EmailStatus


class OutboundEmail(models.Model):
    """Every email the product sends (allauth's account emails aside): the outbox row.

    Written, rendered, in the transaction of the change it reports (``kernel.outbox.email_queue``);
    sent by ``kernel.tasks.send_emails`` after commit; a failed attempt is retried with backoff
    until ``MAX_ATTEMPTS``; ``kernel.tasks.send_due_emails`` sends what a lost task left behind.
    ``key`` is unique: the same notice is never queued twice.
    """

    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100, blank=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # An HTML alternative of the body (emails/<template>.html), empty for plain-text emails.
    html = models.TextField(blank=True, default="")
    # The body holds a secret (a one-time link): blanked once sent or given up, hidden in admin.
    secret = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=EmailStatus.PENDING),
                name="outbound_email_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.key} ({self.status})"
