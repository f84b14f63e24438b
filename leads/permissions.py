"""Who may do what with leads. Views call these; nothing re-implements them.

Vendor staff (channel managers and vendor admins) enter, list and route leads; routing rules and
the answer times are program setup (vendor admins change them, channel managers read them).
A partner's members see the leads offered to their partner; its admins accept or decline an
offer (a partner user gets 403: the answer commits the partner); any member updates an accepted
lead and converts it into a deal registration. Partners get 404 on the vendor's pages, vendor
staff on the partner's.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.permissions import (
    PartnerMemberRequiredMixin,
    SetupEditMixin,
    SetupViewMixin,
    VendorStaffRequiredMixin,
    can_edit_setup,
    is_partner_admin,
    is_vendor_staff,
)

__all__ = [
    "PartnerMemberRequiredMixin",
    "SetupEditMixin",
    "SetupViewMixin",
    "VendorStaffRequiredMixin",
    "can_answer",
    "can_edit_setup",
    "check_can_answer",
    "is_vendor_staff",
]


def can_answer(user) -> bool:
    return is_partner_admin(user)


def check_can_answer(user) -> None:
    if not can_answer(user):
        raise PermissionDenied(_("Only your partner admins can accept or decline a lead."))
