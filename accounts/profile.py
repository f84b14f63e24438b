"""What a personal profile may hold: phone numbers, time zones and languages.

Kept apart from the model so the form, the model validators and the time-zone middleware share
one definition (the kernel of each rule lives here, nowhere else)."""

import re
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Regions of the IANA database whose zones are canonical "Area/City" names. Legacy aliases
# ("US/Eastern", "Japan", "EST5EDT"), "Etc/GMT+3" (whose sign is inverted) and the "Factory" /
# "localtime" pseudo-zones are still accepted if stored, but are not offered.
ZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)

# Digits with the usual separators, an optional leading "+" and an optional extension.
PHONE_RE = re.compile(
    r"^\+?[0-9 ()./-]+(?:\s*(?:ext\.?|x|#)\s*[0-9]{1,6})?$",
    re.IGNORECASE,
)
PHONE_MIN_DIGITS = 6
PHONE_MAX_DIGITS = 15  # E.164: at most 15 digits, country code included


def normalize_phone(value: str) -> str:
    """Trim and collapse runs of spaces; the number is otherwise kept as the person wrote it."""
    return " ".join((value or "").split())


def validate_phone(value: str) -> None:
    if not value:
        return
    main = re.split(r"(?i)\s*(?:ext\.?|x|#)\s*[0-9]", value, maxsplit=1)[0]
    digits = sum(ch.isdigit() for ch in main)
    if not PHONE_RE.match(value) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        raise ValidationError(
            _(
                "Enter a phone number of %(min)s to %(max)s digits, e.g. +1 555 010 0199; "
                "spaces, dashes, brackets and an extension (ext. 12) are fine."
            ),
            code="invalid_phone",
            params={"min": PHONE_MIN_DIGITS, "max": PHONE_MAX_DIGITS},
        )


@lru_cache(maxsize=1)
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    """UTC, then every canonical Area/City zone, sorted; each shown as "Area/City" with spaces."""
    zones = sorted(z for z in available_time_zones() if z.split("/", 1)[0] in ZONE_REGIONS)
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones)]


def validate_time_zone(value: str) -> None:
    if value and value not in available_time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone this server knows."),
            code="invalid_time_zone",
            params={"value": value},
        )


def zone_or_none(name: str) -> zoneinfo.ZoneInfo | None:
    """The ZoneInfo for a stored name, or None when it is blank or no longer known (a tzdata
    update can retire a name: the page then renders in the site's zone rather than failing)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def validate_language(value: str) -> None:
    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("Choose a language from the list."), code="invalid_language", params={}
        )
