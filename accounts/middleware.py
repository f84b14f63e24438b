"""Two-factor authentication enforced for vendor staff (setting ``PRM_MFA_REQUIRED_FOR_STAFF``).

When it is on, a channel manager, vendor admin or Django staff user without a TOTP authenticator
is sent to allauth's TOTP setup page before any staff page (``/manage/``, ``/admin/``) is served.
Partner users are not affected. The allauth pages themselves stay reachable, so setting it up
(and logging out) always works.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

STAFF_PREFIXES = ("/manage/", "/admin/")


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
