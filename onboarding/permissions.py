"""Who may do what in onboarding. Reuses the partner roles; nothing re-implements them."""

from partners.permissions import (
    PartnerAdminRequiredMixin,
    PartnerMemberRequiredMixin,
    VendorStaffRequiredMixin,
    is_partner_admin,
    is_vendor_staff,
)

# Channel managers and vendor admins review applications, verify custom steps, reassign owners,
# migrate checklists and read survey results; partner admins act for their company (agreement,
# profile, survey); any partner member works through the checklist and uploads documents.
ReviewerRequiredMixin = VendorStaffRequiredMixin

__all__ = [
    "PartnerAdminRequiredMixin",
    "PartnerMemberRequiredMixin",
    "ReviewerRequiredMixin",
    "is_partner_admin",
    "is_vendor_staff",
]
