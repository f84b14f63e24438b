"""API permission classes of the core's roles (``partners.permissions``), for any app's API."""

from kernel.api.permissions import role_required
from partners.permissions import is_vendor_staff

VendorStaffOnly = role_required(is_vendor_staff)
