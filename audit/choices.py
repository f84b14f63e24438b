from django.db import models
from django.utils.translation import gettext_lazy


class AuditAction(models.TextChoices):
    """Security-relevant actions (RELIABILITY.md F1). Append only: stored values never change."""

    LOGIN = "auth.login", gettext_lazy("Logged in")
    LOGIN_FAILED = "auth.login_failed", gettext_lazy("Login failed")
    LOGOUT = "auth.logout", gettext_lazy("Logged out")
    PASSWORD_CHANGED = "auth.password_changed", gettext_lazy("Password changed")
    PASSWORD_RESET = "auth.password_reset", gettext_lazy("Password reset")
    MFA_ADDED = "mfa.added", gettext_lazy("Two-factor method added")
    MFA_REMOVED = "mfa.removed", gettext_lazy("Two-factor method removed")
    MFA_RESET = "mfa.reset", gettext_lazy("Recovery codes regenerated")
    MEMBER_INVITED = "team.invited", gettext_lazy("Colleague invited")
    MEMBER_JOINED = "team.joined", gettext_lazy("Joined a partner team")
    MEMBER_ROLE_CHANGED = "team.role_changed", gettext_lazy("Team role changed")
    MEMBER_REMOVED = "team.removed", gettext_lazy("Removed from a team")
    STAFF_ROLE_CHANGED = "staff.role_changed", gettext_lazy("Vendor role or staff flags changed")
    STAFF_INVITED = "staff.invited", gettext_lazy("Vendor staff invited")
    PARTNER_OWNER_CHANGED = "partner.owner_changed", gettext_lazy("Partner owner changed")
    PARTNER_STATUS_CHANGED = "partner.status_changed", gettext_lazy("Partner status changed")
    TIER_CHANGED = "partner.tier_changed", gettext_lazy("Partner tier changed")
    TOKEN_CREATED = "api.token_created", gettext_lazy("API token created")
    TOKEN_REVOKED = "api.token_revoked", gettext_lazy("API token revoked")
    EXPORT = "data.export", gettext_lazy("Data exported")
    ADMIN_CHANGE = "admin.change", gettext_lazy("Changed in the admin")
    SETUP_CHANGE = "setup.change", gettext_lazy("Changed in setup")
