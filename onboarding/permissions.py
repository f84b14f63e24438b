"""Who may do what in onboarding. Reuses the partner roles; nothing re-implements them."""

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
