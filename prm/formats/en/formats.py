"""English dates as the product always showed them (``6 Dec 2026``, ``6 Dec 2026, 14:05``).
Templates name the format (``date:"DATE_FORMAT"``), so every other language uses Django's own
conventions for it (``6. Dezember 2026``, ``2026年12月6日``). Only these three are overridden."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
