"""Per-person middleware: the signed-in person's time zone (``UserTimeZoneMiddleware``), and
two-factor authentication enforced for vendor staff (setting ``PRM_MFA_REQUIRED_FOR_STAFF``).

When it is on, a channel manager, vendor admin or Django staff user without a TOTP authenticator
is sent to allauth's TOTP setup page before any staff page (``/manage/``, ``/admin/``) is served.
Partner users are not affected. The allauth pages themselves stay reachable, so setting it up
(and logging out) always works.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.profile import zone_or_none

STAFF_PREFIXES = ("/manage/", "/admin/")
API_PREFIX = "/api/"


def _needs_mfa(user) -> bool:
    if not (user.is_authenticated and (user.is_staff or user.is_channel_manager)):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PRM_MFA_REQUIRED_FOR_STAFF
            and request.path.startswith(STAFF_PREFIXES)
            and not request.path.startswith(reverse("admin:login"))
            and _needs_mfa(request.user)
        ):
            messages.warning(
                request,
                "Vendor staff must use two-factor authentication: set up an authenticator app "
                "to continue.",
            )
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
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
