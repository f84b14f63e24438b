"""API permission classes. Who has which role is decided by the apps' permissions modules (the
same functions the HTML views use); these classes only adapt them to DRF."""

from django.http import Http404
from rest_framework import permissions

from accounts.models import ApiToken
from partners.permissions import is_vendor_staff


class TokenScopePermission(permissions.BasePermission):
    """Authenticated; a request made with a read-scope token may only use safe methods."""

    message = "This token has the read scope; create a token with the write scope to change data."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        auth = request.auth
        return not isinstance(auth, ApiToken) or auth.can_write


def role_required(check):
    """A permission class from a role function ``check(user) -> bool`` (e.g.
    ``partners.permissions.is_vendor_staff``). A user without the role gets 404, as in the UI."""

    class RolePermission(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            if not check(request.user):
                raise Http404("Not found.")
            return True

    RolePermission.__name__ = f"Role_{check.__name__}"
    return RolePermission


VendorStaffOnly = role_required(is_vendor_staff)
