"""Events of the floor below: accounts (the user, sign-in, vendor staff) cannot import the log,
so the log listens to Django's auth signals and to accounts' own, and records them. Logins are
recorded from the start (adoption counts active users and days)."""

import uuid

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.signals import staff_invited
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


@receiver(staff_invited, dispatch_uid="events.record_staff_invited")
def record_staff_invited(sender, actor, user, role, resent, key, **kwargs):
    """A vendor admin invited a staff member (or sent the invitation again): in the invitation's
    transaction, keyed by the invitation's own key (one event per sending). No partner."""
    record_event(
        kind=EventKind.STAFF_INVITED,
        key=f"staff.invited:{key}",
        user=actor,
        subject=user,
        properties={"role": role, "resent": bool(resent)},
    )
