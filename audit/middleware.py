"""Binds the request to the audit context and records every export (a CSV or spreadsheet sent
as a download), whichever view produced it, so a new export cannot go unaudited."""

from audit.choices import AuditAction
from audit.context import current_request
from audit.services import audit_record

EXPORT_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
)


def is_export(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return response.status_code == 200 and content_type in EXPORT_TYPES


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if is_export(response) and user is not None and user.is_authenticated:
                audit_record(
                    action=AuditAction.EXPORT,
                    actor=user,
                    target_repr=request.path,
                    details={"path": request.path, "query": request.GET.urlencode()[:500]},
                    request=request,
                )
            return response
        finally:
            current_request.reset(token)
