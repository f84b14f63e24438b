"""Fiscal periods of business plans: a fiscal year or one of its quarters.

The fiscal year starts on the first day of ``settings.PRM_FISCAL_YEAR_START_MONTH`` (1 to 12,
default 1: the calendar year) and is named by the calendar year it starts in: with April, FY2026
runs from 1 April 2026 to 31 March 2027 and its Q1 is April to June 2026. A period is whole days
in the vendor's time zone (``settings.TIME_ZONE``): from the first day's midnight to the midnight
after its last day (docs/metrics.md "Business plan progress").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

YEAR = 0  # the quarter number of a whole-year plan


def start_month() -> int:
    month = settings.PRM_FISCAL_YEAR_START_MONTH
    if not 1 <= month <= 12:
        raise ValueError("PRM_FISCAL_YEAR_START_MONTH must be 1 to 12")
    return month


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    fiscal_year: int
    quarter: int  # 0: the whole year, else 1 to 4
    start: datetime.date  # first day
    end: datetime.date  # last day (inclusive)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.quarter == YEAR:
            return _("FY%(year)s") % {"year": self.fiscal_year}
        return _("FY%(year)s Q%(quarter)s") % {"year": self.fiscal_year, "quarter": self.quarter}

    @property
    def key(self) -> str:
        """``2026`` or ``2026-Q2``: the period as a list filter names it."""
        return (
            str(self.fiscal_year) if self.quarter == YEAR else f"{self.fiscal_year}-Q{self.quarter}"
        )

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """(since, until): midnight of the first day and midnight after the last, aware, in the
        current time zone. Flow measures count what happened in ``(since, until]``."""
        tz = timezone.get_current_timezone()
        since = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        until = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return since, until

    def elapsed_days(self, today: datetime.date) -> int:
        """Days of the period gone by, today included: 0 before it starts, ``days`` after."""
        if today < self.start:
            return 0
        return min((today - self.start).days + 1, self.days)

    def elapsed_share(self, today: datetime.date) -> Decimal:
        return Decimal(self.elapsed_days(today)) / Decimal(self.days)


def period_of(fiscal_year: int, quarter: int = YEAR) -> Period:
    if quarter not in (0, 1, 2, 3, 4):
        raise ValueError("quarter must be 0 (the year) or 1 to 4")
    year_start = datetime.date(fiscal_year, start_month(), 1)
    if quarter == YEAR:
        start, months = year_start, 12
    else:
        start, months = _add_months(year_start, 3 * (quarter - 1)), 3
    end = _add_months(start, months) - datetime.timedelta(days=1)
    return Period(fiscal_year=fiscal_year, quarter=quarter, start=start, end=end)


def period_containing(day: datetime.date, *, quarterly: bool) -> Period:
    """The fiscal year (or quarter) ``day`` falls in."""
    month = start_month()
    fiscal_year = day.year if day.month >= month else day.year - 1
    if not quarterly:
        return period_of(fiscal_year)
    months_in = (day.year * 12 + day.month) - (fiscal_year * 12 + month)
    return period_of(fiscal_year, months_in // 3 + 1)


def parse_key(text: str) -> Period | None:
    """``2026`` or ``2026-Q2`` → the period; None for anything else (years 2000 to 2100)."""
    text = (text or "").strip().upper()
    year_text, _sep, quarter_text = text.partition("-Q")
    if not year_text.isdigit() or len(year_text) != 4:
        return None
    year = int(year_text)
    if not 2000 <= year <= 2100:
        return None
    if not _sep:
        return period_of(year)
    if quarter_text not in ("1", "2", "3", "4"):
        return None
    return period_of(year, int(quarter_text))


def period_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The periods a new plan may cover: last, this and next fiscal year and their quarters."""
    today = today or timezone.localdate()
    current = period_containing(today, quarterly=False).fiscal_year
    choices = []
    for year in (current - 1, current, current + 1):
        for quarter in (0, 1, 2, 3, 4):
            period = period_of(year, quarter)
            choices.append((period.key, period.label))
    return choices
