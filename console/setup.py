"""Setup pages that compose several apps: the setup hub (every setup area with a live count) and an
offering's edit page with its adoption rules (partners owns the offering, metrics the rules).

Vendor staff see them (channel managers read the hub; the edit routes answer them 403); partner
users get 404. Views are thin: partners.setup and metrics.services write and refuse.

The hub lists areas by URL name. An area whose page is not installed (its name does not
resolve) or that the user could not open (``partners.permissions.can_open``) is left out, so
the hub works whichever setup pages exist. Counts are read by model label (``apps.get_model``:
an area's model may come with its page) in one query for the whole hub.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, Q, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.selectors import STAFF
from kernel.forms import apply_errors
from metrics.adoption_rules import DEFAULT_OFFERING_RULES
from metrics.forms import AdoptionRuleForm
from metrics.models import OfferingAdoptionRule
from metrics.services import (
    adoption_rule_create,
    adoption_rule_delete,
    adoption_rule_update,
    offering_event_kinds,
)
from partners import setup as partner_setup
from partners.forms import OfferingForm
from partners.models import Offering
from partners.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup, can_open
from partners.setup_views import SetupFormPage

# --- The hub -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    url_name: str
    label: str
    description: str
    model: str | None = None  # "app_label.Model" counted on the hub (None: no count)
    where: Q | None = None


GROUPS = [
    (gettext_lazy("Program"), [
        Area("partners:setup_programs", gettext_lazy("Programs"),
             gettext_lazy("The programs partners join; archive one to stop new joins."),
             "partners.Program"),
        Area("partners:setup_types", gettext_lazy("Partner types"),
             gettext_lazy("Reseller, integrator, referral…: how partners are grouped."),
             "partners.PartnerType"),
        Area("tiers:setup_tiers", gettext_lazy("Tiers"),
             gettext_lazy("Each program's tier ladder, its requirements and benefits."),
             "partners.Tier"),
        Area("partners:setup_offerings", gettext_lazy("Offerings"),
             gettext_lazy("What partners sell and adopt, and how adoption is counted."),
             "partners.Offering"),
    ]),
    (gettext_lazy("Onboarding"), [
        Area("onboarding:setup_checklists", gettext_lazy("Checklists"),
             gettext_lazy("The activation steps new partners go through."),
             "onboarding.ChecklistTemplate"),
        Area("onboarding:setup_agreements", gettext_lazy("Agreements"),
             gettext_lazy("The terms partners accept when they join."),
             "onboarding.Agreement"),
        Area("onboarding:setup_owner_rules", gettext_lazy("Owner rules"),
             gettext_lazy("Which channel manager owns a new partner."),
             "onboarding.OwnerRule"),
        Area("onboarding:setup_experiments", gettext_lazy("Activation experiments"),
             gettext_lazy("Test which checklist activates more new partners."),
             "onboarding.Experiment"),
    ]),
    (gettext_lazy("Deals and incentives"), [
        Area("deals:setup_policies", gettext_lazy("Registration policies"),
             gettext_lazy("How long a registered deal is protected, per program and tier."),
             "deals.RegistrationPolicy"),
        Area("leads:setup_rules", gettext_lazy("Lead routing"),
             gettext_lazy("Which partner gets a vendor lead, and how long it has to answer."),
             "leads.RoutingRule"),
        Area("incentives:setup_award_rules", gettext_lazy("Award rules"),
             gettext_lazy("Points and badges partners earn for what they do."),
             "incentives.AwardRule"),
        Area("incentives:setup_allocations", gettext_lazy("MDF allocations"),
             gettext_lazy("Marketing funds given to partners per period."),
             "incentives.MdfAllocation"),
    ]),
    (gettext_lazy("Enablement"), [
        Area("enablement:setup_courses", gettext_lazy("Courses"),
             gettext_lazy("Courses, lessons and quizzes partners learn from."),
             "enablement.Course"),
        Area("enablement:setup_certifications", gettext_lazy("Certifications"),
             gettext_lazy("What partners are certified in, and for how long."),
             "enablement.Certification"),
        Area("enablement:setup_resources", gettext_lazy("Resources"),
             gettext_lazy("Sales and marketing material in the library."),
             "enablement.Resource"),
    ]),
    (gettext_lazy("Administration"), [
        Area("staff", gettext_lazy("Staff"),
             gettext_lazy("Vendor admins and channel managers, their roles and invitations."),
             "accounts.User", STAFF & Q(is_active=True)),
        Area("partners:import", gettext_lazy("Partner import"),
             gettext_lazy("Bring partners in from a spreadsheet.")),
        Area("partners:setup_sso", gettext_lazy("Single sign-on"),
             gettext_lazy("Company identity providers (OpenID Connect) for partners and staff."),
             "partners.IdentityProvider"),
        Area("webhooks:list", gettext_lazy("Webhooks"),
             gettext_lazy("Send events to your other systems as they happen."),
             "webhooks.WebhookEndpoint"),
        Area("console:setup_translations", gettext_lazy("Translations"),
             gettext_lazy("Which courses, steps, tiers and benefits lack a version in a "
                          "language partners read.")),
        Area("audit:log", gettext_lazy("Audit log"),
             gettext_lazy("Who changed what, including every setup change.")),
    ]),
]  # fmt: skip


def _url(area: Area) -> str | None:
    try:
        return reverse(area.url_name)
    except NoReverseMatch:
        return None


def _model(label: str | None):
    if label is None:
        return None
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def area_counts(areas: list[Area]) -> dict[str, int]:
    """url name → number of rows of the area's model, for every area that counts: one query."""
    parts = []
    for area in areas:
        model = _model(area.model)
        if model is None:
            continue
        rows = model._default_manager.order_by()
        if area.where is not None:
            rows = rows.filter(area.where)
        parts.append(
            rows.annotate(key=Value(area.url_name, output_field=CharField()))
            .values("key")
            .annotate(n=Count("pk"))
            .values_list("key", "n")
        )
    if not parts:
        return {}
    return dict(parts[0].union(*parts[1:], all=True))


def setup_groups(user) -> list[dict]:
    """The hub's groups: the areas installed and open to ``user``, with their counts."""
    shown = []
    for title, areas in GROUPS:
        items = [(a, url) for a in areas if (url := _url(a)) and can_open(user, url)]
        if items:
            shown.append((title, items))
    counts = area_counts([a for _title, items in shown for a, _url in items])
    return [
        {
            "title": title,
            "areas": [{"area": a, "url": url, "count": counts.get(a.url_name)} for a, url in items],
        }
        for title, items in shown
    ]


class SetupHubView(SetupViewMixin, TemplateView):
    template_name = "console/setup_hub.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            groups=setup_groups(self.request.user),
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )


# --- An offering and its adoption rules ----------------------------------------------------------


class OfferingEditView(SetupFormPage):
    """The offering's fields (partners.setup) and, below, its adoption rules (metrics)."""

    form_class = OfferingForm
    title = gettext_lazy("Edit offering")
    section = "offerings"
    template_name = "console/setup_offering.html"

    def load(self):
        self.offering = get_object_or_404(Offering, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.offering

    def cancel_url(self):
        return reverse("partners:setup_offerings")

    def success_url(self, offering):
        return reverse("partners:setup_offering_edit", args=[offering.pk])

    def extra_context(self):
        labels = dict(offering_event_kinds())
        rules = [
            {"rule": r, "kinds": [labels.get(k, k) for k in r.kinds or []]}
            for r in OfferingAdoptionRule.objects.filter(offering=self.offering).order_by("id")
        ]
        defaults = [
            {"rule": r, "kinds": [labels.get(k, k) for k in r.kinds]}
            for r in DEFAULT_OFFERING_RULES
        ]
        return {"offering": self.offering, "rules": rules, "default_rules": defaults}

    def save(self, data):
        return partner_setup.offering_update(
            actor=self.request.user, offering=self.offering, data=data
        )


class _RuleFormPage(SetupEditMixin, View):
    title = ""

    def load(self):
        raise NotImplementedError

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "title": self.title,
            "offering": self.offering,
            "cancel_url": reverse("partners:setup_offering_edit", args=[self.offering.pk]),
        }
        return render(self.request, "console/setup_rule_form.html", context, status=status)

    def make_form(self, data=None):
        return AdoptionRuleForm(data=data, rule=getattr(self, "rule", None))

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(self.make_form())

    def post(self, request, **kwargs):
        self.load()
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            self.save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved. Adoption figures follow the new rules."))
        return redirect(reverse("partners:setup_offering_edit", args=[self.offering.pk]))


class AdoptionRuleCreateView(_RuleFormPage):
    title = gettext_lazy("New adoption rule")

    def load(self):
        self.offering = get_object_or_404(Offering, pk=self.kwargs["pk"])

    def save(self, data):
        adoption_rule_create(actor=self.request.user, offering=self.offering, data=data)


class AdoptionRuleEditView(_RuleFormPage):
    title = gettext_lazy("Edit adoption rule")

    def load(self):
        self.rule = get_object_or_404(
            OfferingAdoptionRule.objects.select_related("offering"), pk=self.kwargs["pk"]
        )
        self.offering = self.rule.offering

    def save(self, data):
        adoption_rule_update(actor=self.request.user, rule=self.rule, data=data)


class AdoptionRuleDeleteView(SetupEditMixin, View):
    def post(self, request, pk):
        rule = get_object_or_404(OfferingAdoptionRule.objects.select_related("offering"), pk=pk)
        adoption_rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("The rule is removed."))
        return redirect(reverse("partners:setup_offering_edit", args=[rule.offering_id]))
