"""The registration-policy setup page: protection days per program and tier. Vendor admins edit;
channel managers read (the edit routes answer them 403); partner users get 404. Thin:
deals.setup_selectors read, deals.setup_services write and refuse."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from deals import setup_selectors as selectors
from deals import setup_services as services
from deals.choices import DEFAULT_PROTECTION_DAYS, DEFAULT_WARNING_DAYS
from deals.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup
from deals.setup_forms import RegistrationPolicyForm
from kernel.forms import apply_errors


class PolicyListView(SetupViewMixin, View):
    def get(self, request):
        policies = list(selectors.setup_policy_list(user=request.user))
        reach = selectors.policy_reach(policies)
        for policy in policies:
            policy.reach = reach.get(policy.pk)
        context = {
            "policies": policies,
            "default_days": DEFAULT_PROTECTION_DAYS,
            "default_warning": DEFAULT_WARNING_DAYS,
            "can_edit": can_edit_setup(request.user),
        }
        return render(request, "deals/setup/policy_list.html", context)


class _PolicyFormView(SetupEditMixin, View):
    title = ""
    policy = None

    def load(self):
        """Fetch what the URL names (404 when missing)."""

    def render_form(self, form, status=200):
        reach = selectors.policy_reach([self.policy]).get(self.policy.pk) if self.policy else None
        context = {
            "form": form,
            "title": self.title,
            "policy": self.policy,
            "reach": reach,
            "cancel_url": reverse("deals:setup_policies"),
        }
        return render(self.request, "deals/setup/policy_form.html", context, status=status)

    def post(self, request, **kwargs):
        self.load()
        form = RegistrationPolicyForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            self.save(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved."))
        return redirect("deals:setup_policies")


class PolicyCreateView(_PolicyFormView):
    title = gettext_lazy("New registration policy")

    def get(self, request):
        initial = {"protection_days": DEFAULT_PROTECTION_DAYS, "warning_days": DEFAULT_WARNING_DAYS}
        return self.render_form(RegistrationPolicyForm(initial=initial))

    def save(self, **data):
        return services.registration_policy_create(actor=self.request.user, **data)


class PolicyEditView(_PolicyFormView):
    title = gettext_lazy("Edit registration policy")

    def load(self):
        self.policy = selectors.setup_policy_get(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, pk):
        self.load()
        return self.render_form(RegistrationPolicyForm(instance=self.policy))

    def save(self, **data):
        return services.registration_policy_update(
            actor=self.request.user, policy=self.policy, **data
        )


class PolicyDeleteView(SetupEditMixin, View):
    def post(self, request, pk):
        policy = selectors.setup_policy_get(user=request.user, pk=pk)
        services.registration_policy_delete(actor=request.user, policy=policy)
        messages.success(request, _("The policy is deleted."))
        return redirect("deals:setup_policies")
