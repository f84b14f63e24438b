"""The audit log page for vendor admins: filters and pages of 50, newest first."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from audit import selectors
from audit.forms import AuditFilterForm
from audit.permissions import AuditReaderRequiredMixin

PAGE_SIZE = 50


class AuditLogView(AuditReaderRequiredMixin, View):
    template_name = "audit/auditentry_list.html"

    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        entries = selectors.audit_list_for_user(user=request.user, **filters)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        status = 400 if form.is_bound and not form.is_valid() else 200
        response = render(
            request,
            self.template_name,
            {"form": form, "page": page, "query": query.urlencode()},
            status=status,
        )
        response["Cache-Control"] = "no-store"
        return response
