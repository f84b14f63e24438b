"""The one definition of what a sane date, id and JSON document is (issue 16, items 7, 8, 11).

Every date the product accepts goes through one of three validators, whatever the door (HTML
form, DRF serializer, django-filter filter, the ingestion fast path):

- **event times** (``occurred_at``): from ``EARLIEST_EVENT`` up to ``EVENT_FUTURE_SKEW`` ahead
  of now. Earlier events are no product history, and year-0001 timestamps made every score
  rebuild walk two thousand years of empty days;
- **business dates** (deal close dates, MDF activity dates, tier pins): within
  ``BUSINESS_DATE_YEARS`` of today, either way;
- **filter dates** (dashboards, the audit log, list filters): between ``FILTER_FIRST`` and
  ``FILTER_LAST``; wider than the events but finite, so no date arithmetic overflows.

The validators raise Django's ``ValidationError``: forms, django-filter and DRF serializers
(``validators=[...]``) all turn it into a per-field message. This module imports no app.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
EVENT_FUTURE_SKEW = timedelta(minutes=5)  # clock skew allowed for occurred_at
BUSINESS_DATE_YEARS = 10
FILTER_FIRST = date(2000, 1, 1)
FILTER_LAST = date(2100, 12, 31)

MAX_ID = 2**31 - 1  # larger numbers are no id (and overflow the database's integers)
MAX_JSON_DEPTH = 64  # arrays and objects inside each other in one request body


def validate_event_time(value: datetime) -> datetime:
    """Not before ``EARLIEST_EVENT``. (The future bound is checked against the batch's own
    "now" by ``ingestion.services``, with ``EVENT_FUTURE_SKEW``.)"""
    if value < EARLIEST_EVENT:
        raise ValidationError(
            _("Must not be before %(earliest)s."),
            code="too_early",
            params={"earliest": EARLIEST_EVENT.date().isoformat()},
        )
    return value


def business_date_range(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return _years_from(today, -BUSINESS_DATE_YEARS), _years_from(today, BUSINESS_DATE_YEARS)


def validate_business_date(value: date) -> date:
    first, last = business_date_range()
    if not first <= value <= last:
        raise ValidationError(
            _("Give a date within %(years)s years of today (%(first)s to %(last)s)."),
            code="out_of_range",
            params={"years": BUSINESS_DATE_YEARS, "first": first, "last": last},
        )
    return value


def validate_filter_date(value: date) -> date:
    if not FILTER_FIRST <= value <= FILTER_LAST:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": FILTER_FIRST.isoformat(), "last": FILTER_LAST.isoformat()},
        )
    return value


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_CONTAINERS = (dict, list)


def json_depth_exceeds(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and dicts nest deeper than ``limit`` (iterative: no recursion to overflow).

    Level by level: ``level`` holds the lists and dicts at ``depth``; the walk of a 1,000-event
    batch is ~0.6 ms this way, ~1.9 ms with a stack of (node, depth) pairs."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        below = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below.extend([child for child in children if isinstance(child, _CONTAINERS)])
        level = below
        depth += 1
    return False
