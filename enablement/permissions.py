"""Who may do what in enablement. Views call these; nothing re-implements them."""

from django.contrib.auth.mixins import AccessMixin
from django.http import Http404

from partners.permissions import is_partner_member, is_vendor_staff


def can_browse(user) -> bool:
    """Partner members see their audience's content; vendor staff see all of it (preview)."""
    return is_partner_member(user) or is_vendor_staff(user)


def can_learn(user) -> bool:
    """Taking courses and quizzes is for partner members (progress belongs to a partner)."""
    return is_partner_member(user)


class _RoleMixin(AccessMixin):
    """Anonymous → login page; a logged-in user without the role → 404."""

    def has_role(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_role(request.user):
            raise Http404("Not found.")
        return super().dispatch(request, *args, **kwargs)


class BrowseRequiredMixin(_RoleMixin):
    def has_role(self, user) -> bool:
        return can_browse(user)


class LearnerRequiredMixin(_RoleMixin):
    def has_role(self, user) -> bool:
        return can_learn(user)
