from django.db import models


class AuditAction(models.TextChoices):
    """Security-relevant actions (RELIABILITY.md F1). Append only: stored values never change."""

    LOGIN = "auth.login", "Logged in"
    LOGIN_FAILED = "auth.login_failed", "Login failed"
    LOGOUT = "auth.logout", "Logged out"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    PASSWORD_RESET = "auth.password_reset", "Password reset"
    MFA_ADDED = "mfa.added", "Two-factor method added"
    MFA_REMOVED = "mfa.removed", "Two-factor method removed"
    MFA_RESET = "mfa.reset", "Recovery codes regenerated"
    MEMBER_INVITED = "team.invited", "Colleague invited"
    MEMBER_JOINED = "team.joined", "Joined a partner team"
    MEMBER_ROLE_CHANGED = "team.role_changed", "Team role changed"
    MEMBER_REMOVED = "team.removed", "Removed from a team"
    STAFF_ROLE_CHANGED = "staff.role_changed", "Vendor role or staff flags changed"
    STAFF_INVITED = "staff.invited", "Vendor staff invited"
    PARTNER_OWNER_CHANGED = "partner.owner_changed", "Partner owner changed"
    PARTNER_STATUS_CHANGED = "partner.status_changed", "Partner status changed"
    TIER_CHANGED = "partner.tier_changed", "Partner tier changed"
    TOKEN_CREATED = "api.token_created", "API token created"
    TOKEN_REVOKED = "api.token_revoked", "API token revoked"
    EXPORT = "data.export", "Data exported"
    ADMIN_CHANGE = "admin.change", "Changed in the admin"
    SETUP_CHANGE = "setup.change", "Changed in setup"
