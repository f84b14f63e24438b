"""Lead pages. Vendor staff: the lead list, intake form and detail with each offer's why
(``/manage/leads/``), and the routing setup (``/manage/setup/lead-routing/``). Partners: the lead
inbox (``/leads/``), accept / decline, status updates and the conversion into a deal
registration. Thin: selectors read, services write, permissions decide."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kernel.forms import apply_errors, flash_refusal
from leads import imports, selectors, services, setup_services
from leads.choices import ROUTABLE_STATUSES, WORKING_STATUSES, OfferState
from leads.facts import certification_names, open_leads_by_partner
from leads.forms import (
    DeclineForm,
    ImportForm,
    LeadFilterForm,
    LeadForm,
    RoutingRuleForm,
    SlaForm,
    StatusForm,
)
from leads.models import DEFAULT_SLA_HOURS
from leads.permissions import (
    PartnerMemberRequiredMixin,
    SetupEditMixin,
    SetupViewMixin,
    VendorStaffRequiredMixin,
    can_answer,
    can_edit_setup,
    check_can_answer,
)
from partners.choices import Region

# --- Vendor staff ---------------------------------------------------------------------------------


class LeadListView(VendorStaffRequiredMixin, View):
    def get(self, request):
        form = LeadFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        qs = selectors.lead_list_for_staff(**{k: v for k, v in filters.items() if v})
        page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
        leads = list(page.object_list)
        protection = selectors.protection_for(leads)
        for lead in leads:
            lead.protection = protection.get(lead.domain)
        params = request.GET.copy()
        params.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "leads": leads,
            "filters_query": params.urlencode(),
        }
        return render(
            request,
            "leads/manage_list.html",
            context,
            status=200 if form.is_valid() or not request.GET else 400,
        )


class LeadCreateView(VendorStaffRequiredMixin, View):
    def render_form(self, form, status=200):
        return render(self.request, "leads/manage_form.html", {"form": form}, status=status)

    def get(self, request):
        return self.render_form(LeadForm(initial={"source": "website"}))

    def post(self, request):
        form = LeadForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = dict(form.cleaned_data)
        try:
            lead, created = services.lead_create(actor=request.user, via="form", **data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        if not created:
            messages.info(request, _("A lead with this external id exists already: here it is."))
        elif lead.status == "offered":
            messages.success(request, _("Lead saved and offered to a partner."))
        else:
            messages.warning(request, _("Lead saved; no routing rule found a partner for it."))
        return redirect("leads:manage_detail", lead.pk)


WHY_LABELS = {
    "region": gettext_lazy("region"),
    "country": gettext_lazy("country"),
    "offerings": gettext_lazy("offerings"),
    "type": gettext_lazy("type"),
    "tier": gettext_lazy("tier"),
    "tier_rank": gettext_lazy("tier rank"),
    "certification": gettext_lazy("certification"),
    "open_leads": gettext_lazy("open leads"),
    "capacity": gettext_lazy("capacity"),
    "weight": gettext_lazy("weight"),
    "offered_by_rule": gettext_lazy("leads from this rule so far"),
    "acceptance_rate": gettext_lazy("acceptance rate, 180 days (%)"),
    "answered_offers": gettext_lazy("offers answered, 180 days"),
    "min_acceptance_rate": gettext_lazy("acceptance rate required (%)"),
    "adoption_score": gettext_lazy("adoption score"),
    "min_adoption_score": gettext_lazy("adoption score required"),
}


def _region_name(code) -> str:
    return str(dict(Region.choices).get(code, code))


def why_lines(values: dict) -> list[tuple[str, str]]:
    """An offer's why values as (label, text) pairs for the page."""
    lines = []
    for key, value in (values or {}).items():
        if key == "region":  # stored as its code: shown by its name
            value = (
                [_region_name(v) for v in value] if isinstance(value, list) else _region_name(value)
            )
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if value is None:  # no acceptance rate: under 3 answered offers
            text = ""
        lines.append((str(WHY_LABELS.get(key, key)), text or "—"))
    return lines


class LeadImportView(VendorStaffRequiredMixin, View):
    """A dry run lists what each row would do; the import creates the valid rows (each routed)
    and lists the others with their errors."""

    def render_page(self, form, report=None, status=200):
        context = {"form": form, "report": report, "max_rows": imports.MAX_ROWS}
        return render(self.request, "leads/import.html", context, status=status)

    def get(self, request):
        return self.render_page(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            report = imports.run(
                actor=request.user, file=data["file"], program=data["program"],
                dry_run=data["dry_run"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error("file", exc.messages)
            return self.render_page(form, status=400)
        except imports.FileError as exc:
            form.add_error("file", str(exc))
            return self.render_page(form, status=400)
        if not report.dry_run and report.created:
            messages.success(request, _("%(n)s leads imported and routed.") % {"n": report.created})
        return self.render_page(ImportForm(initial={"program": data["program"]}), report)


class LeadDetailView(VendorStaffRequiredMixin, View):
    def get(self, request, pk):
        lead = selectors.lead_get_for_staff(pk=pk)
        protection = selectors.protection_for([lead]).get(lead.domain)
        offers = list(lead.offers.all())
        for offer in offers:
            offer.why_lead = why_lines(offer.why.get("lead"))
            offer.why_partner = why_lines(offer.why.get("partner"))
        context = {
            "lead": lead,
            "offers": offers,
            "protection": protection,
            "can_route": lead.status in ROUTABLE_STATUSES,
        }
        return render(request, "leads/manage_detail.html", context)


class LeadRouteView(VendorStaffRequiredMixin, View):
    def post(self, request, pk):
        lead = selectors.lead_get_for_staff(pk=pk)
        try:
            offer = services.lead_route(lead=lead, actor=request.user)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            if offer is None:
                messages.warning(request, _("No routing rule found a partner for this lead."))
            else:
                messages.success(
                    request, _("Offered to %(partner)s.") % {"partner": offer.partner.name}
                )
        return redirect("leads:manage_detail", lead.pk)


# --- Setup: routing rules and answer times -------------------------------------------------------


class RuleListView(SetupViewMixin, View):
    def get(self, request):
        rules = list(selectors.rule_list())
        names = certification_names() if any(r.certification_id for r in rules) else {}
        for rule in rules:
            rule.certification_name = names.get(rule.certification_id or 0, "")
        context = {
            "rules": rules,
            "slas": list(selectors.sla_list()),
            "default_sla": DEFAULT_SLA_HOURS,
            "sla_form": SlaForm(initial={"hours": DEFAULT_SLA_HOURS}),
            "can_edit": can_edit_setup(request.user),
        }
        return render(request, "leads/setup/rule_list.html", context)


class _RuleFormView(SetupEditMixin, View):
    title = ""
    rule = None

    def load(self):
        """Fetch what the URL names (404 when missing)."""

    def make_form(self, *args, **kwargs):
        choices = sorted(certification_names().items(), key=lambda kv: kv[1])
        return RoutingRuleForm(*args, certifications=choices, **kwargs)

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "title": self.title,
            "rule": self.rule,
            "cancel_url": reverse("leads:setup_rules"),
        }
        return render(self.request, "leads/setup/rule_form.html", context, status=status)

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
        messages.success(request, _("Saved."))
        return redirect("leads:setup_rules")


class RuleCreateView(_RuleFormView):
    title = gettext_lazy("New routing rule")

    def get(self, request):
        return self.render_form(
            self.make_form(
                initial={"position": 10, "is_active": True, "same_region": True, "offer_count": 1}
            )
        )

    def save(self, data):
        return setup_services.rule_create(actor=self.request.user, **data)


class RuleEditView(_RuleFormView):
    title = gettext_lazy("Edit routing rule")

    def load(self):
        self.rule = selectors.rule_get(pk=self.kwargs["pk"])

    def get(self, request, pk):
        self.load()
        r = self.rule
        initial = {
            "name": r.name, "program": r.program_id, "position": r.position,
            "is_active": r.is_active, "regions": r.regions, "countries": r.countries,
            "offerings": list(r.offerings.all()), "same_region": r.same_region,
            "partner_types": list(r.partner_types.all()), "tiers": list(r.tiers.all()),
            "certification_id": r.certification_id, "max_open_leads": r.max_open_leads,
            "min_acceptance_rate": r.min_acceptance_rate,
            "min_adoption_score": r.min_adoption_score, "strategy": r.strategy, "offer_count": r.offer_count,
        }  # fmt: skip
        return self.render_form(self.make_form(initial=initial))

    def save(self, data):
        return setup_services.rule_update(actor=self.request.user, rule=self.rule, **data)


class RuleDeleteView(SetupEditMixin, View):
    def get(self, request, pk):
        rule = selectors.rule_get(pk=pk)
        return render(
            request,
            "leads/setup/rule_delete.html",
            {"rule": rule, "cancel_url": reverse("leads:setup_rules")},
        )

    def post(self, request, pk):
        rule = selectors.rule_get(pk=pk)
        setup_services.rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("The rule is deleted."))
        return redirect("leads:setup_rules")


class SlaSetView(SetupEditMixin, View):
    def post(self, request):
        form = SlaForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("leads:setup_rules")
        try:
            setup_services.sla_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("leads:setup_rules")


# --- A partner's lead inbox -----------------------------------------------------------------------

INBOX_TABS = (
    ("", gettext_lazy("All")),
    (OfferState.OFFERED, gettext_lazy("Waiting for your answer")),
    (OfferState.ACCEPTED, gettext_lazy("Accepted")),
)


class InboxView(PartnerMemberRequiredMixin, View):
    def get(self, request):
        state = request.GET.get("state", "")
        if state not in dict(INBOX_TABS):
            state = ""
        qs = selectors.inbox_for_user(user=request.user, state=state)
        page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"page": page, "state": state, "tabs": INBOX_TABS}
        return render(request, "leads/inbox.html", context)


def convert_url(lead) -> str:
    """The deal registration form, pre-filled with the lead's customer (deals reads these
    query parameters as its form's initial values)."""
    params = {
        "customer_name": lead.company,
        "customer_domain": lead.domain,
        "customer_country": lead.country.code or "",
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "contact_phone": lead.contact_phone,
        "notes": _("From the vendor's lead %(company)s.") % {"company": lead.company},
    }
    return reverse("deals:create") + "?" + urlencode({k: v for k, v in params.items() if v})


class InboxDetailView(PartnerMemberRequiredMixin, View):
    def get(self, request, pk, forms=None):
        offer = selectors.offer_get_for_user(user=request.user, lead_pk=pk)
        lead = offer.lead
        forms = forms or {}
        mine = lead.partner_id == offer.partner_id and offer.state == OfferState.ACCEPTED
        context = {
            "offer": offer,
            "lead": lead,
            "mine": mine,
            "working": mine and lead.status in WORKING_STATUSES,
            "can_answer": can_answer(request.user) and offer.state == OfferState.OFFERED,
            "decline_form": forms.get("decline") or DeclineForm(),
            "status_form": forms.get("status") or StatusForm(),
            "open_leads": open_leads_by_partner([offer.partner_id]).get(offer.partner_id, 0),
        }
        return render(request, "leads/inbox_detail.html", context, status=400 if forms else 200)


class AcceptView(PartnerMemberRequiredMixin, View):
    def post(self, request, pk):
        offer = selectors.offer_get_for_user(user=request.user, lead_pk=pk)
        check_can_answer(request.user)
        try:
            services.offer_accept(offer=offer, actor=request.user)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Lead accepted: it is yours to work on."))
        return redirect("leads:inbox_detail", pk)


class DeclineView(InboxDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        offer = selectors.offer_get_for_user(user=request.user, lead_pk=pk)
        check_can_answer(request.user)
        form = DeclineForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, forms={"decline": form})
        try:
            services.offer_decline(
                offer=offer, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
                return self.get(request, pk, forms={"decline": form})
            flash_refusal(request, exc)
            return redirect("leads:inbox_detail", pk)
        messages.success(request, _("Lead declined; it goes to another partner."))
        return redirect("leads:inbox")


class StatusView(InboxDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        offer = selectors.offer_get_for_user(user=request.user, lead_pk=pk)
        form = StatusForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, forms={"status": form})
        if offer.state != OfferState.ACCEPTED:
            messages.error(request, _("Accept the lead before updating it."))
            return redirect("leads:inbox_detail", pk)
        try:
            services.lead_set_status(lead=offer.lead, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
                return self.get(request, pk, forms={"status": form})
            flash_refusal(request, exc)
            return redirect("leads:inbox_detail", pk)
        messages.success(request, _("Lead updated."))
        return redirect("leads:inbox_detail", pk)


class ConvertView(PartnerMemberRequiredMixin, View):
    """To the deal registration form, pre-filled from the lead; the registration, once
    submitted, converts the lead (``leads.conversions``)."""

    def get(self, request, pk):
        offer = selectors.offer_get_for_user(user=request.user, lead_pk=pk)
        lead = offer.lead
        if offer.state != OfferState.ACCEPTED or lead.status not in WORKING_STATUSES:
            messages.error(request, _("Only a lead you accepted and still work on converts."))
            return redirect("leads:inbox_detail", pk)
        return redirect(convert_url(lead))
