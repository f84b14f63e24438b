"""Money in the reporting currency: the one conversion of an amount column with the fixed reporting
rates (``PRM_TIER_FX_RATES``: the value of one unit of each currency in a common base, so
``amount * rate[currency] / rate[target]``). Deals' won revenue (tier measures, the ROI metric)
and incentives' paid MDF use it; nothing converts money another way.

A currency without a rate is never silently summed: the expression gives ``default`` for it
(0 where a count beside it says how many were left out, NULL where the caller groups by
currency and reports them as excluded)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Value, When

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
