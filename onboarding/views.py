"""Thin views over onboarding.selectors (reads) and onboarding.services (writes)."""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from onboarding import selectors, services
from onboarding.choices import ApplicationStatus
from onboarding.forms import (
    AgreementForm,
    ApplicationForm,
    ApproveForm,
    DocumentForm,
    OwnerForm,
    ProfileForm,
    RejectForm,
    SurveyForm,
    region_for_country,
)
from onboarding.models import PartnerChecklist
from onboarding.permissions import (
    PartnerAdminRequiredMixin,
    PartnerMemberRequiredMixin,
    ReviewerRequiredMixin,
    is_partner_admin,
)
from onboarding.rendering import render_markdown
from partners import selectors as partner_selectors
from partners import services as partner_services

# --- Public application ---------------------------------------------------------------------------


def _rate_limited(request) -> bool:
    """allauth's cache-based limiter (the same one that guards login), per client IP."""
    rates = {"apply": settings.PRM_APPLICATION_RATE_LIMIT}
    return not ratelimit.consume(request, app="onboarding", action="apply", config=rates)


class ApplyView(View):
    template_name = "onboarding/application_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ApplicationForm()})

    def post(self, request):
        form = ApplicationForm(request.POST)
        if _rate_limited(request):
            form.add_error(None, "Too many applications from your network. Try again later.")
            return render(request, self.template_name, {"form": form}, status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        if form.is_spam():
            # Say nothing a bot could learn from; a person who was simply very fast resends
            # the same answers (with a fresh start time).
            fresh = request.POST.copy()
            fresh["started"] = ApplicationForm().initial["started"]
            form = ApplicationForm(fresh)
            form.is_valid()
            form.add_error(None, "Please check your answers and send the form again.")
            return render(request, self.template_name, {"form": form}, status=400)
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("fax_number", "started")}
        try:
            services.application_submit(**data)
        except services.OnboardingError as exc:
            form.add_error("website", str(exc))
            return render(request, self.template_name, {"form": form}, status=400)
        return redirect("onboarding:apply_thanks")


class ApplyThanksView(TemplateView):
    template_name = "onboarding/application_thanks.html"


# --- Partner side ---------------------------------------------------------------------------------


class ChecklistView(PartnerMemberRequiredMixin, TemplateView):
    template_name = "onboarding/checklist_detail.html"

    def get_context_data(self, **kwargs):
        checklist = selectors.checklist_for_member(user=self.request.user)
        return super().get_context_data(
            summary=selectors.checklist_summary(checklist),
            document_form=DocumentForm(),
            **kwargs,
        )


class AgreementView(PartnerMemberRequiredMixin, View):
    template_name = "onboarding/agreement_detail.html"

    def _render(self, request, form, status=200):
        membership = partner_selectors.membership_for_user(request.user)
        agreement = selectors.agreement_for_partner(partner=membership.partner)
        acceptance = (
            agreement.acceptances.filter(partner_id=membership.partner_id)
            .select_related("accepted_by")
            .first()
            if agreement
            else None
        )
        context = {
            "agreement": agreement,
            "body": render_markdown(agreement.body) if agreement else "",
            "acceptance": acceptance,
            "form": form,
            "can_accept": is_partner_admin(request.user),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, AgreementForm())

    def post(self, request):
        if not is_partner_admin(request.user):
            messages.error(request, _("Only a partner admin can accept the agreement."))
            return self._render(request, AgreementForm(), status=403)
        form = AgreementForm(request.POST)
        membership = partner_selectors.membership_for_user(request.user)
        agreement = selectors.agreement_for_partner(partner=membership.partner)
        if agreement is None or not form.is_valid():
            return self._render(request, form, status=400)
        shown = form.cleaned_data.get("agreement")
        if shown is not None and shown != agreement.pk:
            messages.error(
                request,
                _("A newer version of the agreement was published: read it before accepting."),
            )
            return self._render(request, AgreementForm(), status=409)
        services.agreement_accept(
            partner=membership.partner,
            agreement=agreement,
            user=request.user,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        messages.success(request, _("You accepted %(agreement)s.") % {"agreement": agreement})
        return redirect("onboarding:checklist")


class ProfileView(PartnerAdminRequiredMixin, View):
    template_name = "onboarding/profile_form.html"

    def get(self, request):
        partner = partner_selectors.membership_for_user(request.user).partner
        return render(request, self.template_name, {"form": ProfileForm(instance=partner)})

    def post(self, request):
        partner = partner_selectors.membership_for_user(request.user).partner
        form = ProfileForm(request.POST, instance=partner)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            partner_services.partner_update_profile(
                partner=partner, actor=request.user, **form.cleaned_data
            )
        except partner_services.PartnerError as exc:
            form.add_error(None, str(exc))
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(request, _("Your company profile is saved."))
        return redirect("onboarding:checklist")


class DocumentUploadView(PartnerMemberRequiredMixin, View):
    def post(self, request, pk):
        step = selectors.step_get_for_member(user=request.user, pk=pk)
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a file to upload."))
            return redirect("onboarding:checklist")
        try:
            services.document_upload(step=step, file=form.cleaned_data["file"], user=request.user)
        except services.OnboardingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Uploaded for “%(title)s”.") % {"title": step.title})
        return redirect("onboarding:checklist")


class DocumentDownloadView(View):
    """An uploaded document, for the partner's members and vendor staff (404 for anyone else)."""

    def get(self, request, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        document = selectors.document_get_for_user(user=request.user, pk=pk)
        return FileResponse(
            document.file.open("rb"), as_attachment=True, filename=document.original_name
        )


class SurveyView(PartnerAdminRequiredMixin, View):
    template_name = "onboarding/survey_form.html"

    def get(self, request):
        survey = selectors.survey_open_for_member(user=request.user)
        return render(request, self.template_name, {"survey": survey, "form": SurveyForm()})

    def post(self, request):
        survey = selectors.survey_open_for_member(user=request.user)
        form = SurveyForm(request.POST)
        if survey is None:
            messages.info(request, _("There is no open survey. Thank you!"))
            return redirect("partners:home")
        if not form.is_valid():
            context = {"survey": survey, "form": form}
            return render(request, self.template_name, context, status=400)
        try:
            services.survey_answer(survey=survey, user=request.user, **form.cleaned_data)
        except services.OnboardingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you for your feedback!"))
        return redirect("partners:home")


# --- Vendor side ----------------------------------------------------------------------------------


class ApplicationListView(ReviewerRequiredMixin, TemplateView):
    template_name = "onboarding/application_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", ApplicationStatus.PENDING)
        if status not in ApplicationStatus.values and status != "all":
            status = ApplicationStatus.PENDING
        applications = selectors.application_list_for_user(
            user=self.request.user, status="" if status == "all" else status
        )
        counts = selectors.application_counts(user=self.request.user)
        return super().get_context_data(
            status=status,
            page=Paginator(applications, 25).get_page(self.request.GET.get("page")),
            tabs=[(s, label, counts.get(s, 0)) for s, label in ApplicationStatus.choices],
            total=sum(counts.values()),
            **kwargs,
        )


class ApplicationDetailView(ReviewerRequiredMixin, View):
    template_name = "onboarding/application_detail.html"

    def render_page(self, request, application, approve_form=None, reject_form=None, status=200):
        context = {
            "application": application,
            "approve_form": approve_form
            or ApproveForm(
                initial={
                    "program": selectors.default_program(),
                    "partner_type": application.partner_type_id,
                    "region": region_for_country(str(application.country)),
                }
            ),
            "reject_form": reject_form or RejectForm(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        return self.render_page(request, application)


class ApplicationApproveView(ApplicationDetailView):
    def post(self, request, pk):
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        form = ApproveForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, application, approve_form=form, status=400)
        try:
            partner = services.application_approve(
                application=application, actor=request.user, **form.cleaned_data
            )
        except services.OnboardingError as exc:
            form.add_error(None, str(exc))
            return self.render_page(request, application, approve_form=form, status=400)
        messages.success(
            request,
            _("%(partner_name)s is approved: %(contact_email)s is invited as partner admin.")
            % {"partner_name": partner.name, "contact_email": application.contact_email},
        )
        return redirect("partners:manager_partner", partner.pk)


class ApplicationRejectView(ApplicationDetailView):
    def post(self, request, pk):
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, application, reject_form=form, status=400)
        try:
            services.application_reject(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.OnboardingError as exc:
            form.add_error(None, str(exc))
            return self.render_page(request, application, reject_form=form, status=400)
        messages.success(
            request,
            _("The application from %(company_name)s is rejected.")
            % {"company_name": application.company_name},
        )
        return redirect(reverse("onboarding:applications"))


class StepVerifyView(ReviewerRequiredMixin, View):
    def post(self, request, pk):
        step = selectors.step_get_for_staff(user=request.user, pk=pk)
        try:
            services.step_verify(step=step, actor=request.user)
        except services.OnboardingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("“%(title)s” is verified.") % {"title": step.title})
        return redirect("partners:manager_partner", step.checklist.partner_id)


class ChecklistMigrateView(ReviewerRequiredMixin, View):
    def post(self, request, pk):
        partner = partner_selectors.partner_get_for_user(user=request.user, pk=pk)
        checklist = get_object_or_404(PartnerChecklist, partner=partner)
        try:
            checklist = services.checklist_migrate(checklist=checklist, actor=request.user)
        except services.OnboardingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The checklist now follows version %(version)s.")
                % {"version": checklist.version},
            )
        return redirect("partners:manager_partner", partner.pk)


class OwnerReassignView(ReviewerRequiredMixin, View):
    def post(self, request, pk):
        # Another manager's partner is 404 here, as for tier overrides (owner or vendor admin).
        partner = selectors.partner_get_for_owner_change(user=request.user, pk=pk)
        form = OwnerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a channel manager."))
            return redirect("partners:manager_partner", partner.pk)
        try:
            partner_services.partner_assign_owner(
                partner=partner, owner=form.cleaned_data["owner"], actor=request.user
            )
        except partner_services.PartnerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(owner)s now owns %(partner_name)s.")
                % {"owner": form.cleaned_data["owner"], "partner_name": partner.name},
            )
        return redirect("partners:manager_partner", partner.pk)


class SurveyResultsView(ReviewerRequiredMixin, TemplateView):
    template_name = "onboarding/survey_results.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            tables=[
                ("program", selectors.survey_results(user=user, group_by="program")),
                ("partner type", selectors.survey_results(user=user, group_by="type")),
            ],
            comments=selectors.survey_comments(user=user),
            **kwargs,
        )
