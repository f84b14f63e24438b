"""Who may do what on the tier setup pages. Views call these; nothing re-implements them."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.permissions import RoleRequiredMixin, is_vendor_staff


def can_view_setup(user) -> bool:
    """Vendor staff read the tier ladders (channel managers too); partner users get 404."""
    return is_vendor_staff(user)


def can_edit_setup(user) -> bool:
    """Only vendor admins create, change, reorder or delete tiers, requirements and benefits."""
    return is_vendor_staff(user) and user.is_vendor_admin


class SetupViewMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_view_setup(user)


class SetupEditMixin(SetupViewMixin):
    """Vendor admins only: a channel manager (vendor staff who may read the ladder) gets 403 on
    every edit route and method; partner users still get 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and can_view_setup(user) and not can_edit_setup(user):
            raise PermissionDenied(_("Only vendor admins can change tiers."))
        return super().dispatch(request, *args, **kwargs)
