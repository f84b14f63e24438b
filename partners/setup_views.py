"""Program setup pages: programs, partner types and offerings. Vendor admins edit; channel managers
read the lists (the edit routes answer them 403); partner users get 404. Thin: partners.setup
reads, writes and refuses. The offering's edit page, which also holds its adoption rules, is a
console page (console/setup.py): the rules live in metrics, which partners may not import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from kernel.forms import apply_errors
from partners import setup as services
from partners.forms import OfferingForm, PartnerTypeForm, ProgramForm
from partners.models import Offering, PartnerType, Program
from partners.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup

FORM_TEMPLATE = "partners/setup/form.html"
DELETE_TEMPLATE = "partners/setup/delete.html"


class SetupFormPage(SetupEditMixin, View):
    """GET shows the form, POST calls ``save`` (a service) and redirects; bad input answers 400
    with the errors on the form and nothing lost."""

    form_class = None
    title = ""
    section = ""
    template_name = FORM_TEMPLATE

    def load(self) -> None:
        """Fetch what the URL names (404 when missing) before anything else."""

    def get_instance(self):
        return None

    def cancel_url(self) -> str:
        raise NotImplementedError

    def save(self, data: dict):
        raise NotImplementedError

    def success_url(self, saved) -> str:
        return self.cancel_url()

    def extra_context(self) -> dict:
        return {}

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "title": self.title,
            "section": self.section,
            "cancel_url": self.cancel_url(),
            **self.extra_context(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(self.form_class(instance=self.get_instance()))

    def post(self, request, **kwargs):
        self.load()
        form = self.form_class(data=request.POST, instance=self.get_instance())
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            saved = self.save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved."))
        return redirect(self.success_url(saved))


class SetupActiveView(SetupEditMixin, View):
    """POST ``active=0`` archives, ``active=1`` brings back; a refusal is shown as a message."""

    model = None
    list_url = ""

    def change(self, obj, active: bool):
        raise NotImplementedError

    def post(self, request, pk):
        obj = get_object_or_404(self.model, pk=pk)
        active = request.POST.get("active") == "1"
        try:
            self.change(obj, active)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if active:
                messages.success(request, _("%(name)s is active again.") % {"name": obj})
            else:
                messages.success(request, _("%(name)s is archived.") % {"name": obj})
        return redirect(reverse(self.list_url))


class SetupDeleteView(SetupEditMixin, View):
    """GET: what deleting would need (the references, or a confirmation); POST deletes, or shows
    the page again with the refusal (409) when something still uses the object."""

    model = None
    list_url = ""
    noun = ""

    def destroy(self, obj) -> None:
        """Delete ``obj`` through its service (not ``delete``: that would answer HTTP DELETE)."""
        raise NotImplementedError

    def render_page(self, obj, status=200, error=None):
        context = {
            "object": obj,
            "noun": self.noun,
            "references": services.references(obj),
            "cancel_url": reverse(self.list_url),
            "error": error,
        }
        return render(self.request, DELETE_TEMPLATE, context, status=status)

    def get(self, request, pk):
        return self.render_page(get_object_or_404(self.model, pk=pk))

    def post(self, request, pk):
        obj = get_object_or_404(self.model, pk=pk)
        try:
            self.destroy(obj)
        except ValidationError as exc:
            return self.render_page(obj, status=409, error=" ".join(exc.messages))
        messages.success(request, _("%(name)s is deleted.") % {"name": obj})
        return redirect(reverse(self.list_url))


# --- Programs ------------------------------------------------------------------------------------


class ProgramListView(SetupViewMixin, TemplateView):
    template_name = "partners/setup/program_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            programs=services.setup_program_list(),
            section="programs",
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


class ProgramCreateView(SetupFormPage):
    form_class = ProgramForm
    title = gettext_lazy("New program")
    section = "programs"

    def cancel_url(self):
        return reverse("partners:setup_programs")

    def save(self, data):
        return services.program_create(actor=self.request.user, data=data)


class ProgramEditView(SetupFormPage):
    form_class = ProgramForm
    title = gettext_lazy("Edit program")
    section = "programs"

    def load(self):
        self.program = get_object_or_404(Program, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.program

    def cancel_url(self):
        return reverse("partners:setup_programs")

    def extra_context(self):
        return {"delete_url": reverse("partners:setup_program_delete", args=[self.program.pk])}

    def save(self, data):
        return services.program_update(actor=self.request.user, program=self.program, data=data)


class ProgramActiveView(SetupActiveView):
    model = Program
    list_url = "partners:setup_programs"

    def change(self, obj, active):
        services.program_set_active(actor=self.request.user, program=obj, active=active)


class ProgramDeleteView(SetupDeleteView):
    model = Program
    list_url = "partners:setup_programs"
    noun = gettext_lazy("program")

    def destroy(self, obj):
        services.program_delete(actor=self.request.user, program=obj)


# --- Partner types -------------------------------------------------------------------------------


class PartnerTypeListView(SetupViewMixin, TemplateView):
    template_name = "partners/setup/partner_type_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partner_types=services.setup_partner_type_list(),
            section="types",
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


class PartnerTypeCreateView(SetupFormPage):
    form_class = PartnerTypeForm
    title = gettext_lazy("New partner type")
    section = "types"

    def cancel_url(self):
        return reverse("partners:setup_types")

    def save(self, data):
        return services.partner_type_create(actor=self.request.user, data=data)


class PartnerTypeEditView(SetupFormPage):
    form_class = PartnerTypeForm
    title = gettext_lazy("Edit partner type")
    section = "types"

    def load(self):
        self.partner_type = get_object_or_404(PartnerType, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.partner_type

    def cancel_url(self):
        return reverse("partners:setup_types")

    def extra_context(self):
        return {"delete_url": reverse("partners:setup_type_delete", args=[self.partner_type.pk])}

    def save(self, data):
        return services.partner_type_update(
            actor=self.request.user, partner_type=self.partner_type, data=data
        )


class PartnerTypeDeleteView(SetupDeleteView):
    model = PartnerType
    list_url = "partners:setup_types"
    noun = gettext_lazy("partner type")

    def destroy(self, obj):
        services.partner_type_delete(actor=self.request.user, partner_type=obj)


# --- Offerings -----------------------------------------------------------------------------------


class OfferingListView(SetupViewMixin, TemplateView):
    template_name = "partners/setup/offering_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            offerings=services.setup_offering_list(),
            section="offerings",
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


class OfferingCreateView(SetupFormPage):
    form_class = OfferingForm
    title = gettext_lazy("New offering")
    section = "offerings"

    def cancel_url(self):
        return reverse("partners:setup_offerings")

    def save(self, data):
        return services.offering_create(actor=self.request.user, data=data)

    def success_url(self, offering):
        # the edit page (a console page) holds the adoption rules to set next
        return reverse("partners:setup_offering_edit", args=[offering.pk])


class OfferingActiveView(SetupActiveView):
    model = Offering
    list_url = "partners:setup_offerings"

    def change(self, obj, active):
        services.offering_set_active(actor=self.request.user, offering=obj, active=active)
