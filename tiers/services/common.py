"""What every tier setup service shares: the role check and text cleaning."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kernel.setup_log import log_setup_change
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


# A preview (``tiers.impact.impact_of``) runs a service and rolls it back. It writes no audit
# line: the audit app also logs each entry as it is stored, and a change never made must not
# show up in those logs.
_previewing: ContextVar[bool] = ContextVar("tiers_setup_previewing", default=False)


@contextmanager
def previewing():
    """Within this block the services change the data as usual but write no audit line."""
    token = _previewing.set(True)
    try:
        yield
    finally:
        _previewing.reset(token)


def log_change(**kwargs) -> None:
    """``kernel.setup_log.log_setup_change``, except while previewing."""
    if not _previewing.get():
        log_setup_change(**kwargs)
