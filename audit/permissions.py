"""Who may read the audit log: vendor admins only (it spans every partner)."""

from partners.permissions import RoleRequiredMixin


def can_read_audit_log(user) -> bool:
    return user.is_authenticated and user.is_vendor_admin


class AuditReaderRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_read_audit_log(user)
