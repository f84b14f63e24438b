"""API permission classes. Who has which role is decided by the apps' permissions modules (the
same functions the HTML views use); these classes only adapt them to DRF. The kernel knows no
role itself: an app builds its classes with ``role_required`` (``partners.api.permissions``)."""

from django.http import Http404
from rest_framework import permissions


class TokenScopePermission(permissions.BasePermission):
    """Authenticated; a request made with a read-scope token may only use safe methods.

    The scope is read from the credentials an authentication class put in ``request.auth``: one
    with a ``can_write`` attribute (``accounts.ApiToken``, set by
    ``accounts.api.authentication``) says whether it may write; a session has no such
    credentials and is not limited here."""

    message = "This token has the read scope; create a token with the write scope to change data."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(getattr(request.auth, "can_write", True))


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
