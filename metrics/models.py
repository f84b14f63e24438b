from django.conf import settings
from django.db import models


class Event(models.Model):
    """One meaningful action, appended once and never changed.

    Written only through ``metrics.services.record_event`` / ``record_events``. ``idempotency_key``
    is unique, so a repeated event (a retried request, a redelivered task) is stored once. ``day``
    is the UTC calendar day of ``occurred_at``, stored so rollups group by a plain column.
    Indexes beyond these (BRIN on ``occurred_at`` on Postgres) are created in migration 0002.
    """

    occurred_at = models.DateTimeField()
    day = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # covered by event_partner_time_idx; every index slows ingestion
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # rollups scan by time, not by user
    )
    kind = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=64, blank=True, help_text="What it is about.")
    subject_id = models.CharField(max_length=64, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "occurred_at"], name="event_partner_time_idx"),
            models.Index(fields=["kind", "day"], name="event_kind_day_idx"),
        ]

    def __str__(self):
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        """The readable name of the kind; kinds sent by other systems show as they are."""
        from metrics.choices import EventKind

        try:
            return EventKind(self.kind).label
        except ValueError:
            return self.kind
