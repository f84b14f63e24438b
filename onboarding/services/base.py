from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse


class OnboardingError(Exception):
    """A refused onboarding operation; the message is shown to the user as is."""


def absolute_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def email_on_commit(*, template: str, subject: str, recipients: list[str], context: dict) -> None:
    """Send ``templates/emails/<template>.txt`` once the surrounding transaction commits (a rolled
    back action must not have told anybody anything)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    context = {"site_name": settings.SITE_NAME, **context}

    def send():
        send_mail(
            subject=f"[{settings.SITE_NAME}] {subject}",
            message=render_to_string(f"emails/{template}.txt", context),
            from_email=None,
            recipient_list=recipients,
        )

    transaction.on_commit(send)
