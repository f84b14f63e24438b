from celery import shared_task

from notifications import services


@shared_task(acks_late=True)
def send_digests() -> int:
    """Hourly: each person's daily digest, once their local day reaches the digest hour."""
    return services.digests_send()
