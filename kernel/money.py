"""Money in the reporting currency: the one conversion of an amount column with the fixed reporting
rates (``PRM_TIER_FX_RATES``: the value of one unit of each currency in a common base, so
``amount * rate[currency] / rate[target]``). Deals' won revenue (tier measures, the ROI metric)
and incentives' paid MDF use it; nothing converts money another way.

A currency without a rate is never silently summed: the expression gives ``default`` for it
(0 where a count beside it says how many were left out, NULL where the caller groups by
currency and reports them as excluded)."""

from __future__ import annotations

import copy
from decimal import Decimal

import babel
from babel import numbers
from django.conf import settings
from django.db.models import Case, DecimalField, F, Value, When
from django.utils import translation

MONEY = DecimalField(max_digits=20, decimal_places=2)
FACTOR = DecimalField(max_digits=20, decimal_places=10)
CENT = Decimal("0.01")


def converted(
    amount: str,
    *,
    rates: dict[str, float],
    target: str,
    currency: str = "currency",
    default: Decimal | None = Decimal("0"),
) -> Case:
    """An expression: column ``amount`` (in the currency of column ``currency``) in ``target``.
    A currency missing from ``rates`` gives ``default``. The target itself needs no rate
    (taken as 1 when absent)."""
    rates = {target: 1, **rates}
    base = Decimal(str(rates[target]))
    return Case(
        *(
            When(
                **{currency: code},
                then=F(amount) * Value(Decimal(str(rate)) / base, output_field=FACTOR),
            )
            for code, rate in rates.items()
        ),
        default=Value(default, output_field=MONEY),
        output_field=MONEY,
    )


def rated(rates: dict[str, float], target: str) -> set[str]:
    """The currencies that convert to ``target``: every one with a rate, and the target."""
    return {*rates, target}


# --- Display ------------------------------------------------------------------------------------
# Every amount of money a person reads (pages, emails, PDFs) goes through format_money: the
# currency's symbol, its decimals and the grouping and decimal marks of the active language
# (``1 234,50 €`` in French, ``€1,234.50`` in English, ``￥1,235`` in Japanese). CSV exports keep
# plain numbers.


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a Django language code (``pt-br`` → ``pt_BR``); the active one by
    default."""
    return translation.to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)


def format_money(
    amount,
    currency: str | None = None,
    *,
    language: str | None = None,
    decimals: bool = True,
    symbol: bool = True,
) -> str:
    """``amount`` in ``currency`` (default ``PRM_TIER_CURRENCY``) for the active language (or
    ``language``). None gives an em dash. ``decimals=False`` rounds to whole units (cards, short
    lines); ``symbol=False`` leaves the currency out where a heading names it (tables "Revenue
    (USD)"), with the currency's decimals and the locale's marks all the same."""
    if amount is None or amount == "":
        return "—"
    currency = (currency or settings.PRM_TIER_CURRENCY).upper()
    value = Decimal(str(amount))
    locale = babel_locale(language)
    try:
        if decimals and symbol:
            return numbers.format_currency(value, currency, locale=locale)
        parsed = numbers.Locale.parse(locale)
        formats = parsed.currency_formats if symbol else parsed.decimal_formats
        pattern = copy.copy(formats["standard"] if symbol else formats[None])
        digits = numbers.get_currency_precision(currency) if decimals else 0
        pattern.frac_prec = (digits, digits)  # the locale's symbol place and grouping
        return pattern.apply(value, parsed, currency=currency, currency_digits=False)
    except (ValueError, numbers.UnknownCurrencyError, babel.UnknownLocaleError):
        return f"{value:,.2f} {currency}"


def format_money_short(amount, currency: str | None = None, *, language: str | None = None) -> str:
    """``$120K``, ``1,2 Mio. €``: the compact form for progress lines (below 1,000 the whole
    amount)."""
    currency = (currency or settings.PRM_TIER_CURRENCY).upper()
    value = Decimal(str(amount))
    if abs(value) < 1000:
        return format_money(value, currency, language=language, decimals=False)
    try:
        return numbers.format_compact_currency(
            value, currency, locale=babel_locale(language), fraction_digits=1
        )
    except (ValueError, numbers.UnknownCurrencyError, babel.UnknownLocaleError):
        return format_money(value, currency, language=language, decimals=False)
