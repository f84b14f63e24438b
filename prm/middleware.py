"""Database outages answer 503 with Retry-After, not 500 (RELIABILITY.md I1, the Postgres restart
drill in docs/reliability.md).

While Postgres restarts, is stopped or was killed, a request's queries raise
``OperationalError`` (cannot connect, "the database system is starting up", the connection
was closed mid-query) or ``InterfaceError`` (a connection already closed). Nothing of the
request's transaction was committed, or — when the connection died during COMMIT — the client
cannot know: either way the client must retry, and the event API's idempotency keys make the
retry store each event once. So the answer is a retryable **503** with ``Retry-After`` (JSON for
the API, a short text page otherwise). Django closes the broken connection at the end of the
request (this middleware already does), and ``CONN_HEALTH_CHECKS`` replaces a dead persistent
one before the next request uses it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

MESSAGE = "The database is unavailable for a moment. Retry later."


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable: %s %s -> 503: %s",
            request.method,
            request.path,
            str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception),
        )
        # Drop a broken connection now (request_finished would too): the next request reconnects.
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:
                conn.close_if_unusable_or_obsolete()
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": MESSAGE}, status=503)
        else:
            response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(settings.PRM_DATABASE_RETRY_AFTER_SECONDS)
        return response
