"""Who may do what with a deal the selectors already let them see (scoping happens there)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from deals.choices import DealStatus
from deals.models import Deal
from partners.permissions import VendorStaffRequiredMixin, is_partner_member, is_vendor_staff
from partners.selectors import membership_for_user


def _on_partner_side(user, deal: Deal) -> bool:
    membership = membership_for_user(user)
    return (
        is_partner_member(user)
        and membership is not None
        and membership.partner_id == deal.partner_id
    )


def can_edit(user, deal: Deal) -> bool:
    """Drafts are edited by whoever on the partner's team can see them."""
    return deal.status == DealStatus.DRAFT and _on_partner_side(user, deal)


def can_share(user, deal: Deal) -> bool:
    """The registering user and partner admins choose who else sees a deal."""
    membership = membership_for_user(user)
    return _on_partner_side(user, deal) and (
        deal.created_by_id == user.pk or (membership is not None and membership.is_admin)
    )


def can_record_outcome(user, deal: Deal) -> bool:
    return deal.status == DealStatus.APPROVED and _on_partner_side(user, deal)


def can_request_extension(user, deal: Deal) -> bool:
    return deal.status == DealStatus.APPROVED and _on_partner_side(user, deal)


def can_review(user, deal: Deal) -> bool:
    return is_vendor_staff(user) and deal.status == DealStatus.SUBMITTED


# --- Setup pages (registration policies) ----------------------------------------------------------


def can_edit_setup(user) -> bool:
    """Only vendor admins change registration policies."""
    return is_vendor_staff(user) and user.is_vendor_admin


class SetupViewMixin(VendorStaffRequiredMixin):
    """Vendor staff read the setup pages; partner users get 404."""


class SetupEditMixin(SetupViewMixin):
    """Vendor admins only: channel managers get 403 (they may read the policies), partner users
    404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and is_vendor_staff(user) and not can_edit_setup(user):
            raise PermissionDenied(_("Only vendor admins can change registration policies."))
        return super().dispatch(request, *args, **kwargs)


# --- Co-selling (vendor help on a deal) -----------------------------------------------------------
def can_request_help(user, deal: Deal) -> bool:
    """The partner's own people, on an approved (protected) deal."""
    return deal.status == DealStatus.APPROVED and _on_partner_side(user, deal)


def can_note_help(user, deal: Deal) -> bool:
    """Both sides of a help request: the deal's partner's people and vendor staff."""
    return is_vendor_staff(user) or _on_partner_side(user, deal)


def can_assign_help(user) -> bool:
    """Channel managers (and vendor admins) assign a vendor person."""
    return is_vendor_staff(user)
