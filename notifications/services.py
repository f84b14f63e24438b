"""Writes: marking read, preferences, and the daily digest."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.outbox import email_queue
from notifications.choices import DIGEST, KINDS, Channel
from notifications.models import DigestRun, Notification, Preference

logger = logging.getLogger(__name__)

DIGEST_HOUR = 17  # local time: the digest goes out at the first run from 17:00 in the user's zone


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_set(*, user, channels: dict[str, str]) -> dict[str, str]:
    """Store the person's channel per kind (only known kinds and channels; the default needs no
    row). Refuses an unknown kind or channel with a ValidationError keyed by the kind."""
    errors = {}
    for kind, channel in channels.items():
        if kind not in KINDS:
            errors[kind] = _("Unknown kind of notice.")
        elif channel not in Channel.values:
            errors[kind] = _("Choose one of the offered channels.")
    if errors:
        raise ValidationError(errors)
    for kind, channel in channels.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
    return channels


def _local_now(user, now: datetime) -> datetime:
    try:
        zone = ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return now.astimezone(zone)


def digest_send_for_user(*, user, now: datetime | None = None) -> bool:
    """Send the person's daily digest if it is past ``DIGEST_HOUR`` in their time zone, they have
    notices waiting for it and none went out on their local day. Idempotent: the DigestRun row
    (unique per person and day) is the claim; two runs at once send one email."""
    now = now or timezone.now()
    local = _local_now(user, now)
    if local.hour < DIGEST_HOUR:
        return False
    day: date = local.date()
    with transaction.atomic():
        notices = list(
            Notification.objects.select_for_update()
            .filter(user=user, digest=True, digested_on__isnull=True, created_at__lte=now)
            .order_by("created_at", "pk")[:200]
        )
        if not notices:
            return False
        try:
            with transaction.atomic():
                DigestRun.objects.create(user=user, day=day)
        except IntegrityError:
            return False  # already sent today: the rest waits for tomorrow's
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(digested_on=day)
        email_queue(
            key=f"notifications.digest:{user.pk}:{day.isoformat()}",
            to=[user.email],
            subject=lambda: _("Your notifications of %(day)s") % {"day": day.isoformat()},
            template=DIGEST,
            context={
                "user": user,
                "day": day.isoformat(),
                "notices": notices,
                "list_url": reverse("notifications:list"),
                "preferences_url": reverse("notifications:preferences"),
            },
        )
    return True


def digests_send(*, now: datetime | None = None) -> int:
    """Every person with notices waiting for a digest (the hourly task)."""
    now = now or timezone.now()
    user_ids = set(
        Notification.objects.filter(digest=True, digested_on__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        try:
            sent += digest_send_for_user(user=user, now=now)
        except Exception:
            logger.exception("daily digest failed for user %s", user.pk)
    return sent
