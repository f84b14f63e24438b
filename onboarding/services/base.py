from django.conf import settings
from django.urls import reverse

from kernel.outbox import email_queue


class OnboardingError(Exception):
    """A refused onboarding operation; the message is shown to the user as is."""


def absolute_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def email_on_commit(
    *, key: str, template: str, subject: str, recipients: list[str], context: dict
) -> None:
    """Queue ``templates/emails/<template>.txt`` in the outbox (``kernel.outbox.email_queue``):
    sent once the surrounding transaction commits (a rolled back action must not have told
    anybody anything), once per ``key``."""
    email_queue(key=key, to=recipients, subject=subject, template=template, context=context)
