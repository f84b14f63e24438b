"""Reading numbers from query parameters (issue 16, item 11): one helper for every page.

``str.isdigit()`` is true for "²" and "٣", which ``int()`` then refuses or reads as another
number, and a 5,000-digit string is beyond ``int()``'s limit: every id in a query string is
read here, as plain ASCII digits of a database id, or the request is a 400."""

import re

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

from kernel.bounds import MAX_ID

_ID = re.compile(r"[0-9]{1,10}")


def query_id(request, name: str) -> int | None:
    """The id in ``request.GET[name]``; None when absent or empty; ``BadRequest`` (a 400) for
    anything but an id from 1 to ``MAX_ID`` in ASCII digits."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        raise BadRequest(_("The parameter “%(name)s” must be an id.") % {"name": name})
    return value


def parse_id(raw) -> int | None:
    """``raw`` as a database id (1 to ``MAX_ID``, ASCII digits only), else None."""
    if not isinstance(raw, str) or not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None
