"""The one way events are recorded. Every app calls ``record_event`` (or ``record_events`` for a
batch); nothing else writes the Event table."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import django.dispatch
from django.db import connection, models, transaction
from django.utils import timezone

from metrics.models import Event, EventKey

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MAX_PROPERTIES_BYTES = 4096
MAX_KEY_LENGTH = 200

# Sent inside the recording transaction with the events that were new (duplicates are left out).
# Receivers (e.g. onboarding completing a checklist step) must be idempotent: two writers racing on
# the same key may both see it as new before the database keeps only one.
event_recorded = django.dispatch.Signal()


class EventError(ValueError):
    """An event that cannot be stored as given; the message says why."""


@dataclass(frozen=True)
class NewEvent:
    kind: str
    key: str
    partner_id: int | None = None
    user_id: int | None = None
    occurred_at: datetime | None = None
    subject_type: str = ""
    subject_id: str = ""
    properties: dict[str, Any] = field(default_factory=dict)


def _subject_of(subject: models.Model | None) -> tuple[str, str]:
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


def _partner_id_of(user) -> int | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.partner_id if membership is not None else None


def _build(new: NewEvent, now: datetime) -> Event:
    if not KIND_PATTERN.match(new.kind) or len(new.kind) > 64:
        raise EventError(f"Event kind {new.kind!r} must look like 'area.verb' (lower case).")
    if not new.key or len(new.key) > MAX_KEY_LENGTH:
        raise EventError(f"An idempotency key of 1 to {MAX_KEY_LENGTH} characters is required.")
    occurred_at = new.occurred_at or now
    if timezone.is_naive(occurred_at):
        raise EventError("occurred_at must be timezone-aware.")
    try:
        encoded = json.dumps(new.properties, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise EventError(f"Event properties must be JSON: {exc}") from exc
    if len(encoded) > MAX_PROPERTIES_BYTES or not isinstance(new.properties, dict):
        raise EventError(
            f"Event properties must be a JSON object under {MAX_PROPERTIES_BYTES} bytes."
        )
    return Event(
        occurred_at=occurred_at,
        day=occurred_at.astimezone(UTC).date(),
        partner_id=new.partner_id,
        user_id=new.user_id,
        kind=new.kind,
        subject_type=new.subject_type,
        subject_id=new.subject_id,
        properties=new.properties,
        idempotency_key=new.key,
    )


def _store_postgres(chunk: list[Event], now: datetime) -> list[Event]:
    """One statement: claim each key in ``EventKey`` (``ON CONFLICT DO NOTHING``, so a key
    already stored, or being stored by a concurrent writer that then commits, is skipped) with a
    new event id, and insert the events of exactly the claimed keys with those ids. The statement
    holds the event table's ROW EXCLUSIVE lock before it draws an id, as the rollup's safe upper
    bound requires."""
    columns = (
        "occurred_at, day, recorded_at, partner_id, user_id, kind, subject_type, subject_id, "
        "properties, idempotency_key"
    )
    row = "(%s::timestamptz, %s::date, %s::timestamptz, %s::bigint, %s::bigint, %s, %s, %s, "
    row += "%s::jsonb, %s)"
    params: list[Any] = []
    for e in chunk:
        params += [
            e.occurred_at,
            e.day,
            now,
            e.partner_id,
            e.user_id,
            e.kind,
            e.subject_type,
            e.subject_id,
            json.dumps(e.properties, separators=(",", ":")),
            e.idempotency_key,
        ]
    event, key = Event._meta.db_table, EventKey._meta.db_table
    sql = f"""
        WITH input ({columns}) AS (VALUES {", ".join([row] * len(chunk))}),
        claimed AS (
            INSERT INTO {key} (key, event_id, day)
            SELECT idempotency_key, nextval(pg_get_serial_sequence('{event}', 'id')), day
            FROM input
            ORDER BY idempotency_key  -- one lock order for every writer: no deadlock
            ON CONFLICT (key) DO NOTHING
            RETURNING key, event_id)
        INSERT INTO {event} (id, {columns})
        SELECT c.event_id, {", ".join(f"i.{c.strip()}" for c in columns.split(","))}
        FROM input i JOIN claimed c ON c.key = i.idempotency_key
        ORDER BY c.event_id
        RETURNING id, idempotency_key"""  # noqa: S608 -- table names and placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {k: i for i, k in cursor.fetchall()}
    fresh = []
    for e in chunk:
        if e.idempotency_key in ids:
            e.pk, e.recorded_at = ids[e.idempotency_key], now
            e._state.adding = False
            fresh.append(e)
    return fresh


def _store_portable(chunk: list[Event]) -> list[Event]:
    """SQLite (development and tests): writers are serialised by the database lock, so a check
    of the stored keys, then the inserts, cannot race; a concurrent duplicate would fail on the
    ``EventKey`` primary key and roll the batch back, never store a second copy."""
    keys = [e.idempotency_key for e in chunk]
    existing = set(EventKey.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [e for e in chunk if e.idempotency_key not in existing]
    Event.objects.bulk_create(fresh)
    EventKey.objects.bulk_create(
        [EventKey(key=e.idempotency_key, event_id=e.pk, day=e.day) for e in fresh]
    )
    return fresh


@transaction.atomic
def record_events(events: Iterable[NewEvent], *, batch_size: int = 1000) -> int:
    """Store a batch of events once each; returns how many were new.

    A key already stored (or repeated inside the batch) is skipped, never updated: the first
    write wins, whatever the retry's timestamp or properties. Validation happens before anything
    is written, so a bad item stores nothing.
    """
    now = timezone.now()
    built: dict[str, Event] = {}
    for new in events:
        event = _build(new, now)
        built.setdefault(event.idempotency_key, event)
    if not built:
        return 0
    new_total = 0
    items = list(built.values())
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        postgres = connection.vendor == "postgresql"
        fresh = _store_postgres(chunk, now) if postgres else _store_portable(chunk)
        if fresh:
            event_recorded.send(sender=Event, events=fresh)
        new_total += len(fresh)
    return new_total


def record_event(
    *,
    kind: str,
    key: str,
    partner=None,
    user=None,
    subject: models.Model | None = None,
    occurred_at: datetime | None = None,
    properties: dict[str, Any] | None = None,
) -> bool:
    """Record one event; returns False when an event with this key was already stored.

    ``key`` identifies the occurrence (e.g. ``f"course.completed:{user.pk}:{course.pk}"``) so a
    retried action is counted once. The partner defaults to the user's partner.
    """
    subject_type, subject_id = _subject_of(subject)
    partner_id = partner.pk if partner is not None else _partner_id_of(user)
    new = NewEvent(
        kind=kind,
        key=key,
        partner_id=partner_id,
        user_id=user.pk if user is not None else None,
        occurred_at=occurred_at,
        subject_type=subject_type,
        subject_id=subject_id,
        properties=properties or {},
    )
    return record_events([new]) == 1
