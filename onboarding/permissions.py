"""Who may do what in onboarding. Reuses the partner roles; nothing re-implements them."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.permissions import (
    PartnerAdminRequiredMixin,
    PartnerMemberRequiredMixin,
    VendorStaffRequiredMixin,
    can_reassign_owner,
    is_partner_admin,
    is_vendor_staff,
)

# Channel managers and vendor admins review applications, verify custom steps, reassign owners,
# migrate checklists and read survey results (an owner is reassigned only by a vendor admin or
# the current owner: ``can_reassign_owner``); partner admins act for their company (agreement,
# profile, survey); any partner member works through the checklist and uploads documents.
ReviewerRequiredMixin = VendorStaffRequiredMixin

__all__ = [
    "PartnerAdminRequiredMixin",
    "PartnerMemberRequiredMixin",
    "ReviewerRequiredMixin",
    "can_reassign_owner",
    "is_partner_admin",
    "is_vendor_staff",
]


# --- Setup pages (agreement versions, owner rules) ------------------------------------------------


def can_edit_setup(user) -> bool:
    """Only vendor admins change the program's onboarding setup."""
    return is_vendor_staff(user) and user.is_vendor_admin


class SetupViewMixin(VendorStaffRequiredMixin):
    """Vendor staff read the setup pages; partner users get 404."""


class SetupEditMixin(SetupViewMixin):
    """Vendor admins only. A channel manager may read the setup, so the edit routes answer 403
    (nothing secret to them); partner users still get 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and is_vendor_staff(user) and not can_edit_setup(user):
            raise PermissionDenied(_("Only vendor admins can change the program setup."))
        return super().dispatch(request, *args, **kwargs)
