"""Pages of business plans. Thin: scoping through ``plans.selectors`` (404 outside it), rules and
writes through ``plans.services`` (403 for a role that may not act, 409 for a move the status does
not allow, 400 with the form's errors for bad input).

The partner's pages live under ``/portal/plans/`` (its members; vendor staff get 404 there, as on
every partner page), the vendor's under ``/manage/plans/``. Actions (POST) are shared by both
sides and send back to the side's own page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from partners.measures import Unit, measures
from partners.permissions import (
    PartnerMemberRequiredMixin,
    RoleRequiredMixin,
    VendorStaffRequiredMixin,
)
from partners.selectors import membership_for_user, partner_get_for_user, program_list_for_user
from plans import forms, selectors, services
from plans.choices import PlanStatus, Side
from plans.models import Commitment, Goal, Initiative
from plans.permissions import (
    can_decide,
    can_draft,
    can_edit,
    can_write_commitments,
    check,
    side_of,
)
from plans.progress import plan_on_track, progress_for_plans
from plans.scorecard import goal_subjects, scorecard_for_partner

PAGE_SIZE = 50


class AnyPlanUserMixin(RoleRequiredMixin):
    """Partner members and vendor staff (each action checks the plan's scope and the role)."""

    def has_role(self, user) -> bool:
        return user.is_active and (user.is_channel_manager or membership_for_user(user) is not None)


def detail_url(user, plan) -> str:
    name = "plans:manage_detail" if user.is_channel_manager else "plans:detail"
    return reverse(name, args=[plan.pk])


def render_detail(request, plan, *, status=200, bound: dict | None = None):
    user = request.user
    progress = progress_for_plans([plan])
    goals = []
    subjects = goal_subjects(plan.goals.all())
    for goal in plan.goals.all():
        definition = measures.get(goal.measure) if goal.measure in measures else None
        goals.append({
            "goal": goal,
            "subject": subjects.get((goal.measure, goal.subject_id)),
            "label": definition.label if definition else goal.measure,
            "money": definition is not None and definition.unit == Unit.MONEY,
            "progress": progress.get(goal.pk),
            "drill": drill_url(user, plan, goal),
        })  # fmt: skip
    context = {
        "plan": plan,
        "partner": plan.partner,
        "goals": goals,
        "on_track": plan_on_track(plan, progress),
        "versions": selectors.versions_of(plan),
        "vendor": user.is_channel_manager,
        "side": side_of(user, plan.partner_id),
        "can_edit": can_edit(user, plan),
        "can_draft": can_draft(user, plan.partner_id),
        "can_decide": can_decide(user, plan),
        "can_commit": can_write_commitments(user, plan),
        "goal_form": (bound or {}).get("goal") or forms.GoalForm(partner=plan.partner),
        "initiative_form": (bound or {}).get("initiative") or forms.InitiativeForm(),
        "commitment_form": (bound or {}).get("commitment") or forms.CommitmentForm(),
        "comment_form": (bound or {}).get("comment") or forms.CommentForm(),
        "send_back_form": (bound or {}).get("send_back") or forms.SendBackForm(),
        "summary_form": (bound or {}).get("summary")
        or forms.SummaryForm(initial={"summary": plan.summary}),
        "initiative_statuses": forms.InitiativeStatusForm.base_fields["status"].choices,
        "error": (bound or {}).get("error", ""),
        "PlanStatus": PlanStatus,
    }
    return render(request, "plans/plan_detail.html", context, status=status)


def drill_url(user, plan, goal) -> str:
    """The deals behind a deals goal: the vendor's deal list of the partner, won ones."""
    if goal.measure not in ("won_deals_12m", "revenue_12m"):
        return ""
    if user.is_channel_manager:
        return reverse("deals:manager_list") + f"?partner={plan.partner_id}&status=won"
    return reverse("deals:list") + "?status=won"


# --- Lists and detail -----------------------------------------------------------------------------
class PartnerPlanListView(PartnerMemberRequiredMixin, View):
    def get(self, request):
        membership = membership_for_user(request.user)
        plans = selectors.plans_for_partner(partner_id=membership.partner_id, limit=40)
        progress = progress_for_plans(plans)
        rows = [{"plan": p, "on_track": plan_on_track(p, progress)} for p in plans]
        return render(request, "plans/partner_list.html", {
            "rows": rows, "partner": membership.partner,
            "can_draft": can_draft(request.user, membership.partner_id),
        })  # fmt: skip


class PartnerPlanDetailView(PartnerMemberRequiredMixin, View):
    def get(self, request, pk: int):
        return render_detail(request, selectors.plan_get_for_user(user=request.user, pk=pk))


class ManagerPlanDetailView(VendorStaffRequiredMixin, View):
    def get(self, request, pk: int):
        return render_detail(request, selectors.plan_get_for_user(user=request.user, pk=pk))


class ManagerPlanListView(VendorStaffRequiredMixin, View):
    def get(self, request):
        form = forms.PlanFilterForm(
            request.GET or None,
            programs=program_list_for_user(user=request.user),
            owners=selectors.staff_owners(),
        )
        filters = form.cleaned_data if form.is_valid() else {}
        if request.GET and not form.is_valid():
            return render(
                request, "plans/manager_list.html", {"form": form, "page": None}, status=400
            )
        qs = selectors.plan_list_filtered(
            user=request.user,
            program_id=getattr(filters.get("program"), "pk", None),
            status=filters.get("status") or "",
            period=filters.get("period"),
            owner_id=getattr(filters.get("owner"), "pk", None),
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        progress = progress_for_plans(page.object_list)
        rows = [{"plan": p, "on_track": plan_on_track(p, progress)} for p in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "plans/manager_list.html", {
            "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        })  # fmt: skip


# --- Creating a plan ------------------------------------------------------------------------------
class _CreateMixin:
    template = "plans/plan_create.html"

    def partner_for(self, request, **kwargs):
        raise NotImplementedError

    def get(self, request, **kwargs):
        partner = self.partner_for(request, **kwargs)
        return render(request, self.template, {"form": forms.PlanCreateForm(), "partner": partner})

    def post(self, request, **kwargs):
        partner = self.partner_for(request, **kwargs)
        form = forms.PlanCreateForm(request.POST)
        if form.is_valid():
            period = form.cleaned_data["period"]
            try:
                plan = services.plan_create(
                    actor=request.user, partner=partner, fiscal_year=period.fiscal_year,
                    quarter=period.quarter, summary=form.cleaned_data["summary"],
                )  # fmt: skip
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("Plan for %(period)s drafted.") % {"period": period.label}
                )
                return redirect(detail_url(request.user, plan))
        return render(request, self.template, {"form": form, "partner": partner}, status=400)


class PartnerPlanCreateView(PartnerMemberRequiredMixin, _CreateMixin, View):
    def partner_for(self, request, **kwargs):
        membership = membership_for_user(request.user)
        if not can_draft(request.user, membership.partner_id):
            raise Http404("Partner admins draft plans.")
        return membership.partner


class ManagerPlanCreateView(VendorStaffRequiredMixin, _CreateMixin, View):
    def partner_for(self, request, pk: int):
        return partner_get_for_user(user=request.user, pk=pk)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Actions on a plan (both sides) ---------------------------------------------------------------
class PlanActionView(AnyPlanUserMixin, View):
    """POST only. ``act`` returns a success message; bad input re-renders the plan (400)."""

    form_class = None
    form_key = ""
    target = "plan"  # what the URL's pk names: plan, goal, initiative or commitment

    def act(self, request, plan, obj, data):
        raise NotImplementedError

    def allowed(self, user, plan) -> bool:
        """The role check made before the input is read (the services check again, with the
        plan's status): drafters of either side."""
        return can_draft(user, plan.partner_id)

    def form_kwargs(self, plan) -> dict:
        return {}

    def post(self, request, pk: int):
        models = {"goal": Goal, "initiative": Initiative, "commitment": Commitment}
        if self.target == "plan":
            plan, obj = selectors.plan_get_for_user(user=request.user, pk=pk), None
        else:
            obj = get_object_or_404(models[self.target].objects.only("pk", "plan_id"), pk=pk)
            plan = selectors.plan_get_for_user(user=request.user, pk=obj.plan_id)
        check(self.allowed(request.user, plan))
        form = self.form_class(request.POST, **self.form_kwargs(plan)) if self.form_class else None
        if form is not None and not form.is_valid():
            return render_detail(request, plan, status=400, bound={self.form_key: form})
        try:
            message = self.act(request, plan, obj, form.cleaned_data if form else request.POST)
        except ValidationError as exc:
            if form is None:
                return render_detail(
                    request, plan, status=400, bound={"error": " ".join(exc.messages)}
                )
            _add_errors(form, exc)
            return render_detail(request, plan, status=400, bound={self.form_key: form})
        except services.PlanError as exc:
            return render_detail(request, plan, status=409, bound={"error": str(exc)})
        messages.success(request, message)
        target = getattr(self, "next_plan", None) or plan
        return redirect(detail_url(request.user, target))


class GoalAddView(PlanActionView):
    form_class, form_key = forms.GoalForm, "goal"

    def form_kwargs(self, plan) -> dict:
        return {"partner": plan.partner}  # the subjects open to it (its program's offerings)

    def act(self, request, plan, obj, data):
        services.goal_add(actor=request.user, plan=plan, **data)
        return _("Goal added.")


class GoalRemoveView(PlanActionView):
    target = "goal"

    def act(self, request, plan, obj, data):
        services.goal_remove(actor=request.user, goal=obj)
        return _("Goal removed.")


class GoalDoneView(PlanActionView):
    target = "goal"

    def act(self, request, plan, obj, data):
        done = data.get("done") == "1"
        services.goal_set_done(actor=request.user, goal=obj, done=done)
        return _("Goal marked done.") if done else _("Goal marked not done.")


class InitiativeAddView(PlanActionView):
    form_class, form_key = forms.InitiativeForm, "initiative"

    def act(self, request, plan, obj, data):
        services.initiative_add(actor=request.user, plan=plan, **data)
        return _("Initiative added.")


class InitiativeStatusView(PlanActionView):
    form_class, form_key, target = forms.InitiativeStatusForm, "initiative_status", "initiative"

    def act(self, request, plan, obj, data):
        services.initiative_set_status(actor=request.user, initiative=obj, status=data["status"])
        return _("Initiative updated.")


class SummaryEditView(PlanActionView):
    form_class, form_key = forms.SummaryForm, "summary"

    def act(self, request, plan, obj, data):
        services.plan_update(actor=request.user, plan=plan, summary=data["summary"])
        return _("Summary saved.")


class InitiativeRemoveView(PlanActionView):
    target = "initiative"

    def act(self, request, plan, obj, data):
        services.initiative_remove(actor=request.user, initiative=obj)
        return _("Initiative removed.")


class CommitmentAddView(PlanActionView):
    form_class, form_key = forms.CommitmentForm, "commitment"

    def allowed(self, user, plan) -> bool:
        return side_of(user, plan.partner_id) == Side.VENDOR

    def act(self, request, plan, obj, data):
        services.commitment_add(actor=request.user, plan=plan, **data)
        return _("Commitment added.")


class CommitmentRemoveView(PlanActionView):
    target = "commitment"

    def allowed(self, user, plan) -> bool:
        return side_of(user, plan.partner_id) == Side.VENDOR

    def act(self, request, plan, obj, data):
        services.commitment_remove(actor=request.user, commitment=obj)
        return _("Commitment removed.")


class CommentAddView(PlanActionView):
    form_class, form_key = forms.CommentForm, "comment"

    def act(self, request, plan, obj, data):
        services.comment_add(actor=request.user, plan=plan, body=data["body"])
        return _("Comment added.")


class SubmitView(PlanActionView):
    def act(self, request, plan, obj, data):
        services.plan_submit(actor=request.user, plan=plan)
        return _("Plan submitted for approval.")


class ApproveView(PlanActionView):
    def act(self, request, plan, obj, data):
        services.plan_approve(actor=request.user, plan=plan)
        return _("Plan approved.")


class SendBackView(PlanActionView):
    form_class, form_key = forms.SendBackForm, "send_back"

    def act(self, request, plan, obj, data):
        services.plan_send_back(actor=request.user, plan=plan, note=data["note"])
        return _("Plan sent back to draft.")


class ReviseView(PlanActionView):
    def act(self, request, plan, obj, data):
        self.next_plan = services.plan_revise(actor=request.user, plan=plan)
        return _(
            "A new draft version was started; the approved plan stays in force until it is approved."
        )


# --- Scorecard ------------------------------------------------------------------------------------
class PartnerScorecardView(PartnerMemberRequiredMixin, View):
    def get(self, request):
        partner = membership_for_user(request.user).partner
        card = scorecard_for_partner(partner=partner)
        return render(request, "plans/scorecard.html", {"card": card, "partner": partner})


class ManagerScorecardView(VendorStaffRequiredMixin, View):
    def get(self, request, pk: int):
        partner = partner_get_for_user(user=request.user, pk=pk)
        card = scorecard_for_partner(partner=partner)
        return render(
            request, "plans/scorecard.html", {"card": card, "partner": partner, "vendor": True}
        )


# --- Scorecard PDF (the quarterly review's copy; same scope and roles as the page) ----------------
def scorecard_pdf_response(request, partner, *, vendor: bool) -> HttpResponse:
    from plans import pdf

    card = scorecard_for_partner(partner=partner)
    response = HttpResponse(
        pdf.scorecard_pdf(card, request=request, vendor=vendor), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(card)}"'
    return response


class PartnerScorecardPdfView(PartnerMemberRequiredMixin, View):
    def get(self, request):
        return scorecard_pdf_response(
            request, membership_for_user(request.user).partner, vendor=False
        )


class ManagerScorecardPdfView(VendorStaffRequiredMixin, View):
    def get(self, request, pk: int):
        return scorecard_pdf_response(
            request, partner_get_for_user(user=request.user, pk=pk), vendor=True
        )
