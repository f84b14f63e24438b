"""Onboarding's setup pages: the partner agreement's versions per program, and owner rules (which
channel managers get the new partners of a region). Vendor admins edit; channel managers read
(the edit routes answer them 403); partner users get 404. Thin: setup_selectors read,
onboarding.services.setup writes and refuses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from kernel.forms import apply_errors, flash_refusal
from kernel.query import query_id
from onboarding import setup_selectors as selectors
from onboarding.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup
from onboarding.rendering import render_markdown
from onboarding.services import setup as services
from onboarding.setup_forms import AgreementSetupForm, OwnerRuleForm, PreviewForm

PAGE_SIZE = 50


def _agreement_url(pk: int) -> str:
    return reverse("onboarding:setup_agreement", args=[pk])


# --- Agreements ---------------------------------------------------------------------------------


class AgreementListView(SetupViewMixin, TemplateView):
    """Every version, by program, with how many partners accepted each and which one partners
    of each program accept today."""

    template_name = "onboarding/setup/agreement_list.html"

    def get_context_data(self, **kwargs):
        scope = self.request.GET.get("program", "")
        every = scope == "every"
        program_id = None if every else query_id(self.request, "program")
        versions = selectors.setup_agreement_list(
            user=self.request.user, program_id=program_id, every=every
        )
        page = Paginator(versions, PAGE_SIZE).get_page(self.request.GET.get("page"))
        current = selectors.current_agreement_ids()
        for agreement in page:
            agreement.is_current = current.get(agreement.program_id) == agreement.pk
        return super().get_context_data(
            page=page,
            programs=selectors.program_choices(),
            scope="every" if every else program_id,
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


class AgreementDetailView(SetupViewMixin, TemplateView):
    template_name = "onboarding/setup/agreement_detail.html"

    def get_context_data(self, **kwargs):
        agreement = selectors.setup_agreement_get(user=self.request.user, pk=self.kwargs["pk"])
        current = selectors.current_agreement_ids()
        return super().get_context_data(
            agreement=agreement,
            body=render_markdown(agreement.body),
            is_current=current.get(agreement.program_id) == agreement.pk,
            references=services.agreement_references(agreement=agreement),
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


class _AgreementFormView(SetupEditMixin, View):
    template_name = "onboarding/setup/agreement_form.html"
    title = ""

    def render_form(self, form, status=200, **extra):
        context = {
            "form": form,
            "title": self.title,
            "cancel_url": self.cancel_url(),
            "preview": render_markdown(form["body"].value() or ""),
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, **kwargs):
        self.load()
        form = AgreementSetupForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            agreement = self.save(
                program=data["program"],
                version=data["version"],
                title=data["title"],
                body=data["body"],
                published_at=form.published_at(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved."))
        return redirect(_agreement_url(agreement.pk))

    def load(self) -> None:
        """Fetch what the URL names (404 when missing)."""


class AgreementCreateView(_AgreementFormView):
    title = gettext_lazy("New agreement version")

    def cancel_url(self):
        return reverse("onboarding:setup_agreements")

    def get(self, request):
        initial = {}
        source_id = query_id(request, "from")
        if source_id is not None:  # a new version starts from an earlier one's text
            source = selectors.setup_agreement_get(user=request.user, pk=source_id)
            initial = {"program": source.program_id, "title": source.title, "body": source.body}
        else:
            program_id = query_id(request, "program")
            if program_id is not None:
                initial["program"] = program_id
        return self.render_form(AgreementSetupForm(initial=initial))

    def save(self, **data):
        return services.agreement_create(actor=self.request.user, **data)


class AgreementEditView(_AgreementFormView):
    title = gettext_lazy("Edit agreement version")

    def load(self):
        self.agreement = selectors.setup_agreement_get(user=self.request.user, pk=self.kwargs["pk"])

    def cancel_url(self):
        return _agreement_url(self.agreement.pk)

    def get(self, request, pk):
        self.load()
        if self.agreement.is_published:
            messages.error(
                request,
                _("A published version never changes: write a new version instead."),
            )
            return redirect(_agreement_url(pk))
        return self.render_form(AgreementSetupForm(instance=self.agreement))

    def save(self, **data):
        return services.agreement_update(actor=self.request.user, agreement=self.agreement, **data)


class AgreementPublishView(SetupEditMixin, View):
    def post(self, request, pk):
        agreement = selectors.setup_agreement_get(user=request.user, pk=pk)
        try:
            services.agreement_publish(actor=request.user, agreement=agreement)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(
                request, _("Version %(version)s is published.") % {"version": agreement.version}
            )
        return redirect(_agreement_url(pk))


class AgreementDeleteView(SetupEditMixin, View):
    def post(self, request, pk):
        agreement = selectors.setup_agreement_get(user=request.user, pk=pk)
        try:
            services.agreement_delete(actor=request.user, agreement=agreement)
        except ValidationError as exc:
            flash_refusal(request, exc)
            return redirect(_agreement_url(pk))
        messages.success(
            request, _("Version %(version)s is deleted.") % {"version": agreement.version}
        )
        return redirect("onboarding:setup_agreements")


class AgreementPreviewView(SetupEditMixin, View):
    """The live preview of the agreement text: rendered and sanitised here exactly as partners
    will see it (onboarding.rendering), returned as an HTML fragment."""

    def post(self, request):
        form = PreviewForm(request.POST)
        if not form.is_valid():
            return HttpResponse(_("The text is too long to preview."), status=400)
        response = HttpResponse(render_markdown(form.cleaned_data["text"]))
        response["Cache-Control"] = "no-store"
        return response


# --- Owner rules --------------------------------------------------------------------------------


def _owner_rules_page(request, form=None, status=200):
    can_edit = can_edit_setup(request.user)
    context = {
        "regions": selectors.owner_rules_by_region(user=request.user),
        "form": (form or OwnerRuleForm()) if can_edit else None,
        "can_edit": can_edit,
    }
    return render(request, "onboarding/setup/owner_rules.html", context, status=status)


class OwnerRuleListView(SetupViewMixin, View):
    def get(self, request):
        return _owner_rules_page(request)


class OwnerRuleCreateView(SetupEditMixin, View):
    def post(self, request):
        form = OwnerRuleForm(request.POST)
        if not form.is_valid():
            return _owner_rules_page(request, form, status=400)
        try:
            rule = services.owner_rule_create(
                actor=request.user,
                region=form.cleaned_data["region"],
                manager=form.cleaned_data["manager"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return _owner_rules_page(request, form, status=400)
        messages.success(
            request,
            _("New partners of %(region)s now also go to %(name)s.")
            % {"region": rule.get_region_display(), "name": rule.manager.display_name},
        )
        return redirect("onboarding:setup_owner_rules")


class OwnerRuleDeleteView(SetupEditMixin, View):
    def post(self, request, pk):
        rule = selectors.setup_owner_rule_get(user=request.user, pk=pk)
        services.owner_rule_delete(actor=request.user, rule=rule)
        messages.success(
            request,
            _("New partners of %(region)s no longer go to %(name)s.")
            % {"region": rule.get_region_display(), "name": rule.manager.display_name},
        )
        return redirect("onboarding:setup_owner_rules")
