"""Who may do what. Views and (later) API permission classes call these; nothing re-implements them."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from partners.selectors import membership_for_user


def is_partner_member(user) -> bool:
    return user.is_authenticated and user.is_active and membership_for_user(user) is not None


def is_partner_admin(user) -> bool:
    membership = membership_for_user(user) if user.is_authenticated else None
    return membership is not None and membership.is_admin and user.is_active


def is_vendor_staff(user) -> bool:
    return user.is_authenticated and user.is_channel_manager


def can_reassign_owner(user, partner) -> bool:
    """Who may change a partner's owning channel manager: a vendor admin, or the current owner
    handing the partner over. Another channel manager may not take it (the owner alone approves
    its funds and overrides its tier), and nobody claims an unassigned partner but an admin."""
    if not is_vendor_staff(user):
        return False
    return user.is_vendor_admin or (partner.owner_id is not None and partner.owner_id == user.pk)


class RoleRequiredMixin(AccessMixin):
    """Anonymous → login page; a logged-in user without the role → 404 (nothing to see here).
    Subclasses (in any app) say who has the role in ``has_role``."""

    def has_role(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_role(request.user):
            raise Http404("Not found.")
        return super().dispatch(request, *args, **kwargs)


class PartnerMemberRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return is_partner_member(user)


class PartnerAdminRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return is_partner_admin(user)


class VendorStaffRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return is_vendor_staff(user)


def can_override_tier(user, partner) -> bool:
    """Vendor admins may override any partner's tier, a channel manager those they own."""
    return (
        user.is_authenticated
        and user.is_channel_manager
        and (user.is_vendor_admin or partner.owner_id == user.pk)
    )


def can_change_status(user, partner) -> bool:
    """Who may move a partner along its lifecycle by hand (the partner list's bulk action; the
    moves themselves are ``services.partner_set_status``'s): as for tier overrides, vendor admins
    any partner, a channel manager the partners they own."""
    return can_override_tier(user, partner)


def can_email_partner_admins(user, partner) -> bool:
    """Who may write to a partner's admins on the program's behalf (the partner list's bulk
    email): vendor admins any partner, a channel manager the partners they own."""
    return can_override_tier(user, partner)


def can_open(user, url: str) -> bool:
    """Whether ``user`` may open the page at ``url`` (a path on this site), judged by the role its
    view requires (a ``RoleRequiredMixin`` view's ``has_role``). Pages use it to leave out links a
    role would get a 404 for (a partner user is not sent to the partner admins' team page).
    Pages without a role check, and anything that is not one of our paths, count as openable."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    parts = urlsplit(url or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return True
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, RoleRequiredMixin):
        return True
    return user.is_authenticated and view_class().has_role(user)


# --- Program setup pages (programs, partner types, offerings, and the setup hub) -----------------


def can_view_setup(user) -> bool:
    """Vendor staff see the program setup pages (channel managers read only); partners get 404."""
    return is_vendor_staff(user)


def can_edit_setup(user) -> bool:
    """Only vendor admins create, change, archive or delete program setup."""
    return is_vendor_staff(user) and user.is_vendor_admin


class SetupViewMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_view_setup(user)


class SetupEditMixin(SetupViewMixin):
    """Vendor admins only. A channel manager may read the setup lists, so the edit routes answer
    them 403 (nothing secret to hide); partner users still get 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and can_view_setup(user) and not can_edit_setup(user):
            raise PermissionDenied(_("Only vendor admins can change the program setup."))
        return super().dispatch(request, *args, **kwargs)
