"""Staff pages for webhooks (vendor admins): register endpoints (the secret is shown once), see
deliveries and their attempts, send a test delivery, enable/disable, delete."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views import View

from partners.permissions import RoleRequiredMixin
from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.permissions import can_manage_webhooks

RECENT_DELIVERIES = 25
ACTIONS = {"test", "enable", "disable", "delete"}


class _AdminOnly(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_manage_webhooks(user)


class EndpointListView(_AdminOnly, View):
    template_name = "webhooks/endpoint_list.html"

    def _render(self, request, form, issued=None, status=200):
        context = {
            "form": form,
            "endpoints": selectors.endpoint_list_for_user(user=request.user),
            "issued": issued,
        }
        response = render(request, self.template_name, context, status=status)
        response["Cache-Control"] = "no-store"  # the new secret is on this page once
        return response

    def get(self, request):
        return self._render(request, EndpointForm())

    def post(self, request):
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            issued = services.endpoint_create(by=request.user, **form.cleaned_data)
        except services.WebhookError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, status=400)
        return self._render(request, EndpointForm(), issued=issued)


class EndpointDetailView(_AdminOnly, View):
    def get(self, request, pk: int):
        endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
        deliveries = selectors.delivery_list_for_user(user=request.user).filter(endpoint=endpoint)[
            :RECENT_DELIVERIES
        ]
        context = {"endpoint": endpoint, "deliveries": deliveries}
        return render(request, "webhooks/endpoint_detail.html", context)


class EndpointActionView(_AdminOnly, View):
    """POST test / enable / disable / delete."""

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404("No such action.")
        endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
        if action == "test":
            services.delivery_send_test(endpoint=endpoint, by=request.user)
            messages.success(
                request, gettext_lazy("Test delivery queued; its attempt appears below.")
            )
        elif action in ("enable", "disable"):
            services.endpoint_update(
                endpoint=endpoint, is_active=action == "enable", by=request.user
            )
            messages.success(
                request,
                gettext_lazy("Endpoint enabled.")
                if action == "enable"
                else gettext_lazy("Endpoint disabled."),
            )
        elif action == "delete":
            services.endpoint_delete(endpoint=endpoint, by=request.user)
            messages.success(request, gettext_lazy("Endpoint deleted."))
            return redirect("webhooks:list")
        return redirect("webhooks:detail", pk=endpoint.pk)
