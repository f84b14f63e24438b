"""Who may do what with MDF and awards (scoping happens in the selectors)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from incentives.choices import MdfStatus
from partners.permissions import VendorStaffRequiredMixin, is_partner_admin, is_vendor_staff
from partners.selectors import membership_for_user


def is_partner_admin_of(user, partner_id: int) -> bool:
    return is_partner_admin(user) and membership_for_user(user).partner_id == partner_id


def can_manage_partner_funds(user, partner) -> bool:
    """The partner's owning channel manager, or a vendor admin (allocations and decisions)."""
    if not is_vendor_staff(user):
        return False
    return user.is_vendor_admin or partner.owner_id == user.pk


def can_decide(user, request) -> bool:
    return can_manage_partner_funds(user, request.partner) and request.status in (
        MdfStatus.REQUESTED,
        MdfStatus.CLAIMED,
    )


def can_claim(user, request) -> bool:
    return request.status == MdfStatus.APPROVED and is_partner_admin_of(user, request.partner_id)


def can_change_request(user, request) -> bool:
    """Edit or withdraw: the partner's admins, until the vendor decides."""
    return request.status == MdfStatus.REQUESTED and is_partner_admin_of(user, request.partner_id)


def can_see_proof(user, request) -> bool:
    return bool(request.proof) and (
        is_vendor_staff(user) or is_partner_admin_of(user, request.partner_id)
    )


# --- Setup pages (award rules, MDF allocations) ---------------------------------------------------


def can_edit_setup(user) -> bool:
    """Only vendor admins change award rules and allocation amounts on the setup pages."""
    return is_vendor_staff(user) and user.is_vendor_admin


class SetupViewMixin(VendorStaffRequiredMixin):
    """Vendor staff read the setup pages; partner users get 404."""


class SetupEditMixin(SetupViewMixin):
    """Vendor admins only: channel managers get 403 (they may read the setup), partner users
    404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and is_vendor_staff(user) and not can_edit_setup(user):
            raise PermissionDenied(_("Only vendor admins can change the incentives setup."))
        return super().dispatch(request, *args, **kwargs)
