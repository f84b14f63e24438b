"""Per-person middleware: the signed-in person's time zone (``UserTimeZoneMiddleware``), and
two-factor authentication enforced for vendor staff (setting ``PRM_MFA_REQUIRED_FOR_STAFF``).

When it is on, a channel manager, vendor admin or Django staff user without a TOTP authenticator
(``accounts.selectors.user_must_set_up_mfa``) may only set one up and log out: every signed-in
page sends them to allauth's TOTP setup, and the session API (``/api/``) answers a JSON 403
saying so. Partner users are not affected. The allauth pages themselves (``/accounts/``) stay
reachable, so setting it up (and logging out) always works.

A staff member signed in through the staff identity provider meets the requirement when the
admin ticked "trust the IdP's MFA" and the id token's ``amr`` claim names a second factor (mfa,
otp, hwk): ``accounts.sso.SSO_MFA_SESSION_KEY`` on that session, set by the social-account
adapter; never otherwise (an untrusted IdP or a missing claim leaves the TOTP requirement).

A session signed in through a company IdP ends once that IdP's maximum session (hours, its
setup) has passed since the sign-in (``SsoSessionLifetimeMiddleware``, accounts.sso_session):
the person is signed out and sent to sign in again (the API answers a JSON 401).

API tokens are checked where they are authenticated (``accounts.api.authentication``), since this
middleware runs before DRF knows the token's user.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.profile import zone_or_none
from accounts.selectors import user_must_set_up_mfa
from accounts.sso import SSO_MFA_SESSION_KEY

# Paths a staff user without MFA may still reach: allauth (TOTP setup, reauthentication, logout),
# static files and the health check. Everything else, pages and API alike, needs MFA first.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")
API_PREFIX = "/api/"
MFA_REQUIRED_CODE = "mfa_required"


def mfa_required_message() -> str:
    return _(
        "Vendor staff must use two-factor authentication: set up an authenticator app "
        "(Account → Two-factor authentication) to continue."
    )


SSO_SESSION_EXPIRED_CODE = "sso_session_expired"


def sso_session_expired_message() -> str:
    return _("Your company sign-in has expired: sign in again.")


class SsoSessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import logout

        from accounts.sso_session import session_expired

        user = getattr(request, "user", None)
        try:
            expired = user is not None and user.is_authenticated and session_expired(request)
        except (OperationalError, InterfaceError):
            # The database is away: the view's own query meets the same error and answers 503
            # (kernel.middleware.DatabaseUnavailableMiddleware); an error here would be a 500.
            expired = False
        if expired:
            logout(request)  # flushes the session: the SSO keys go with it
            if request.path.startswith(API_PREFIX):
                return JsonResponse(
                    {"detail": sso_session_expired_message(), "code": SSO_SESSION_EXPIRED_CODE},
                    status=401,
                )
            messages.info(request, sso_session_expired_message())
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        return self.get_response(request)


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            not path.startswith(EXEMPT_PREFIXES)
            and not path.startswith(reverse("admin:login"))
            and user_must_set_up_mfa(request.user)
            and not request.session.get(SSO_MFA_SESSION_KEY)
        ):
            if path.startswith(API_PREFIX):
                return JsonResponse(
                    {"detail": mfa_required_message(), "code": MFA_REQUIRED_CODE}, status=403
                )
            messages.warning(request, mfa_required_message())
            return redirect(f"{reverse('mfa_activate_totp')}?next={path}")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Renders every page in the signed-in person's time zone (their profile), or the site's
    TIME_ZONE when they chose none. Stored times stay UTC; only their display changes.

    The API (``/api/``) always answers in UTC, whoever asks and however they authenticate (a
    session or a token): its ISO 8601 times must not change with the caller's profile. A database
    outage while loading the user is left for the view to meet (DatabaseUnavailableMiddleware
    answers it 503)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        try:
            if (
                user is not None
                and not request.path.startswith(API_PREFIX)
                and user.is_authenticated
            ):
                zone = zone_or_none(user.time_zone)
        except (OperationalError, InterfaceError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # a worker thread serves other people next
