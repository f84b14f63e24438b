"""Metric pages. Thin: resolve the partner through partners.selectors (scoped to the user; an
outsider gets 404), then render what metrics.definitions computes."""

import csv
import itertools
from datetime import timedelta

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from kernel.routers import replica_reads
from metrics import dashboard, dashboard_cache, definitions
from metrics.forms import DashboardFilterForm, quarter_start
from partners import selectors as partner_selectors
from partners.permissions import PartnerMemberRequiredMixin, VendorStaffRequiredMixin


class _AdoptionPage(TemplateView):
    template_name = "metrics/partner_adoption.html"
    history_days = 90

    def get_partner(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        partner = self.get_partner()  # the access check reads the primary
        with replica_reads():  # metric reads only (kernel/routers.py)
            score = definitions.adoption_score_for_partner(partner_id=partner.pk)
            history = definitions.adoption_score_history(
                partner_id=partner.pk, joined_at=partner.joined_at
            )
            metrics = {
                "score": score,
                "explained": definitions.adoption_score_explained(score) if score else [],
                "offerings": definitions.partner_offerings(partner_id=partner.pk),
                "freshness": definitions.metrics_freshness(),
                "history": {
                    "labels": [p.day.isoformat() for p in history],
                    "scores": [p.score for p in history],
                },
            }
        return super().get_context_data(partner=partner, **metrics, **kwargs)


class PartnerAdoptionView(PartnerMemberRequiredMixin, _AdoptionPage):
    """A partner user's own adoption: score, its parts, its 90-day history, offerings."""

    def get_partner(self):
        membership = partner_selectors.membership_for_user(self.request.user)
        return partner_selectors.partner_get_for_user(
            user=self.request.user, pk=membership.partner_id
        )


class ManagerPartnerAdoptionView(VendorStaffRequiredMixin, _AdoptionPage):
    """The same page about one partner, for vendor staff."""

    def get_partner(self):
        return partner_selectors.partner_get_for_user(user=self.request.user, pk=self.kwargs["pk"])


# --- Program dashboard (issue 7) ------------------------------------------------------------------
class _DashboardMixin(VendorStaffRequiredMixin):
    """Parses the filters of the query string; an invalid one is answered with 400 and the
    reason (the page still renders, with the form and its errors)."""

    def get_form(self):
        return DashboardFilterForm(self.request.GET, user=self.request.user)

    def get_query(self, form):
        return form.query() if form.is_valid() else None


class ProgramDashboardView(_DashboardMixin, TemplateView):
    """KPI tiles, charts (with their numbers as tables), at-risk partners and leaderboards."""

    template_name = "metrics/dashboard.html"

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        query = self.get_query(form)
        with replica_reads():  # read-only summaries and their freshness (kernel/routers.py)
            state = dashboard_cache.data_state()
            context = self.get_context_data(form=form, query=query, freshness=state.freshness)
            if query is not None:
                page = dashboard_cache.cached_page(
                    query,
                    dashboard_cache.PageRequest.from_form(form, context["querystring"]),
                    state=state,
                )
                context.update(page.content)
                context["freshness"] = page.freshness  # of the data shown, maybe an older run's
                context["page_note"] = page.note
        status = 200 if query is not None else 400
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        query = kwargs.get("query")
        params = self.request.GET.copy()
        params.pop("page", None)
        return super().get_context_data(
            querystring=params.urlencode(),
            previous=query.previous if query else None,
            presets=dashboard_presets(params),
            **kwargs,
        )


def dashboard_presets(params) -> list[tuple[str, str]]:
    """Quick date ranges, keeping the other filters."""
    today = timezone.now().date()
    ranges = [
        ("This quarter", quarter_start(today), today),
        ("Last 90 days", today - timedelta(days=89), today),
        ("Last 12 months", today - timedelta(days=364), today),
    ]
    presets = []
    for label, since, until in ranges:
        query = params.copy()
        query["since"], query["until"] = since.isoformat(), until.isoformat()
        presets.append((label, query.urlencode()))
    return presets


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value) -> str:
    text = str(value)
    # A cell starting with a formula character would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class DashboardExportView(_DashboardMixin, View):
    """One dashboard table as CSV, with the filters of the query string applied; streamed."""

    def get(self, request, table):
        if table not in dashboard.TABLES:
            raise Http404("No such table.")
        form = self.get_form()
        query = self.get_query(form)
        if query is None:
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            return HttpResponseBadRequest(f"Invalid filters. {errors}", content_type="text/plain")
        with replica_reads():
            result = dashboard.build_one(table, query)
        writer = csv.writer(_Echo())
        rows = itertools.chain([result.columns], result.rows)
        response = StreamingHttpResponse(
            (writer.writerow([_csv_cell(c) for c in row]) for row in rows),
            content_type="text/csv; charset=utf-8",
        )
        name = f"prm-{table}-{query.since:%Y%m%d}-{query.until:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
