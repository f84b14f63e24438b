"""Periodic certificate upkeep. Thin and idempotent: the services keep a record of what was sent
(CertificateReminder rows, Certificate.expired_recorded_at), so a rerun sends nothing twice."""

import logging

from celery import shared_task
from django.utils import timezone

from enablement import selectors, services

logger = logging.getLogger(__name__)


@shared_task
def send_certificate_reminders() -> dict[str, int]:
    """Remind holders whose certificate entered its renewal window; record expiries."""
    now = timezone.now()
    reminded = expired = 0
    for certificate in selectors.certificates_due_for_reminder(now=now):
        reminded += services.certificate_send_renewal_reminder(certificate=certificate)
    for certificate in selectors.certificates_newly_expired(now=now).iterator(chunk_size=500):
        expired += services.certificate_record_expiry(certificate=certificate)
    if reminded or expired:
        logger.info("certificates: %d renewal reminders, %d expiries", reminded, expired)
    return {"reminded": reminded, "expired": expired}
