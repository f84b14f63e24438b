"""Who may do what with notes and tasks. Views call these; nothing re-implements them.

Vendor staff (channel managers and vendor admins) may read, write notes and set tasks on every
partner they can see (all of them: ``mine`` on the partner list is a filter, not a permission).
A note is changed or deleted by its author or a vendor admin; a task is edited, completed,
reopened or deleted by its creator, its assignee or a vendor admin. Partner users get 404 on
every route: they never learn that notes or tasks exist.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.permissions import VendorStaffRequiredMixin, is_vendor_staff

__all__ = ["VendorStaffRequiredMixin", "can_change_note", "can_change_task", "check"]


def can_change_note(user, note) -> bool:
    return is_vendor_staff(user) and (user.is_vendor_admin or note.author_id == user.pk)


def can_change_task(user, task) -> bool:
    return is_vendor_staff(user) and (
        user.is_vendor_admin or user.pk in (task.created_by_id, task.assignee_id)
    )


def check(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not change this."))
