"""The outbox hook: every email the product queues also lands in each recipient's in-app list,
and a recipient whose preference for that kind is not an email one is left off the email.

Three queries however many emails: the recipients' accounts, their preferences for these kinds,
and one insert of the notices (a notice already there, same person and key, is kept).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model

from kernel.outbox import OutboxHook
from notifications.choices import (
    DIGEST,
    EMAIL_CHANNELS,
    IN_APP_CHANNELS,
    Channel,
    default_channel,
)
from notifications.models import Notification, Preference

URL = re.compile(r"https?://\S+")
SUMMARY_CHARS = 600


def _title(subject: str) -> str:
    prefix = f"[{settings.SITE_NAME}] "
    return subject[len(prefix) :] if subject.startswith(prefix) else subject


def _link(body: str) -> str:
    """The first link into the site in the email, as a path (the in-app notice opens it)."""
    site = settings.SITE_URL.rstrip("/")
    for match in URL.finditer(body):
        url = match.group(0).rstrip(".,;:)>\"'")
        if url.startswith(site + "/"):
            return url[len(site) :][:500]
    return ""


def _summary(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


class NotificationsHook(OutboxHook):
    def emails_queued(self, emails) -> dict[str, set[str]]:
        emails = [e for e in emails if e.template and e.template != DIGEST]
        if not emails:
            return {}
        given = {a for e in emails for a in e.to}
        users = {
            u.email.lower(): u
            for u in get_user_model()
            .objects.filter(email__in=given | {a.lower() for a in given}, is_active=True)
            .only("pk", "email")
        }
        if not users:
            return {}
        channels = {
            (user_id, kind): channel
            for user_id, kind, channel in Preference.objects.filter(
                user__in=[u.pk for u in users.values()],
                kind__in={e.template for e in emails},
            ).values_list("user_id", "kind", "channel")
        }
        skip: dict[str, set[str]] = {}
        notices = []
        for email in emails:
            for address in email.to:
                user = users.get(address.lower())
                if user is None:
                    continue
                channel = channels.get((user.pk, email.template)) or default_channel(email.template)
                if channel not in EMAIL_CHANNELS:
                    skip.setdefault(email.key, set()).add(address)
                if channel in IN_APP_CHANNELS:
                    notices.append(
                        Notification(
                            user=user,
                            kind=email.template,
                            key=email.key,
                            title=_title(email.subject),
                            body=_summary(email.body),
                            link=_link(email.body),
                            digest=channel == Channel.DIGEST,
                        )
                    )
        if notices:
            Notification.objects.bulk_create(notices, ignore_conflicts=True)
        return skip


HOOK = NotificationsHook()
