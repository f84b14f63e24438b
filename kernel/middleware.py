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
from django.http import Http404, HttpResponse, JsonResponse

from kernel.api.errors import not_found

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


class NotFoundMiddleware:
    """Every 404 is the product's own answer, also under DEBUG (``make run``): Django's
    technical 404 page lists every URL pattern of the site to whoever asks, and ignores
    ``handler404``, so an unknown /api/ URL answered HTML. A 404 raised by a view and one of a
    URL that matches no route both go through ``kernel.api.errors.not_found`` here (without
    DEBUG, Django already calls it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):  # the URL matched no route: Django answered with its technical page
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        return None
