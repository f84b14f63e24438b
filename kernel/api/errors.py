"""API errors are always JSON, including those raised outside DRF's handling: a URL under /api/
that matches no route, a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a crash.

- ``exception_handler`` (DRF's ``EXCEPTION_HANDLER``): DRF's own, plus Django's
  ``RequestDataTooBig`` / ``TooManyFieldsSent`` (read while DRF parses the body) as a JSON 413 /
  400; DRF would re-raise them and Django answer with an HTML 400.
- ``not_found``, ``bad_request``, ``permission_denied``, ``server_error``: Django's error
  handlers (``prm/urls.py``), JSON under /api/, Django's pages elsewhere.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.views import exception_handler as drf_exception_handler


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def body_too_large_message() -> str:
    return _("The request body is too large: at most %(limit)s bytes.") % {
        "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, RequestDataTooBig):
        return JsonResponse({"detail": body_too_large_message()}, status=413)
    if isinstance(exc, SuspiciousOperation):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return None


def not_found(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": body_too_large_message()}, status=413)
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")}, status=403
        )
    return defaults.permission_denied(request, exception)


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
