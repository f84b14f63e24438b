"""What every tier setup service shares: the role check and text cleaning."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tiers.permissions import can_edit_setup


def require_editor(actor) -> None:
    """The views check the role on every route; the services check it again (a task, a shell
    or a future API must not write setup for somebody who may not)."""
    if actor is None or not can_edit_setup(actor):
        raise PermissionDenied(_("Only vendor admins can change tiers."))


def clean_text(value, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_length}})
    return text
