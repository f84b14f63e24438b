"""The vendor staff's partner list: its CSV and XLSX export (the current view, every page) and
its saved views. The list page itself is ``partners.views.ManagerHomeView``; the parameters are
read by ``partners.list_query``."""

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from kernel.exports import safe_cell
from partners import selectors, services
from partners.list_query import default_scope, list_query_for, parse_partner_list_query
from partners.permissions import VendorStaffRequiredMixin
from partners.views import ManagerHomeView

#: The most rows one export holds (a larger list: narrow the filter).
EXPORT_MAX_ROWS = 50_000

EXPORT_COLUMNS = (
    _lazy("Partner"), _lazy("Domain"), _lazy("Program"), _lazy("Type"), _lazy("Tier"),
    _lazy("Status"), _lazy("Region"), _lazy("Country"), _lazy("Joined"), _lazy("Activated"),
    _lazy("Owner"),
)  # fmt: skip


def export_row(p) -> list:
    """One partner as the export's cells (not yet made formula-safe), in EXPORT_COLUMNS order."""
    return [
        p.name,
        p.domain,
        p.program.name,
        p.partner_type.name,
        p.tier.name if p.tier else "",
        p.get_status_display(),
        p.get_region_display(),
        p.country.name,
        p.joined_at.date().isoformat() if p.joined_at else "",
        p.activated_at.date().isoformat() if p.activated_at else "",
        p.owner.display_name if p.owner else "",
    ]


def export_rows(partners):
    """The header, then one row per partner (each cell formula-safe), in the list's order."""
    yield [str(c) for c in EXPORT_COLUMNS]
    for p in partners.iterator(chunk_size=2000):
        yield [safe_cell(v) for v in export_row(p)]


class _Echo:
    def write(self, value):
        return value


class ManagerExportView(VendorStaffRequiredMixin, View):
    """``/manage/partners.csv`` and ``.xlsx``: the list as it is filtered and sorted (every
    page). Audit's middleware records the download as a data export."""

    def get(self, request, fmt: str):
        query = list_query_for(request)
        partners = selectors.partner_list_for_manager_home(
            user=request.user, mine=query.mine, params=query.params
        )
        if partners.count() > EXPORT_MAX_ROWS:
            return HttpResponseBadRequest(
                _("The list has more than %(max)s partners: narrow the filter to export it.")
                % {"max": EXPORT_MAX_ROWS},
                content_type="text/plain; charset=utf-8",
            )
        stamp = f"{timezone.localdate():%Y%m%d}"
        if fmt == "csv":
            writer = csv.writer(_Echo())
            response = StreamingHttpResponse(
                (writer.writerow(row) for row in export_rows(partners)),
                content_type="text/csv; charset=utf-8",
            )
        else:
            response = HttpResponse(
                _xlsx(export_rows(partners)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="prm-partners-{stamp}.{fmt}"'
        return response


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Partners"))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula (the value is quoted as well)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class SavedViewSaveView(VendorStaffRequiredMixin, View):
    """POST ``name``, ``shared`` and the list's parameters (as on the page): save the current
    filter under that name (the same name again replaces it)."""

    http_method_names = ["post"]

    def post(self, request):
        query = parse_partner_list_query(
            request.POST, user=request.user, default_scope=default_scope(request.user)
        )
        back = reverse("partners:manager_home") + "?" + query.querystring()
        try:
            view = services.saved_view_save(
                owner=request.user,
                name=request.POST.get("name", ""),
                query=query.querystring(),
                shared=request.POST.get("shared") == "1",
            )
        except ValidationError as exc:
            # The list again, with the message and its filter as it was (nothing is lost).
            for field_messages in exc.message_dict.values():
                for message in field_messages:
                    messages.error(request, message)
            request.GET = _query_dict(query.querystring())
            page = ManagerHomeView()
            page.setup(request)
            response = page.get(request)
            response.status_code = 400
            return response
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(back + "&" + urlencode({"view": view.pk}))


class SavedViewOpenView(VendorStaffRequiredMixin, View):
    """Open a saved view (yours or a shared one): the list with its parameters, as you may see
    it."""

    def get(self, request, pk: int):
        view = selectors.saved_view_get_for_user(user=request.user, pk=pk)
        query = parse_partner_list_query(
            _query_dict(view.query), user=request.user, default_scope="all"
        )
        return redirect(reverse("partners:manager_home") + "?" + query.querystring(view=view.pk))


class SavedViewDeleteView(VendorStaffRequiredMixin, View):
    """POST with ``confirm=1`` (the page asks first): delete a saved view (its owner or a vendor
    admin)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        view = selectors.saved_view_get_for_user(user=request.user, pk=pk)
        if view.owner_id != request.user.pk and not request.user.is_vendor_admin:
            return HttpResponse(
                _("Only its owner or a vendor admin can delete this view."),
                status=403,
                content_type="text/plain; charset=utf-8",
            )
        if request.POST.get("confirm") != "1":
            return HttpResponseBadRequest(
                _("Confirm that you want to delete this view."),
                content_type="text/plain; charset=utf-8",
            )
        name = view.name
        services.saved_view_delete(actor=request.user, view=view)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
        return redirect("partners:manager_home")


def _query_dict(query: str):
    from django.http import QueryDict

    return QueryDict(query)
