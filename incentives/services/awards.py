"""Points and badges from events. Rules are evaluated from the event log only, idempotently:

- live: ``incentives.receivers.award_from_events`` runs inside the recording transaction with the
  events that were new;
- catch-up: ``awards_catch_up`` (every few minutes, prm/schedule.py) scans events above a
  watermark, up to the event log's safe bound (``events.cursor``), in case the live path failed
  (it never blocks the recording of an event);
- backfill: ``awards_backfill`` (``manage.py incentives_backfill``) re-evaluates history, e.g.
  after a rule was added.

All three call ``awards_evaluate``, which processes events in id order, locks the score row of
each partner it touches (so "first only" and caps hold under concurrency) and skips any (rule,
event) pair already awarded; the unique constraint on ``Award(rule, event_id)`` is the last line.
So the same events give the same awards however often, and by whichever path, they are seen.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from events.choices import EventKind
from events.cursor import EventsBusy, events_since, safe_upper_bound
from events.models import Event
from events.services import NewEvent, record_events
from incentives.choices import AWARD_EVENT_KINDS, AwardScope
from incentives.models import Award, AwardCursor, AwardRule, PartnerScore

logger = logging.getLogger(__name__)

CURSOR = "awards"


def active_rules_by_kind() -> dict[str, list[AwardRule]]:
    by_kind: dict[str, list[AwardRule]] = defaultdict(list)
    for rule in AwardRule.objects.filter(is_active=True).select_related("badge").order_by("pk"):
        if rule.event_kind not in AWARD_EVENT_KINDS:
            by_kind[rule.event_kind].append(rule)
    return by_kind


def _scope_key(rule: AwardRule, partner_id: int, user_id: int | None) -> tuple:
    return (rule.pk, partner_id, user_id if rule.scope == AwardScope.USER else None)


def _lock_scores(partner_ids: set[int]) -> None:
    """Create missing score rows, then lock them in id order (a fixed order: no deadlocks between
    two evaluations touching the same partners)."""
    PartnerScore.objects.bulk_create(
        [PartnerScore(partner_id=pk) for pk in sorted(partner_ids)], ignore_conflicts=True
    )
    list(
        PartnerScore.objects.select_for_update()
        .filter(partner_id__in=partner_ids)
        .order_by("partner_id")
        .values_list("partner_id", flat=True)
    )


@transaction.atomic
def awards_evaluate(events: Iterable[Event], *, rules_by_kind=None) -> list[Award]:
    """Award what ``events`` (stored events, with ids) earn under the active rules. Returns the new
    awards; an event already awarded by a rule is skipped."""
    rules_by_kind = active_rules_by_kind() if rules_by_kind is None else rules_by_kind
    relevant = sorted(
        (e for e in events if e.partner_id and e.kind in rules_by_kind),
        key=lambda e: e.pk,
    )
    if not relevant:
        return []
    from partners.models import Partner

    partner_ids = {e.partner_id for e in relevant}
    programs = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "program_id"))
    _lock_scores(partner_ids)
    rules = {rule.pk: rule for kind in {e.kind for e in relevant} for rule in rules_by_kind[kind]}
    # Under the locks: what these rules already gave these partners.
    done = set(
        Award.objects.filter(rule_id__in=rules, event_id__in=[e.pk for e in relevant]).values_list(
            "rule_id", "event_id"
        )
    )
    counts: dict[tuple, int] = defaultdict(int)
    limited = [pk for pk, rule in rules.items() if rule.limit is not None]
    if limited:
        rows = (
            Award.objects.filter(rule_id__in=limited, partner_id__in=partner_ids)
            .values("rule_id", "partner_id", "user_id")
            .annotate(n=Count("id"))
        )
        for row in rows:
            rule = rules[row["rule_id"]]
            counts[_scope_key(rule, row["partner_id"], row["user_id"])] += row["n"]

    new: list[Award] = []
    for event in relevant:
        for rule in rules_by_kind[event.kind]:
            if (rule.pk, event.pk) in done:
                continue
            if rule.program_id and programs.get(event.partner_id) != rule.program_id:
                continue
            if rule.scope == AwardScope.USER and not event.user_id:
                continue
            key = _scope_key(rule, event.partner_id, event.user_id)
            if rule.limit is not None and counts[key] >= rule.limit:
                continue
            counts[key] += 1
            new.append(
                Award(
                    rule=rule,
                    event_id=event.pk,
                    event_kind=event.kind,
                    partner_id=event.partner_id,
                    user_id=event.user_id,
                    points=rule.points,
                    badge=rule.badge,
                    occurred_at=event.occurred_at,
                )
            )
    if not new:
        return []
    Award.objects.bulk_create(new)
    totals: dict[int, int] = defaultdict(int)
    for award in new:
        totals[award.partner_id] += award.points
    for partner_id, points in totals.items():
        if points:
            PartnerScore.objects.filter(partner_id=partner_id).update(
                points=F("points") + points, updated_at=timezone.now()
            )
    record_events(_award_events(new))
    return new


def _award_events(awards: list[Award]) -> Iterable[NewEvent]:
    for award in awards:
        common = {
            "rule": award.rule_id,
            "event": award.event_id,
            "event_kind": award.event_kind,
        }
        if award.points:
            yield NewEvent(
                kind=EventKind.POINTS_AWARDED,
                key=f"points.awarded:{award.rule_id}:{award.event_id}",
                partner_id=award.partner_id,
                user_id=award.user_id,
                occurred_at=award.occurred_at,
                subject_type="incentives.awardrule",
                subject_id=str(award.rule_id),
                properties=common | {"points": award.points},
            )
        if award.badge_id:
            yield NewEvent(
                kind=EventKind.BADGE_EARNED,
                key=f"badge.earned:{award.rule_id}:{award.event_id}",
                partner_id=award.partner_id,
                user_id=award.user_id,
                occurred_at=award.occurred_at,
                subject_type="incentives.badge",
                subject_id=str(award.badge_id),
                properties=common | {"badge": award.badge.slug},
            )


def awards_for_new_events(events: list[Event]) -> int:
    """The live path (signal): ``events`` were just stored by ``record_events``, which gives them
    their ids (Postgres: ``RETURNING``; SQLite: ``bulk_create``), so they are evaluated as they
    are. An event without an id is read back by its key (same transaction): the event table has
    no index on the key (``EventKey`` holds it), so that read scans every partition and is kept
    for such events only: with the ids, a deal's submission no longer scans millions of events."""
    rules_by_kind = active_rules_by_kind()
    relevant = [e for e in events if e.partner_id and e.kind in rules_by_kind]
    if not relevant:
        return 0
    stored = [e for e in relevant if e.pk is not None]
    keys = [e.idempotency_key for e in relevant if e.pk is None]
    if keys:
        stored += Event.objects.filter(idempotency_key__in=keys)
    return len(awards_evaluate(stored, rules_by_kind=rules_by_kind))


def _scan(after: int, upto: int | None, rules_by_kind, batch_size: int):
    """Relevant events with ``after < id ≤ upto`` in id order, a batch at a time."""
    qs = Event.objects.filter(kind__in=list(rules_by_kind), partner_id__isnull=False)
    while True:
        chunk = qs.filter(id__gt=after)
        if upto is not None:
            chunk = chunk.filter(id__lte=upto)
        rows = list(chunk.order_by("id")[:batch_size])
        if not rows:
            return
        yield rows
        after = rows[-1].pk


def awards_catch_up(*, now=None, batch_size: int = 5000, max_batches: int = 20) -> int:
    """Evaluate the events above the watermark, read through the event log's cursor primitive
    (``events.cursor.events_since``): only events below the safe bound, which no open
    transaction can undercut, so the watermark never passes an event still being written. Each
    batch's awards and the watermark move commit together under the cursor row's lock (an
    overlapping run waits for it). When writers keep the event table busy, nothing moves and the
    next run catches up."""
    now = now or timezone.now()
    try:
        upper = safe_upper_bound()  # outside the transactions below: its lock is brief
    except EventsBusy as busy:
        logger.info("award catch-up skipped: %s", busy)
        return 0
    created = 0
    for _ in range(max_batches):
        with transaction.atomic():
            cursor, _ = AwardCursor.objects.get_or_create(name=CURSOR)
            cursor = AwardCursor.objects.select_for_update().get(pk=cursor.pk)
            rules_by_kind = active_rules_by_kind()
            batch = events_since(
                cursor.watermark,
                limit=batch_size,
                kinds=list(rules_by_kind),
                where=Q(partner_id__isnull=False),
                upper=upper,
            )
            if batch.events:
                created += len(awards_evaluate(batch.events, rules_by_kind=rules_by_kind))
            cursor.watermark, cursor.last_run_at = max(batch.cursor, cursor.watermark), now
            cursor.save(update_fields=["watermark", "last_run_at"])
        if not batch.more:
            break
    return created


def awards_backfill(*, reset: bool = False, batch_size: int = 5000) -> int:
    """Evaluate every historic event against the active rules. ``reset`` first removes every award
    and zeroes the scores, so the result is what the rules give from history alone (award events
    already recorded keep their keys and are not recorded twice)."""
    if reset:
        with transaction.atomic():
            Award.objects.all().delete()
            PartnerScore.objects.update(points=0)
    rules_by_kind = active_rules_by_kind()
    created = 0
    if not rules_by_kind:
        return 0
    # The catch-up's watermark may only move to a safe bound read before the scan (every event
    # below it had committed, so the scan saw it); if writers keep the table busy, history is
    # still evaluated and the watermark is left to the catch-up.
    try:
        upto, safe = safe_upper_bound(), True
    except EventsBusy:
        upto, safe = Event.objects.aggregate(m=Max("id"))["m"] or 0, False
    for rows in _scan(0, upto, rules_by_kind, batch_size):
        created += len(awards_evaluate(rows, rules_by_kind=rules_by_kind))
    with transaction.atomic():
        cursor, _ = AwardCursor.objects.select_for_update().get_or_create(name=CURSOR)
        if safe and cursor.watermark < upto:
            cursor.watermark = upto
            cursor.save(update_fields=["watermark"])
    return created


@transaction.atomic
def leaderboard_set_opt_out(*, partner, actor, opt_out: bool) -> PartnerScore:
    """A partner admin hides (or shows) their partner on the program leaderboard."""
    from incentives.permissions import is_partner_admin_of

    if not is_partner_admin_of(actor, partner.pk):
        raise PermissionError("Only your partner's admins can change this.")
    PartnerScore.objects.get_or_create(partner=partner)
    score = PartnerScore.objects.select_for_update().get(partner=partner)
    score.leaderboard_opt_out = opt_out
    score.save(update_fields=["leaderboard_opt_out", "updated_at"])
    return score
