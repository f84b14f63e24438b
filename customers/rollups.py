"""The user-adoption rollup: raw ingested events → ``CustomerDayUser`` (who was active, per
account and UTC day) → ``CustomerAccountDay`` (how many). Owned by this app; metrics.rollups is
not involved.

Safety, in short (the event log's one cursor primitive, ``events.cursor``, see docs/events.md):
- The upper bound of a run is ``events.cursor.safe_upper_bound()``, read in its own
  transaction: every event with an id at or below it has committed; later writers get higher
  ids. Its lock is released before the fold, so ingestion is blocked for milliseconds.
- The events are read in batches with ``events.cursor.events_since``; each batch's fold and
  the watermark move happen in one transaction that holds the state row (``SELECT … FOR UPDATE
  NOWAIT``): an overlapping run gives up; a crashed run loses only its unfinished batch.
- Folding is idempotent by construction: active users are inserted as a set (``ON CONFLICT DO
  NOTHING``) and each touched (account, day) count is recomputed from that set, so re-reading an
  event (a rebuild over the same days, a redelivered task) changes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import DatabaseError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from customers.choices import SUBJECT_TYPE, USER_PROPERTY
from customers.models import (
    AdoptionRollupState,
    CustomerAccount,
    CustomerAccountDay,
    CustomerDayUser,
)
from events.cursor import EventsBusy, events_since, safe_upper_bound
from events.models import Event
from kernel.query import parse_id

STATE = "user_adoption"
CHUNK = 5000


class AdoptionRollupBusy(Exception):
    pass


@dataclass
class AdoptionRollupResult:
    ran: bool
    events: int = 0
    buckets: int = 0
    reason: str = ""


def _safe_upper_bound() -> int:
    try:
        return safe_upper_bound()
    except EventsBusy as busy:
        raise AdoptionRollupBusy(str(busy)) from busy


def _lock_state() -> AdoptionRollupState:
    AdoptionRollupState.objects.get_or_create(name=STATE)
    try:
        return AdoptionRollupState.objects.select_for_update(nowait=True).get(name=STATE)
    except DatabaseError as exc:
        raise AdoptionRollupBusy("another adoption rollup is running") from exc


# The events the rollup reads: those about a customer account.
ABOUT_ACCOUNTS = Q(subject_type=SUBJECT_TYPE)


def _fold(events: Iterable[Event]) -> tuple[int, int]:
    """Insert the active (account, day, user) triples of these events (each about a customer
    account) and recount their buckets. Returns (events read, buckets recounted)."""
    seen = 0
    triples: set[tuple[int, date, str]] = set()
    for event in events:
        seen += 1
        account_id = parse_id(event.subject_id)
        day, user = event.day, (event.properties or {}).get(USER_PROPERTY)
        if user and account_id is not None:
            triples.add((account_id, day, str(user)[:100]))
    if not triples:
        return seen, 0
    partner_of = dict(
        CustomerAccount.objects.filter(pk__in={t[0] for t in triples}).values_list(
            "pk", "partner_id"
        )
    )  # an account deleted since its events were ingested is skipped
    triples = {t for t in triples if t[0] in partner_of}
    CustomerDayUser.objects.bulk_create(
        [CustomerDayUser(account_id=a, day=d, user=u) for a, d, u in triples],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    buckets = {(a, d) for a, d, _ in triples}
    counts = (
        CustomerDayUser.objects.filter(
            account_id__in={a for a, _ in buckets}, day__in={d for _, d in buckets}
        )
        .values_list("account_id", "day")
        .annotate(n=Count("*"))
        .order_by()
    )
    CustomerAccountDay.objects.bulk_create(
        [
            CustomerAccountDay(account_id=a, partner_id=partner_of[a], day=d, active_users=n)
            for a, d, n in counts
            if (a, d) in buckets
        ],
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=["active_users"],
        batch_size=CHUNK,
    )
    return seen, len(buckets)


def adoption_rollup() -> AdoptionRollupResult:
    """Fold the events recorded since the last run, ``CHUNK`` at a time
    (``events.cursor.events_since``), each batch and its watermark move in one transaction.
    Safe to run twice or concurrently."""
    try:
        upper = _safe_upper_bound()  # outside the transaction: the bound's lock is brief
        events = buckets = 0
        while True:
            with transaction.atomic():
                state = _lock_state()
                batch = events_since(
                    state.watermark, limit=CHUNK, where=ABOUT_ACCOUNTS, upper=upper
                )
                if batch.cursor == state.watermark:
                    return AdoptionRollupResult(ran=True, events=events, buckets=buckets)
                seen, touched = _fold(batch.events)
                events, buckets = events + seen, buckets + touched
                state.watermark = batch.cursor
                state.last_success_at = timezone.now()
                state.last_events = events
                state.save()
            if not batch.more:
                return AdoptionRollupResult(ran=True, events=events, buckets=buckets)
    except AdoptionRollupBusy as exc:
        return AdoptionRollupResult(ran=False, reason=str(exc))


def adoption_recompute(
    *, since: date | None = None, until: date | None = None
) -> AdoptionRollupResult:
    """Rebuild the summary rows of the days in [since, until] (all days when both are None) from
    the raw events. A full rebuild also moves the watermark; a partial one leaves it, since
    folding an event twice is harmless."""
    upper = _safe_upper_bound()
    with transaction.atomic():
        state = _lock_state()
        days = {}
        if since is not None:
            days["day__gte"] = since
        if until is not None:
            days["day__lte"] = until
        CustomerDayUser.objects.filter(**days).delete()
        CustomerAccountDay.objects.filter(**days).delete()
        events, buckets = _fold(
            Event.objects.filter(ABOUT_ACCOUNTS, pk__lte=upper, **days)
            .order_by()
            .iterator(chunk_size=CHUNK)
        )
        if not days:
            state.watermark = upper
        state.last_success_at = timezone.now()
        state.save()
    return AdoptionRollupResult(ran=True, events=events, buckets=buckets)
