"""One way for every setup page to say what it changed: who, what, and each field before and after.

Feature apps may not import the audit app (they are independent floors), so a setup change is
written as a line in Django's change log (``LogEntry``), which audit already turns into an audit
entry (``audit.signals.on_admin_change``). The line's message is a JSON object
``{"setup": <summary>, "before": {...}, "after": {...}}`` holding only the fields that changed;
audit stores it as a "Changed in setup" entry whose details show each field's old and new value.

    before = snapshot(tier, TIER_FIELDS)
    ... change and save the tier ...
    log_setup_change(actor=user, obj=tier, action=CHANGED, before=before,
                     after=snapshot(tier, TIER_FIELDS), summary="Tier edited")

``snapshot`` turns field values into JSON-safe ones: foreign keys and many-to-many fields as the
related objects' names (what a reader of the log recognises), dates as ISO text, decimals as text.
"""

import datetime
import decimal
import json

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models

ADDED, CHANGED, DELETED = "added", "changed", "deleted"
_FLAGS = {ADDED: ADDITION, CHANGED: CHANGE, DELETED: DELETION}
MAX_VALUE = 300  # characters kept of one value (a lesson body is not copied whole into the log)
MARKER = "setup"  # the key that tells audit a change-log line came from a setup page


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        text = json.dumps(value, default=str, sort_keys=True)
        return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def snapshot(obj, fields) -> dict:
    """The named fields of ``obj`` as JSON-safe values (for ``before`` and ``after``). A field
    may be a model field (FK: the related object's text; many-to-many: the sorted texts) or a
    plain attribute. An unsaved object has no many-to-many values yet: they read as []."""
    values = {}
    for name in fields:
        try:
            field = obj._meta.get_field(name)
        except Exception:
            field = None
        if isinstance(field, models.ManyToManyField):
            values[name] = sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
        elif isinstance(field, models.ForeignKey):
            related = getattr(obj, name)
            values[name] = None if related is None else _plain(related)
        elif field is not None and getattr(field, "choices", None):
            raw = getattr(obj, name)
            values[name] = _plain(dict(field.flatchoices).get(raw, raw)) if raw != "" else ""
        else:
            values[name] = _plain(getattr(obj, name, None))
    return values


def changed_fields(before: dict | None, after: dict | None) -> tuple[dict, dict]:
    """Only what differs: (before, after) restricted to the fields whose value changed. An
    addition keeps every ``after`` field, a deletion every ``before`` field."""
    before, after = before or {}, after or {}
    if not before or not after:
        return before, after
    names = [name for name in after if before.get(name) != after.get(name)]
    names += [name for name in before if name not in after]
    return {n: before.get(n) for n in names}, {n: after.get(n) for n in names}


def log_setup_change(
    *, actor, obj, action: str, before: dict | None = None, after: dict | None = None,
    summary: str = "",
) -> LogEntry | None:  # fmt: skip
    """Write one setup change (``action``: ADDED, CHANGED or DELETED) of ``obj`` by ``actor``.
    Call it inside the change's transaction (after the save, before a delete's ``delete()`` so
    the object still has its id). A change that changed nothing writes nothing (returns None)."""
    old, new = changed_fields(before, after)
    if action == CHANGED and not old and not new:
        return None
    message = json.dumps(
        {MARKER: str(summary), "before": old, "after": new}, default=str, ensure_ascii=False
    )
    return LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=_FLAGS[action],
        change_message=message,
        single_object=True,
    )


def parse(change_message: str) -> dict | None:
    """The setup change a change-log message holds ({"setup", "before", "after"}), or None when
    the line came from Django's admin (its messages are a JSON list or plain text)."""
    if not change_message or not change_message.startswith("{"):
        return None
    try:
        data = json.loads(change_message)
    except ValueError:
        return None
    if not isinstance(data, dict) or MARKER not in data:
        return None
    return data
