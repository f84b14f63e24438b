"""The checklist builder (program setup): vendor admins create checklist templates, edit a draft of
their steps, publish it as a new version and move partners to it; channel managers read the list,
the template page and the partner preview (the edit routes answer them 403); partner users get
404. Thin: onboarding.builder_selectors read, onboarding.builder writes and refuses."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from kernel.forms import apply_errors, flash_refusal
from onboarding import builder
from onboarding import builder_selectors as selectors
from onboarding import selectors as onboarding_selectors
from onboarding.builder_forms import MigrateForm, PreviewForm, StepForm, TemplateForm
from onboarding.choices import STEP_KIND_EVENTS
from partners.permissions import RoleRequiredMixin, is_vendor_staff


def can_edit_setup(user) -> bool:
    return is_vendor_staff(user) and user.is_vendor_admin


class BuilderViewMixin(RoleRequiredMixin):
    """Vendor staff read; everyone else: login page or 404."""

    def has_role(self, user) -> bool:
        return is_vendor_staff(user)


class BuilderEditMixin(BuilderViewMixin):
    """Vendor admins only: a channel manager gets 403 (the setup is no secret to them), partner
    users still 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and is_vendor_staff(user) and not can_edit_setup(user):
            raise PermissionDenied(_("Only vendor admins can change the checklists."))
        return super().dispatch(request, *args, **kwargs)


def _template_url(pk: int) -> str:
    return reverse("onboarding:setup_checklist", args=[pk])


# --- Templates ------------------------------------------------------------------------------------


class ChecklistListView(BuilderViewMixin, TemplateView):
    template_name = "onboarding/builder/template_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            templates=list(selectors.template_list()),
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


class _TemplateFormView(BuilderEditMixin, View):
    template_name = "onboarding/builder/template_form.html"

    def load(self):
        self.template = None

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "template": self.template},
            status=status,
        )

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(TemplateForm(instance=self.template))

    def post(self, request, **kwargs):
        self.load()
        form = TemplateForm(request.POST, instance=self.template)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = {name: form.cleaned_data[name] for name in builder.TEMPLATE_FIELDS}
        try:
            saved = self.save(data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved."))
        return redirect(_template_url(saved.pk))


class TemplateCreateView(_TemplateFormView):
    def save(self, data):
        return builder.template_create(actor=self.request.user, data=data)


class TemplateEditView(_TemplateFormView):
    def load(self):
        self.template = selectors.template_get(pk=self.kwargs["pk"])

    def save(self, data):
        return builder.template_update(actor=self.request.user, template=self.template, data=data)


class TemplateDetailView(BuilderViewMixin, TemplateView):
    template_name = "onboarding/builder/template_detail.html"

    def get_context_data(self, **kwargs):
        template = selectors.template_get(pk=self.kwargs["pk"])
        subjects = selectors.subject_choices(template=template)
        steps = selectors.template_steps(template=template)
        rows = [
            {
                "step": step,
                "subject": selectors.subject_label(step, subjects),
                "waits_for": step.waits_for,
            }
            for step in steps
        ]
        return super().get_context_data(
            template=template,
            rows=rows,
            is_draft=template.draft_changed_at is not None,
            published_count=(
                len(steps) if template.draft_changed_at is None else template.steps.count()
            ),
            counts=selectors.template_partner_counts(template=template),
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


# --- Steps of the draft ---------------------------------------------------------------------------


class _StepFormView(BuilderEditMixin, View):
    template_name = "onboarding/builder/step_form.html"

    def load(self):
        self.template = selectors.template_get(pk=self.kwargs["pk"])
        self.subjects = selectors.subject_choices(template=self.template)
        self.step = None

    def make_form(self, data=None):
        return StepForm(data, subjects=self.subjects, initial_step=self.step)

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "template": self.template,
            "step": self.step,
            "usual_events": {k: v[0] for k, v in STEP_KIND_EVENTS.items()},
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(self.make_form())

    def post(self, request, **kwargs):
        self.load()
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            self.save(form.step_data())
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved in the draft. Publish it when you are ready."))
        return redirect(_template_url(self.template.pk))


class StepAddView(_StepFormView):
    def save(self, data):
        return builder.draft_step_add(actor=self.request.user, template=self.template, data=data)


class StepEditView(_StepFormView):
    def load(self):
        super().load()
        steps = {s.key: s for s in selectors.template_steps(template=self.template)}
        self.step = steps.get(self.kwargs["key"])
        if self.step is None:
            raise Http404("No such step.")

    def save(self, data):
        return builder.draft_step_update(
            actor=self.request.user, template=self.template, key=self.kwargs["key"], data=data
        )


class _DraftAction(BuilderEditMixin, View):
    """A POST-only change of the draft; a refusal is shown as a message."""

    def act(self, request, template, **kwargs) -> None:
        raise NotImplementedError

    def post(self, request, pk, **kwargs):
        template = selectors.template_get(pk=pk)
        try:
            self.act(request, template, **kwargs)
        except ValidationError as exc:
            flash_refusal(request, exc)
        return redirect(_template_url(template.pk))


class StepRemoveView(_DraftAction):
    def act(self, request, template, key):
        builder.draft_step_remove(actor=request.user, template=template, key=key)
        messages.success(request, _("The step is removed from the draft."))


class StepUpView(_DraftAction):
    offset = -1

    def act(self, request, template, key):
        builder.draft_step_move(actor=request.user, template=template, key=key, offset=self.offset)


class StepDownView(StepUpView):
    offset = 1


class ReorderView(BuilderEditMixin, View):
    """The drag-and-drop order (``keys``, every step once). A script gets 204 or 400 with the
    message as JSON; a plain form post is redirected with a message."""

    def post(self, request, pk):
        template = selectors.template_get(pk=pk)
        wants_json = "application/json" in request.headers.get("Accept", "")
        keys = [k for k in request.POST.getlist("keys") if k][: builder.MAX_STEPS + 1]
        try:
            builder.draft_reorder(actor=request.user, template=template, keys=keys)
        except ValidationError as exc:
            if wants_json:
                return JsonResponse({"error": " ".join(exc.messages)}, status=400)
            flash_refusal(request, exc)
            return HttpResponse(" ".join(exc.messages), status=400)
        if wants_json:
            return HttpResponse(status=204)
        return redirect(_template_url(template.pk))


class DraftDiscardView(_DraftAction):
    def act(self, request, template):
        builder.draft_discard(actor=request.user, template=template)
        messages.success(request, _("The draft is discarded."))


# --- Publish, migrate, preview --------------------------------------------------------------------


class PublishView(BuilderEditMixin, View):
    """GET: what publishing changes and how many partners are mid-way; POST: publish."""

    template_name = "onboarding/builder/publish.html"

    def get(self, request, pk):
        template = selectors.template_get(pk=pk)
        if template.draft_changed_at is None:
            messages.info(request, _("There is no draft to publish."))
            return redirect(_template_url(template.pk))
        context = {"template": template, "impact": selectors.publish_impact(template=template)}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        template = selectors.template_get(pk=pk)
        try:
            template = builder.template_publish(actor=request.user, template=template)
        except ValidationError as exc:
            flash_refusal(request, exc)
            return redirect(_template_url(template.pk))
        messages.success(
            request,
            _("Published as version %(version)d. Partners keep their steps until you move them.")
            % {"version": template.version},
        )
        return redirect(_template_url(template.pk))


class MigrateView(BuilderEditMixin, View):
    """GET: who moves to the published version and what each keeps; POST: move them."""

    template_name = "onboarding/builder/migrate.html"

    def render_page(self, template, form=None, status=200):
        context = {
            "template": template,
            "preview": selectors.migrate_preview(template=template),
            "form": form or MigrateForm(initial={"version": template.version}),
            "inline_max": builder.MIGRATE_INLINE_MAX,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(selectors.template_get(pk=pk))

    def post(self, request, pk):
        template = selectors.template_get(pk=pk)
        form = MigrateForm(request.POST)
        if not form.is_valid():
            return self.render_page(template, form, status=400)
        try:
            count, queued = builder.template_migrate_partners(
                actor=request.user, template=template, version=form.cleaned_data["version"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(template, form, status=400)
        if queued:
            message = ngettext(
                "%(n)d partner is being moved in the background.",
                "%(n)d partners are being moved in the background.",
                count,
            )
        else:
            message = ngettext(
                "%(n)d partner now follows the published version.",
                "%(n)d partners now follow the published version.",
                count,
            )
        messages.success(request, message % {"n": count})
        return redirect(_template_url(template.pk))


class PreviewView(BuilderViewMixin, TemplateView):
    """The checklist a partner of the chosen program, type and tier would get today."""

    template_name = "onboarding/builder/preview.html"

    def get_context_data(self, **kwargs):
        form = PreviewForm(self.request.GET or None)
        context = {"form": form, "asked": False}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            ranked = onboarding_selectors.templates_for_audience(
                program_id=data["program"] and data["program"].pk,
                partner_type_id=data["partner_type"] and data["partner_type"].pk,
                tier_id=data["tier"] and data["tier"].pk,
            )
            winner = ranked[0] if ranked else None
            context.update(
                asked=True,
                ranked=ranked,
                winner=winner,
                steps=selectors.preview_steps(template=winner) if winner else [],
            )
        return super().get_context_data(now=timezone.now(), **context, **kwargs)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 400 if context["form"].is_bound and not context["form"].is_valid() else 200
        return self.render_to_response(context, status=status)
