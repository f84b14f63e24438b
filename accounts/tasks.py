import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def clear_expired_sessions() -> int:
    """Delete expired database sessions (what `manage.py clearsessions` does), on the schedule."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("cleared %d expired sessions", deleted)
    return deleted
