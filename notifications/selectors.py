"""Reads of a person's own notifications: nobody sees another person's (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.choices import KINDS, default_channel
from notifications.models import Notification, Preference


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notification_get_for_user(*, user, pk: int) -> Notification:
    return get_object_or_404(Notification, user=user, pk=pk)


def unread_count(*, user) -> int:
    """The bell's count: one query on the partial index of unread rows."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preferences_for_user(*, user) -> dict[str, str]:
    """Every known kind (and any kind the person was notified of) → the channel in force."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind) or default_channel(kind) for kind in KINDS} | chosen
