"""Account settings pages: the personal profile, personal API tokens (create, name, revoke); the
vendor staff page (vendor admins change roles, deactivate, reactivate and invite; channel
managers read it)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from accounts import selectors, services
from accounts.forms import (
    ApiTokenForm,
    CompanySignInForm,
    ProfileForm,
    StaffInviteForm,
    StaffRoleForm,
)
from accounts.sso import route_for_email


class LanguageView(View):
    """The language switcher (user menu; a compact one on anonymous pages). POST only, CSRF
    checked. A signed-in person's choice is saved to their profile; everyone gets the language
    cookie, so the choice holds on the sign-in page too. Back to ``next`` when it is on this
    site, else home. An unknown language is a 400 that changes nothing."""

    http_method_names = ["post"]

    def post(self, request):
        language = request.POST.get("language", "")
        if not language or language not in dict(settings.LANGUAGES):
            return HttpResponseBadRequest(_("Choose a language from the list."))
        if request.user.is_authenticated:
            services.user_language_set(user=request.user, language=language)
        target = request.POST.get("next") or request.headers.get("Referer") or ""
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("home")
        translation.activate(language)
        response = redirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response


class ProfileView(LoginRequiredMixin, View):
    """Every signed-in person's own profile (partner users, channel managers, vendor admins)."""

    template_name = "accounts/profile.html"

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        user = request.user
        initial = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
        initial["weekly_digest"] = user.weekly_digest
        return self._render(request, ProfileForm(initial=initial, staff=user.is_channel_manager))

    def post(self, request):
        form = ProfileForm(request.POST, staff=request.user.is_channel_manager)
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
        messages.success(
            request,
            _("Token “%(token_name)s” revoked: it no longer works.") % {"token_name": token.name},
        )
        return redirect("api_tokens")


class _VendorStaffOnly(LoginRequiredMixin):
    """Anonymous → login page; partner users → 404; channel managers read, vendor admins act
    (``admin_only`` views answer channel managers 403)."""

    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if not user.is_channel_manager:
                raise Http404("Not found.")
            if self.admin_only and not user.is_vendor_admin:
                raise PermissionDenied(_("Only vendor admins manage vendor staff."))
        return super().dispatch(request, *args, **kwargs)


class StaffListView(_VendorStaffOnly, View):
    template_name = "accounts/staff.html"

    def _render(self, request, form, status=200):
        context = {
            "staff": selectors.staff_list(),
            "form": form,
            "can_manage": request.user.is_vendor_admin,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, StaffInviteForm())

    def post(self, request):  # invite
        if not request.user.is_vendor_admin:
            raise PermissionDenied(_("Only vendor admins manage vendor staff."))
        form = StaffInviteForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            user = services.staff_invite(actor=request.user, **form.cleaned_data)
        except services.StaffError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, status=400)
        messages.success(
            request,
            _("%(name)s is invited: an email with a link to choose a password is on its way.")
            % {"name": user.display_name},
        )
        return redirect("staff")


class _StaffActionView(_VendorStaffOnly, View):
    admin_only = True

    def act(self, request, user):
        raise NotImplementedError

    def post(self, request, pk: int):
        user = selectors.staff_get(pk=pk)
        try:
            message = self.act(request, user)
        except services.StaffError as exc:
            messages.error(request, str(exc))
            return redirect("staff")
        messages.success(request, message)
        return redirect("staff")


class StaffRoleView(_StaffActionView):
    def post(self, request, pk: int):
        form = StaffRoleForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose channel manager or vendor admin."))
        self.role = form.cleaned_data["role"]
        return super().post(request, pk)

    def act(self, request, user):
        user = services.staff_change_role(actor=request.user, user=user, role=self.role)
        return _("%(name)s is now a %(role)s.") % {
            "name": user.display_name,
            "role": dict(StaffRoleForm.base_fields["role"].choices)[self.role].lower(),
        }


class StaffDeactivateView(_StaffActionView):
    def act(self, request, user):
        user = services.staff_deactivate(actor=request.user, user=user)
        return _("%(name)s is deactivated and can no longer sign in.") % {"name": user.display_name}


class StaffReactivateView(_StaffActionView):
    def act(self, request, user):
        user = services.staff_reactivate(actor=request.user, user=user)
        return _("%(name)s is active again.") % {"name": user.display_name}


class StaffResendInvitationView(_StaffActionView):
    def act(self, request, user):
        user = services.staff_resend_invitation(actor=request.user, user=user)
        return _("The invitation to %(name)s was sent again.") % {"name": user.display_name}


class CompanySignInView(View):
    """ "Sign in with your company account": the person gives their work email and is sent to the
    identity provider that serves its domain (``accounts.sso``), through allauth's OpenID Connect
    login (state, nonce and PKCE stashed in the session) or SAML login (an AuthnRequest whose ID
    is the stashed state's). An address no provider serves is told
    to use a password. Providers are never listed, so the page does not publish who the partners
    are."""

    template_name = "account/company_sign_in.html"

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        return self._render(request, CompanySignInForm(initial={"email": request.GET.get("email")}))

    def post(self, request):
        from allauth.core import ratelimit
        from allauth.socialaccount.adapter import get_adapter
        from allauth.socialaccount.models import SocialApp
        from django.utils.http import url_has_allowed_host_and_scheme

        # Each try makes the server fetch the IdP's discovery document: the login's rate limit.
        if response := ratelimit.consume_or_429(request, action="login"):
            return response
        form = CompanySignInForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        route = route_for_email(form.cleaned_data["email"])
        if route is None:
            form.add_error(
                "email",
                _(
                    "Your company does not sign in through its own identity provider here: "
                    "use your email and password."
                ),
            )
            return self._render(request, form, status=400)
        try:
            provider = get_adapter(request).get_provider(request, provider=route.provider_id)
        except SocialApp.DoesNotExist:
            form.add_error("email", _("This sign-in method is not available any more."))
            return self._render(request, form, status=400)
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        return provider.redirect(request, "login", next_url=next_url or None)
