"""Account settings pages: the personal profile, personal API tokens (create, name, revoke)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts import selectors, services
from accounts.forms import ApiTokenForm, ProfileForm


class ProfileView(LoginRequiredMixin, View):
    """Every signed-in person's own profile (partner users, channel managers, vendor admins)."""

    template_name = "accounts/profile.html"

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        user = request.user
        initial = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
        return self._render(request, ProfileForm(initial=initial))

    def post(self, request):
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.user_profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._render(request, form, status=400)
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")


class ApiTokenListView(LoginRequiredMixin, View):
    template_name = "accounts/api_tokens.html"

    def _render(self, request, form, issued=None, status=200):
        tokens = selectors.api_token_list_for_user(user=request.user)
        context = {"form": form, "tokens": tokens, "issued": issued}
        response = render(request, self.template_name, context, status=status)
        response["Cache-Control"] = "no-store"  # the new secret is on this page once
        return response

    def get(self, request):
        return self._render(request, ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            issued = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
            )
        except services.TokenError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, status=400)
        return self._render(request, ApiTokenForm(), issued=issued)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        token = selectors.api_token_get_for_user(user=request.user, pk=pk)
        services.api_token_revoke(token=token)
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
        return redirect("api_tokens")
