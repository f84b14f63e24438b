"""Who may do what in enablement. Views call these; nothing re-implements them."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

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


# --- Setup (authoring) pages ---------------------------------------------------------------------


def can_view_setup(user) -> bool:
    """Vendor staff see the setup pages (channel managers read only); partner users get 404."""
    return is_vendor_staff(user)


def can_author(user) -> bool:
    """Only vendor admins create, change, publish, archive or delete enablement content."""
    return is_vendor_staff(user) and user.is_vendor_admin


class SetupViewMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return can_view_setup(user)


class SetupEditMixin(SetupViewMixin):
    """Vendor admins only. A channel manager is vendor staff who may read these pages, so the
    edit routes answer 403 (the content is no secret to them); partner users still get 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and can_view_setup(user) and not can_author(user):
            raise PermissionDenied(_("Only vendor admins can change enablement content."))
        return super().dispatch(request, *args, **kwargs)
