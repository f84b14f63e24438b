"""Events of the floor below: accounts (the user, sign-in) cannot import the log, so the log
listens to Django's auth signals and records them. Logins are recorded from the start (adoption
counts active users and days)."""

import uuid

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from events.choices import EventKind
from events.services import record_event


@receiver(user_logged_in, dispatch_uid="events.record_login")
def record_login(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    record_event(
        kind=EventKind.LOGIN,
        # One event per login session: a replayed signal for the same session is not a new login.
        key=f"auth.login:{user.pk}:{session_key or uuid.uuid4().hex}",
        user=user,
        subject=user,
        properties={"method": "session"},
    )
