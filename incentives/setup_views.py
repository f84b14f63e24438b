"""Incentives' setup pages: award rules (points and badges for events) and MDF allocations. Vendor
admins edit; channel managers read (the edit routes answer them 403); partner users get 404.
Thin: setup_selectors read, incentives.services.setup writes and refuses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from incentives import setup_selectors as selectors
from incentives.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup
from incentives.services import setup as services
from incentives.setup_forms import AllocationAmountForm, AwardRuleSetupForm
from kernel.forms import apply_errors
from kernel.query import query_id

PAGE_SIZE = 50


# --- Award rules --------------------------------------------------------------------------------


class RuleListView(SetupViewMixin, View):
    """The award rules: what partners earn points and badges for, and how often it was given."""

    def get(self, request):
        rules = selectors.setup_rule_list(user=request.user)
        page = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"page": page, "can_edit": can_edit_setup(request.user)}
        return render(request, "incentives/setup/rule_list.html", context)


class _RuleFormView(SetupEditMixin, View):
    title = ""
    rule = None

    def load(self):
        """Fetch what the URL names (404 when missing)."""

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "title": self.title,
            "rule": self.rule,
            "cancel_url": reverse("incentives:setup_award_rules"),
        }
        return render(self.request, "incentives/setup/rule_form.html", context, status=status)

    def post(self, request, **kwargs):
        self.load()
        form = AwardRuleSetupForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            self.save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved. The rule applies to events from now on."))
        return redirect("incentives:setup_award_rules")


class RuleCreateView(_RuleFormView):
    title = gettext_lazy("New award rule")

    def get(self, request):
        return self.render_form(AwardRuleSetupForm())

    def save(self, data):
        return services.award_rule_create(actor=self.request.user, data=data)


class RuleEditView(_RuleFormView):
    title = gettext_lazy("Edit award rule")

    def load(self):
        self.rule = selectors.setup_rule_get(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, pk):
        self.load()
        return self.render_form(AwardRuleSetupForm(instance=self.rule))

    def save(self, data):
        return services.award_rule_update(actor=self.request.user, rule=self.rule, data=data)


class RuleActiveView(SetupEditMixin, View):
    """``deactivate`` (no new awards; given ones stay) or ``activate`` a rule."""

    active = False

    def post(self, request, pk):
        rule = selectors.setup_rule_get(user=request.user, pk=pk)
        services.award_rule_set_active(actor=request.user, rule=rule, active=self.active)
        if self.active:
            messages.success(request, _("“%(name)s” gives awards again.") % {"name": rule.name})
        else:
            messages.success(
                request,
                _("“%(name)s” is deactivated: it gives no new awards.") % {"name": rule.name},
            )
        return redirect("incentives:setup_award_rules")


# --- MDF allocations ----------------------------------------------------------------------------


class AllocationListView(SetupViewMixin, View):
    """Every partner's allocations by period: allocated, approved, paid, what is left and what
    waits for a decision."""

    def get(self, request):
        partner_id = query_id(request, "partner")
        period = request.GET.get("period", "")[:20]
        allocations = selectors.setup_allocation_list(
            user=request.user, partner_id=partner_id, period=period
        )
        page = Paginator(allocations, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "partners": selectors.partner_choices(),
            "periods": selectors.allocation_periods(),
            "partner_id": partner_id,
            "period": period,
            "can_edit": can_edit_setup(request.user),
        }
        return render(request, "incentives/setup/allocation_list.html", context)


class AllocationEditView(SetupEditMixin, View):
    """Change an allocation's amount (never below what is already approved)."""

    def _render(self, form, allocation, status=200):
        context = {
            "form": form,
            "allocation": allocation,
            "references": services.allocation_references(allocation=allocation),
        }
        return render(self.request, "incentives/setup/allocation_form.html", context, status=status)

    def get(self, request, pk):
        allocation = selectors.setup_allocation_get(user=request.user, pk=pk)
        return self._render(AllocationAmountForm(initial={"amount": allocation.amount}), allocation)

    def post(self, request, pk):
        allocation = selectors.setup_allocation_get(user=request.user, pk=pk)
        form = AllocationAmountForm(request.POST)
        if not form.is_valid():
            return self._render(form, allocation, status=400)
        try:
            services.allocation_amount_set(
                actor=request.user, allocation=allocation, amount=form.cleaned_data["amount"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self._render(form, allocation, status=400)
        messages.success(request, _("Saved."))
        return redirect("incentives:setup_allocations")


class AllocationDeleteView(SetupEditMixin, View):
    def post(self, request, pk):
        allocation = selectors.setup_allocation_get(user=request.user, pk=pk)
        try:
            services.allocation_delete(actor=request.user, allocation=allocation)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("incentives:setup_allocation_edit", pk=pk)
        messages.success(request, _("The allocation is deleted."))
        return redirect("incentives:setup_allocations")
