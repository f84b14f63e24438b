"""The one way events are recorded. Every app calls ``record_event`` (or ``record_events`` for a
batch); nothing else writes the Event table."""

import json
import json.encoder
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

from events import conf, consumers
from events.choices import payload_errors
from events.models import Event, EventKey, PendingDispatch

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MAX_PROPERTIES_BYTES = 4096
MAX_KEY_LENGTH = 200

logger = logging.getLogger(__name__)


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
    # ``encode_properties(properties)`` when the caller already made it (ingestion checks the
    # size of each item first): the JSON is then not encoded a second time. Must be that exact
    # encoding of ``properties``.
    properties_json: str | None = field(default=None, compare=False, repr=False)


def _properties_encoder():
    """One encoder for every event: the same output as ``json.dumps(value, separators=(",",
    ":"))`` (a test holds them equal). ``JSONEncoder.encode`` builds the C encoder anew at each
    call (more than half of its ~2.5 µs for an event's properties, 1,000 times per ingested
    batch); this builds it once. It keeps no state between calls: without the ``markers`` dict
    a circular value is not named as such but fails with ``RecursionError`` (``_build`` turns it
    into an ``EventError`` too). Where Python has no C encoder, ``JSONEncoder.encode``."""
    encoder = json.JSONEncoder(separators=(",", ":"))
    make = json.encoder.c_make_encoder
    if make is None:
        return encoder.encode
    iterencode = make(None, encoder.default, json.encoder.encode_basestring_ascii, None,
                      ":", ",", False, False, True)  # fmt: skip

    def encode(value) -> str:
        return "".join(iterencode(value, 0))

    return encode


encode_properties = _properties_encoder()

# The columns record_events writes, in the order of the rows it builds.
_COLUMNS = (
    "occurred_at", "day", "recorded_at", "partner_id", "user_id", "kind", "subject_type",
    "subject_id", "properties", "idempotency_key",
)  # fmt: skip
_FIELDS = ("id", *_COLUMNS)


def _subject_of(subject: models.Model | None) -> tuple[str, str]:
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


def _partner_id_of(user) -> int | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.partner_id if membership is not None else None


def _check_payload(kind: str, properties) -> None:
    """An event of a PRM kind must match its declaration (``events.choices.PAYLOADS``). With
    ``PRM_EVENTS_STRICT`` (tests) a mismatch raises; otherwise it is logged and the event is
    recorded all the same: a writer never fails because of its payload's shape."""
    errors = payload_errors(kind, properties)
    if not errors:
        return
    if conf.strict_payloads():
        raise EventError(" ".join(errors))
    logger.warning("event payload does not match its declaration: %s", " ".join(errors))


def _build(new: NewEvent, now: datetime) -> tuple[tuple, str]:
    """Validate one event; returns its row (``_COLUMNS`` with ``recorded_at`` = now) and the JSON
    of its properties."""
    kind = new.kind
    if not KIND_PATTERN.match(kind) or len(kind) > 64:
        raise EventError(f"Event kind {kind!r} must look like 'area.verb' (lower case).")
    if not new.key or len(new.key) > MAX_KEY_LENGTH:
        raise EventError(f"An idempotency key of 1 to {MAX_KEY_LENGTH} characters is required.")
    occurred_at = new.occurred_at or now
    if timezone.is_naive(occurred_at):
        raise EventError("occurred_at must be timezone-aware.")
    encoded = new.properties_json
    if encoded is None:
        try:
            encoded = encode_properties(new.properties)
        except (TypeError, ValueError, RecursionError) as exc:
            raise EventError(f"Event properties must be JSON: {exc}") from exc
    if len(encoded) > MAX_PROPERTIES_BYTES or not isinstance(new.properties, dict):
        raise EventError(
            f"Event properties must be a JSON object under {MAX_PROPERTIES_BYTES} bytes."
        )
    _check_payload(kind, new.properties)
    row = (
        occurred_at, occurred_at.astimezone(UTC).date(), now, new.partner_id, new.user_id, kind,
        str(new.subject_type), str(new.subject_id), new.properties, new.key,
    )  # fmt: skip
    return row, encoded


def _pg_array(values: Iterable[Any]) -> str:
    """A Postgres array literal of text ``values`` (None is NULL): one string parameter per column
    instead of one parameter per value, which psycopg2 would adapt one by one (most of the
    client's time for a 1,000-event batch)."""
    return (
        "{"
        + ",".join(
            "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        )
        + "}"
    )


def _pg_plain_array(values: Iterable[Any]) -> str:
    """An array literal of values whose text needs no quoting: numbers, ISO dates and times."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _store_sql_head(chunk: list[tuple[tuple, str]]) -> tuple[str, list[str]]:
    """The part of the recording statement both Postgres stores share, and its parameters: the
    input rows, each with its event id drawn up front, and the claim of their keys in
    ``EventKey`` (``claimed``: the ids of the events to insert).

    The rows travel as one array per column, ``unnest``-ed on the server (no 10,000-placeholder
    VALUES list to adapt, send and parse); the sequence is looked up once per statement, not per
    row. Each input row draws its id up front (the CTE is materialised once), so the events of
    the claimed keys are found by id: a hash semi-join on bigint, not a merge join of text keys
    that sorted the input and the claimed keys (EXPLAIN ANALYZE in docs/ingestion.md). The ids of
    keys already stored are drawn and left unused."""
    occurred, day, partner, user, kind, subject_type, subject_id, properties, key = (
        [] for _ in range(9)
    )
    for row, encoded in chunk:
        occurred.append(row[0].isoformat())
        day.append(row[1].isoformat())
        partner.append(row[3])
        user.append(row[4])
        kind.append(row[5])
        subject_type.append(row[6])
        subject_id.append(row[7])
        properties.append(encoded)
        key.append(row[9])
    event, event_key = Event._meta.db_table, EventKey._meta.db_table
    sql = f"""
        WITH input AS MATERIALIZED (
            SELECT nextval((SELECT pg_get_serial_sequence('{event}', 'id'))::regclass) AS id, u.*
            FROM unnest(%s::timestamptz[], %s::date[], %s::bigint[], %s::bigint[],
                        %s::text[], %s::text[], %s::text[], %s::jsonb[], %s::text[])
                 AS u (occurred_at, day, partner_id, user_id, kind, subject_type, subject_id,
                       properties, idempotency_key)),
        claimed AS (
            INSERT INTO {event_key} (key, event_id, day)
            SELECT idempotency_key, id, day
            FROM input
            ORDER BY idempotency_key  -- one lock order for every writer: no deadlock
            ON CONFLICT (key) DO NOTHING
            RETURNING event_id)"""  # noqa: S608 -- table names and placeholders only
    params = [
        *map(_pg_plain_array, (occurred, day, partner, user)),
        *map(_pg_array, (kind, subject_type, subject_id, properties, key)),
    ]
    return sql, params


# The insert of the events of the claimed keys (after ``_store_sql_head``; %s: recorded_at).
_INSERT_CLAIMED = f"""
    INSERT INTO {Event._meta.db_table} (id, {", ".join(_COLUMNS)})
    SELECT i.id, i.occurred_at, i.day, %s, i.partner_id, i.user_id, i.kind,
           i.subject_type, i.subject_id, i.properties, i.idempotency_key
    FROM input i
    WHERE i.id IN (SELECT event_id FROM claimed)
    ORDER BY i.id"""  # noqa: S608 -- table names and placeholders only


def _store_postgres(chunk: list[tuple[tuple, str]], now: datetime) -> list[Event]:
    """One statement: claim each key in ``EventKey`` (``ON CONFLICT DO NOTHING``, so a key
    already stored, or being stored by a concurrent writer that then commits, is skipped) with a
    new event id, and insert the events of exactly the claimed keys with those ids. The statement
    holds the event table's ROW EXCLUSIVE lock before it draws an id, as the rollup's safe upper
    bound requires (every table a statement writes is locked before it runs).

    Returns the stored events (ids set), as model instances for the consumers."""
    head, params = _store_sql_head(chunk)
    with connection.cursor() as cursor:
        cursor.execute(f"{head}{_INSERT_CLAIMED} RETURNING id, idempotency_key", [*params, now])
        ids = {k: i for i, k in cursor.fetchall()}
    return _loaded_events(
        connection.alias, [(ids[row[9]], *row) for row, _ in chunk if row[9] in ids]
    )


def _store_postgres_later(chunk: list[tuple[tuple, str]], now: datetime) -> int:
    """``_store_postgres`` for consumers after commit (``consumers_later``): the same statement
    also writes the ``PendingDispatch`` row of the new events (their ids in order; none when
    every key was already stored) and returns only how many they were. No rows come back to
    Python and no model instances are built: the consumers load the events in the task."""
    head, params = _store_sql_head(chunk)
    pending = PendingDispatch._meta.db_table
    sql = f"""{head},
        inserted AS ({_INSERT_CLAIMED}
            RETURNING id)
        INSERT INTO {pending} (event_ids, recorded_at)
        SELECT jsonb_agg(id ORDER BY id), %s FROM inserted
        HAVING count(*) > 0
        RETURNING jsonb_array_length(event_ids)"""  # noqa: S608 -- table names, placeholders
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, now])
        row = cursor.fetchone()
    return row[0] if row else 0


def _loaded_events(alias: str, rows: list[tuple]) -> list[Event]:
    """``Event.from_db(alias, _FIELDS, row)`` for each row (``_FIELDS``' order, the model's
    concrete fields: tested), without ``Model.__init__``'s per-field ``setattr`` through the
    descriptors: that was ~7 ms of a 1,000-event batch, this ~1 ms. The instances are the same
    (same ``__dict__``, a loaded ``_state``; tested). When something listens to ``pre_init`` /
    ``post_init`` for events, ``from_db`` runs so the listeners see every instance."""
    if signals.pre_init.has_listeners(Event) or signals.post_init.has_listeners(Event):
        return [Event.from_db(alias, _FIELDS, row) for row in rows]
    new, events = Event.__new__, []
    for row in rows:
        event = new(Event)
        state = ModelState()
        state.adding, state.db = False, alias
        attributes = event.__dict__
        attributes.update(zip(_FIELDS, row, strict=True))
        attributes["_state"] = state
        events.append(event)
    return events


def _store_portable(chunk: list[tuple[tuple, str]], now: datetime) -> list[Event]:
    """SQLite (development and tests): writers are serialised by the database lock, so a check
    of the stored keys, then the inserts, cannot race; a concurrent duplicate would fail on the
    ``EventKey`` primary key and roll the batch back, never store a second copy."""
    keys = [row[9] for row, _ in chunk]
    existing = set(EventKey.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [
        Event(**dict(zip(_COLUMNS, row, strict=True))) for row, _ in chunk if row[9] not in existing
    ]
    Event.objects.bulk_create(fresh)
    EventKey.objects.bulk_create(
        [EventKey(key=e.idempotency_key, event_id=e.pk, day=e.day) for e in fresh]
    )
    return fresh


@transaction.atomic
def record_events(
    events: Iterable[NewEvent], *, batch_size: int = 1000, consumers_later: bool = False
) -> int:
    """Store a batch of events once each; returns how many were new.

    A key already stored (or repeated inside the batch) is skipped, never updated: the first
    write wins, whatever the retry's timestamp or properties. Validation happens before anything
    is written, so a bad item stores nothing. The new events of each chunk of ``batch_size`` go to
    the registered consumers (``events.consumers.dispatch``), each in its own savepoint: a
    consumer that fails is logged and caught up later, never fails or rolls back this write.

    ``consumers_later`` (the ingestion API): the consumers get the new events after this
    transaction commits, from a task (``consumers.dispatch_later``), not on the caller's path;
    the note of what they still have to do commits with the events.
    """
    now = timezone.now()
    built: dict[str, tuple[tuple, str]] = {}
    for new in events:
        row = _build(new, now)
        built.setdefault(new.key, row)
    if not built:
        return 0
    new_total = 0
    later: list[int] = []
    items = list(built.values())
    postgres = connection.vendor == "postgresql"
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        if postgres and consumers_later:
            # the statement writes the PendingDispatch row itself (one per chunk)
            new_total += _store_postgres_later(chunk, now)
            continue
        fresh = _store_postgres(chunk, now) if postgres else _store_portable(chunk, now)
        if fresh and consumers_later:
            later.extend(e.pk for e in fresh)
        elif fresh:
            consumers.dispatch(fresh)
        new_total += len(fresh)
    if later:
        consumers.dispatch_later(later)
    elif postgres and consumers_later and new_total:
        consumers.wake_dispatcher()
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
