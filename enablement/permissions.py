"""Who may do what in enablement. Views call these; nothing re-implements them."""

from partners.permissions import RoleRequiredMixin, is_partner_member, is_vendor_staff


def can_browse(user) -> bool:
    """Partner members see their audience's content; vendor staff see all of it (preview)."""
    return is_partner_member(user) or is_vendor_staff(user)


def can_learn(user) -> bool:
    """Taking courses and quizzes is for partner members (progress belongs to a partner)."""
    return is_partner_member(user)


class BrowseRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_browse(user)


class LearnerRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_learn(user)
