from celery import shared_task

from console import dashboard_cache


@shared_task(acks_late=True)
def rebuild_dashboard_page(querystring: str, user_id: int | None = None) -> str:
    """Build one program dashboard page into the cache (queued when a request found it stale, and
    after each rollup that changed data). Safe twice: a page already current is left alone."""
    return dashboard_cache.rebuild(dashboard_cache.PageRequest(querystring, user_id))
