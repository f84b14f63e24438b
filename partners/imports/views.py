"""The partner import pages (vendor admins only: channel managers get 403, partner users 404):
upload (answers the dry run's job page), the job page with its progress bar and results, the
JSON progress it polls, the apply action, and the template download."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from partners.choices import ImportStage, MemberRole, PartnerStatus, Region
from partners.imports import columns, services
from partners.models import PartnerImport, PartnerType, Program
from partners.permissions import RoleRequiredMixin, is_vendor_staff

PAGE_SIZE = 20


def can_import(user) -> bool:
    return is_vendor_staff(user) and user.is_vendor_admin


class ImportAdminMixin(RoleRequiredMixin):
    """Vendor staff reach the route; only vendor admins may use it (channel managers: 403)."""

    def has_role(self, user) -> bool:
        return is_vendor_staff(user)

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and is_vendor_staff(user) and not can_import(user):
            raise PermissionDenied(_("Only vendor admins import partners."))
        return super().dispatch(request, *args, **kwargs)


def _reference_context() -> dict:
    return {
        "columns": columns.COLUMNS,
        "programs": Program.objects.filter(is_active=True).order_by("name")[:50],
        "types": PartnerType.objects.order_by("name")[:50],
        "regions": Region.choices,
        "statuses": PartnerStatus.choices,
        "roles": MemberRole.choices,
    }


class ImportView(ImportAdminMixin, View):
    template_name = "partners/import/import.html"

    def _render(self, request, errors=None, status=200):
        jobs = PartnerImport.objects.select_related("created_by").order_by("-created_at", "-pk")
        page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"page": page, "errors": errors or [], **_reference_context()}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        try:
            job = services.partner_import_create(actor=request.user, file=request.FILES.get("file"))
        except ValidationError as exc:
            return self._render(request, errors=exc.messages, status=400)
        return redirect("partners:import_job", pk=job.pk)


class ImportJobView(ImportAdminMixin, View):
    template_name = "partners/import/job.html"

    def get(self, request, pk):
        job = get_object_or_404(
            PartnerImport.objects.select_related("created_by", "applied_by"), pk=pk
        )
        return render(
            request,
            self.template_name,
            {
                "job": job,
                "stages": ImportStage,
                "columns": {c.key: c.label for c in columns.COLUMNS},
            },
        )


class ImportApplyView(ImportAdminMixin, View):
    def post(self, request, pk):
        job = get_object_or_404(PartnerImport, pk=pk)
        try:
            services.partner_import_apply(actor=request.user, job=job)
        except ValidationError as exc:
            job.refresh_from_db()
            return render(
                request,
                "partners/import/job.html",
                {"job": job, "stages": ImportStage, "refusal": exc.messages},
                status=409,
            )
        return redirect("partners:import_job", pk=job.pk)


class ImportProgressView(View):
    """The job's progress as JSON, polled by the job page. Errors are JSON too: 401 signed out,
    404 for partner users and unknown jobs, 403 for channel managers."""

    def get(self, request, pk):
        user = request.user
        if not user.is_authenticated:
            return JsonResponse({"detail": _("Sign in first.")}, status=401)
        if not is_vendor_staff(user):
            return JsonResponse({"detail": _("Not found.")}, status=404)
        if not can_import(user):
            return JsonResponse({"detail": _("Only vendor admins import partners.")}, status=403)
        job = PartnerImport.objects.filter(pk=pk).first()
        if job is None:
            return JsonResponse({"detail": _("Not found.")}, status=404)
        return JsonResponse(
            {
                "id": job.pk,
                "stage": job.stage,
                "stage_label": str(job.get_stage_display()),
                "running": job.is_running,
                "percent": job.percent,
                "total_rows": job.total_rows,
                "processed_rows": job.processed_rows,
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "users_invited": job.users_invited,
                "users_unchanged": job.users_unchanged,
                "error_rows": job.error_rows,
                "message": job.message,
            },
            headers={"Cache-Control": "no-store"},
        )


class ImportTemplateView(ImportAdminMixin, View):
    def get(self, request, fmt):
        program = Program.objects.filter(is_active=True).order_by("name").first()
        types = tuple(PartnerType.objects.order_by("name").values_list("name", flat=True)[:2])
        rows = columns.example_rows(program=program.name if program else "", types=types)
        if fmt == "csv":
            body, content_type = columns.template_csv(rows), "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            body = columns.template_xlsx(rows)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise Http404("No such template.")
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="partner-import-template.{fmt}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
