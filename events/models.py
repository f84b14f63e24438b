"""The event log: every meaningful action, appended once (``Event``), the idempotency keys that
store a retried action once (``EventKey``) and the events a consumer of the log failed on
(``ConsumerMiss``). Written only through ``events.services``.

These models were born in metrics (issue 17 moved them here): they keep their tables
(``metrics_event``, ``metrics_eventkey``, ``metrics_consumermiss``) and the migrations that shaped
them, including the monthly partitioning of the event table on Postgres, stay in
metrics/migrations (``events.partitions`` reads and extends it)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from events.choices import EventKind


class Event(models.Model):
    """One meaningful action, appended once and never changed.

    Written only through ``events.services.record_event`` / ``record_events``. Each
    ``idempotency_key`` is stored once (``EventKey`` guards it), so a repeated event (a retried
    request, a redelivered task) is stored once. ``day`` is the UTC calendar day of
    ``occurred_at``, stored so rollups group by a plain column; on Postgres it is also the
    partition key (monthly partitions, metrics' migration 0011, ``events.partitions``) and the
    primary key there is (id, day). Indexes beyond these (BRIN on ``occurred_at`` on Postgres) are
    created in metrics' migration 0002.
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
    subject_type = models.CharField(
        max_length=64, blank=True, help_text=gettext_lazy("What it is about.")
    )
    subject_id = models.CharField(max_length=100, blank=True)  # an API client id: MAX_CLIENT_ID
    properties = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200)  # unique through EventKey

    class Meta:
        db_table = "metrics_event"
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
        try:
            return EventKind(self.kind).label
        except ValueError:
            return self.kind


class ConsumerMiss(models.Model):
    """An event a consumer of the log failed on (``events.consumers``): written in the recording
    transaction, after the consumer's savepoint was rolled back, so it commits with the event and
    is never lost. ``consumers_catch_up`` hands the events to the consumer again and deletes the
    rows once it succeeds. ``event_id`` is a plain id: the event table is partitioned on Postgres.
    """

    consumer = models.CharField(max_length=64)
    event_id = models.BigIntegerField()
    failed_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "metrics_consumermiss"
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event_id"], name="consumer_miss_once")
        ]

    def __str__(self):
        return f"{self.consumer} missed event {self.event_id}"


class PendingDispatch(models.Model):
    """Events whose consumers run after the recording transaction, off the request path
    (``record_events(..., consumers_later=True)``: the ingestion API): the ids of one recorded
    batch, written in the recording transaction, so the row commits with the events and vanishes
    with them. ``events.consumers.dispatch_pending`` (a task woken after commit, and a periodic
    sweep) hands the events to the consumers and deletes the row in one transaction."""

    event_ids = models.JSONField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "events_pendingdispatch"

    def __str__(self):
        return f"{len(self.event_ids)} events for the consumers"


class EventKey(models.Model):
    """The idempotency of event recording: one row per idempotency key, naming the event stored
    for it. On Postgres the event table is partitioned by month (``events.partitions``) and a
    unique index there would have to include the partition column, so a retry of the same event
    with another timestamp would be stored twice; this table is not partitioned, and
    ``record_events`` writes the key and the event in one statement (first write wins).
    ``day`` is the event's day, so retention can drop a month's keys with its partition."""

    # Looked up by equality only: metrics' migration 0014 dropped the LIKE index Django adds on
    # Postgres.
    key = models.CharField(max_length=200, primary_key=True)
    event_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        db_table = "metrics_eventkey"

    def __str__(self):
        return f"{self.key} → {self.event_id}"
