"""The console's pages: they compose several apps (issue 17's console floor). Thin: resolve the
partner through partners.selectors (scoped to the user; an outsider gets 404), then render what
the apps below compute: metrics.definitions and summaries, tier progress, the partner 360's
reads (console.partner_page) and the program dashboard (console.dashboard, cached by
console.dashboard_cache). Feature panels (onboarding, enablement, deals, customers) come in
through their template tags."""

import csv
import itertools
from datetime import timedelta

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from console import dashboard, dashboard_cache, partner_page
from console.forms import DashboardFilterForm, quarter_start
from events.selectors import event_list_for_partner
from followup import selectors as followup_selectors
from kernel.exports import safe_cell
from kernel.routers import replica_reads
from kernel.translations import translated
from metrics import churn_pages, definitions
from partners import selectors as partner_selectors
from partners.choices import PartnerStatus
from partners.permissions import PartnerMemberRequiredMixin, VendorStaffRequiredMixin, can_open
from plans import program as plans_program


# --- The partner's home (the portal's first page) -------------------------------------------------
def next_steps_for(*, partner, membership, team_size: int) -> list[dict]:
    """What the partner home suggests doing next, most important first."""
    steps = []
    if partner.status == PartnerStatus.APPLICANT:
        steps.append(
            {
                "title": "Your application is being reviewed",
                "why": "A channel manager will confirm your partnership shortly.",
                "url": "",
            }
        )
    if membership.is_admin and team_size < 2:
        steps.append(
            {
                "title": "Invite your colleagues",
                "why": "Partners whose sales and technical people all have access ramp up faster.",
                "url": reverse("partners:team"),
            }
        )
    return steps


class PartnerHomeView(PartnerMemberRequiredMixin, TemplateView):
    template_name = "console/partner_home.html"

    def get_context_data(self, **kwargs):
        membership = partner_selectors.membership_for_user(self.request.user)
        partner = partner_selectors.partner_get_for_user(
            user=self.request.user, pk=membership.partner_id
        )
        team = list(partner_selectors.team_list_for_partner(partner=partner))
        progress = partner_selectors.tier_progress(partner)
        steps = next_steps_for(partner=partner, membership=membership, team_size=len(team))
        # Only suggest what this user can do: a partner user cannot open the team page.
        steps += [s for s in tier_steps(progress) if can_open(self.request.user, s["url"])]
        return super().get_context_data(
            partner=partner,
            membership=membership,
            team=team,
            next_steps=steps,
            tier_benefits=partner_selectors.partner_benefits(partner),
            progress=progress,
            next_tier=progress.next_tier,
            events=event_list_for_partner(partner_id=partner.pk, limit=10),
            **kwargs,
        )


def tier_steps(progress, limit: int = 2) -> list[dict]:
    """The first missing requirements (of the tier the partner falls short of, else of the next
    tier) as steps."""
    keep = progress.keep_missing
    rows = keep or progress.missing
    goal = progress.tier if keep else progress.next_tier
    return [
        {
            "title": f"{row.action_label} toward {translated(goal, 'name')}",
            "why": row.text,
            "url": row.action_url,
        }
        for row in rows[:limit]
        if row.action_url and goal is not None
    ]


# --- Partner 360 (the channel manager's partner page) ---------------------------------------------
LEADS_DAYS = 365  # the leads panel: offers answered in the last year


class ManagerPartnerDetailView(VendorStaffRequiredMixin, TemplateView):
    """Everything about one partner for its channel manager: profile, tier progress, checklist,
    team, certifications, deals, adoption score history and a timeline. Reads domain tables and
    metric summaries only (never raw events), a fixed number of queries."""

    template_name = "console/partner_detail.html"

    def get_context_data(self, **kwargs):
        partner = partner_selectors.partner_get_for_user(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        history = definitions.adoption_score_history(
            partner_id=partner.pk, joined_at=partner.joined_at
        )
        score = definitions.adoption_score_for_partner(partner_id=partner.pk)
        team = list(partner_selectors.team_list_for_partner(partner=partner))
        today = timezone.now().date()
        return super().get_context_data(
            leads=definitions.lead_performance_for_partner(
                partner_id=partner.pk, since=today - timedelta(days=LEADS_DAYS - 1), until=today
            ),
            leads_days=LEADS_DAYS,
            partner=partner,
            team=team,
            tier_progress=partner_selectors.tier_progress(partner),
            certificates=partner_page.certificates(partner=partner),
            timeline=partner_page.timeline(partner=partner, team=team),
            notes=followup_selectors.note_list_for_partner(partner=partner),
            tasks=followup_selectors.task_list_for_partner(partner=partner),
            business_plans=partner_page.business_plans(partner=partner),
            churn=churn_pages.partner_churn(partner_id=partner.pk),
            user_is_vendor_admin=self.request.user.is_vendor_admin,
            score=score,
            freshness=definitions.metrics_freshness(),
            history_chart={
                "type": "line",
                "labels": [point.day.isoformat() for point in history],
                "datasets": [{"label": "Adoption score", "data": [p.score for p in history]}],
                "max": 100,
            },
            history_rows=history[::-7][:13],  # weekly, newest first: the chart as a table
            **kwargs,
        )


# --- Adoption pages -------------------------------------------------------------------------------
class _AdoptionPage(TemplateView):
    template_name = "console/partner_adoption.html"
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

    template_name = "console/dashboard.html"

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
        if query is not None:  # live, not cached: an approval shows at once (plans.program)
            program = form.cleaned_data.get("program")
            context["plans_view"] = plans_program.program_view(
                program_ids=[program.pk] if program else None
            )
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
            (writer.writerow([safe_cell(c) for c in row]) for row in rows),
            content_type="text/csv; charset=utf-8",
        )
        name = f"prm-{table}-{query.since:%Y%m%d}-{query.until:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
