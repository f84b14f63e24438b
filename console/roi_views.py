"""The program ROI page (``/manage/roi/``, ``metrics:roi``) and its CSV exports: vendor staff only
(partner users get 404, as on the dashboard), with the dashboard's filters (an invalid one is a
400 with the reason). The tables are ``console.roi``'s, so page and CSV show the same rows."""

import csv
import itertools

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.views import View
from django.views.generic import TemplateView

from console import roi
from console.views import _DashboardMixin, _Echo, dashboard_presets
from kernel.exports import safe_cell
from kernel.routers import replica_reads


class RoiView(_DashboardMixin, TemplateView):
    template_name = "console/roi.html"

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        query = self.get_query(form)
        params = request.GET.copy()
        context = self.get_context_data(
            form=form,
            query=query,
            querystring=params.urlencode(),
            presets=dashboard_presets(params),
        )
        if query is not None:
            with replica_reads():
                context["page"] = roi.build_page(query)
        return self.render_to_response(context, status=200 if query is not None else 400)


class RoiExportView(_DashboardMixin, View):
    """One table of the ROI page as CSV (the same rows as the page), with the filters applied."""

    def get(self, request, table):
        if table not in roi.TABLES:
            raise Http404("No such table.")
        form = self.get_form()
        query = self.get_query(form)
        if query is None:
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            return HttpResponseBadRequest(f"Invalid filters. {errors}", content_type="text/plain")
        with replica_reads():
            result = roi.build_page(query).tables[table]
        writer = csv.writer(_Echo())
        rows = itertools.chain([result.columns], result.rows)
        response = StreamingHttpResponse(
            (writer.writerow([safe_cell(str(c)) for c in row]) for row in rows),
            content_type="text/csv; charset=utf-8",
        )
        name = f"prm-roi-{table}-{query.since:%Y%m%d}-{query.until:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
