from celery import shared_task

from console import bulk_run, dashboard_cache, digest


@shared_task(acks_late=True)
def rebuild_dashboard_page(
    querystring: str, user_id: int | None = None, language: str | None = None
) -> str:
    """Build one program dashboard page into the cache (queued when a request found it stale, and
    after each rollup that changed data). Safe twice: a page already current is left alone."""
    request = dashboard_cache.PageRequest(querystring, user_id)
    if language:
        request = dashboard_cache.PageRequest(querystring, user_id, language)
    return dashboard_cache.rebuild(request)


@shared_task(acks_late=True)
def run_bulk_action(action_id: int) -> None:
    """Run a bulk action of the partner list queued by ``console.bulk_run.bulk_action_start`` (more
    partners than a request should hold). Claimed by a conditional update: safe twice."""
    bulk_run.bulk_action_run(action_id=action_id)


@shared_task
def start_waiting_bulk_actions() -> int:
    """Queue again the bulk actions still waiting after their task should have started."""
    return bulk_run.bulk_actions_requeue()


@shared_task
def send_weekly_digests() -> int:
    """Hourly: the channel managers whose local time is Monday 07:00-10:59 and who have not had
    this week's digest get it (one ``WeeklyDigest`` per manager and week: reruns send nothing)."""
    return digest.send_weekly_digests()
