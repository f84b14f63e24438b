"""What the partner list (``/manage/``) shows, prepared in Python: the filter selects' options
and the table's rows. The page is the vendor staff's most used one; rendering 250 country
options, nine selects and 25 rows through template loops and per-row includes cost more than
its SQL (docs/partner-list.md, "Performance"), so these build the same markup directly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from partners.models import Partner

#: The badge colour of each status (as partners/_status_badge.html colours them).
STATUS_BADGES = {
    "applicant": "text-bg-secondary",
    "onboarding": "text-bg-info",
    "active": "text-bg-success",
    "inactive": "text-bg-warning",
    "churned": "text-bg-dark",
}
OTHER_BADGE = "text-bg-light border"


def options_html(choices: Iterable[tuple[Any, Any]], current: str) -> SafeString:
    """The ``<option>`` elements of a select over ``choices`` (value, label), the one whose value
    is ``current`` selected (none when ``current`` is empty). Values and labels are escaped."""
    rows = []
    for value, text in choices:
        value = str(value)
        rows.append((value, " selected" if current and value == current else "", text))
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)


def _day(moment) -> tuple[str, str] | None:
    """(ISO timestamp, "6 Dec 2026") of ``moment`` in the current time zone: what the template
    filters ``date:'c'`` and ``date:'j M Y'`` show (``django.utils.dateformat``: ``c`` is
    ``isoformat()``, ``M`` the translated ``MONTHS_3`` titled), without parsing a format per
    cell (50 cells a page)."""
    if moment is None:
        return None
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.isoformat(), f"{local.day} {MONTHS_3[local.month].title()} {local.year:04d}"


def list_rows(partners: Iterable[Partner]) -> list[dict[str, Any]]:
    """One dict per partner of the page: what each cell shows (``partner`` is the object)."""
    rows = []
    for p in partners:
        rows.append(
            {
                "partner": p,
                "url": reverse("partners:manager_partner", args=[p.pk]),
                # the row's checkbox label (the msgid the template's blocktranslate had)
                "select_label": _("Select %(name)s") % {"name": p.name},
                "badge": STATUS_BADGES.get(p.status, OTHER_BADGE),
                "status_label": p.get_status_display() or p.status,
                "region": p.get_region_display(),
                "country": p.country.name,
                "joined": _day(p.joined_at),
                "activated": _day(p.activated_at),
                "owner": p.owner.display_name if p.owner_id else "",
            }
        )
    return rows
