"""The tier measures deals knows: deals won and won revenue over the last 12 months. Registered
from ``DealsConfig.ready()`` with ``partners.measures``; the tiers app reads them by key and never
imports deals."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deals.selectors import won_totals_by_partner
from kernel.money import format_money_short
from partners.measures import Measure, Unit, number_text, register

WON_DEALS_12M = "won_deals_12m"
REVENUE_12M = "revenue_12m"
YEAR = timedelta(days=365)


def money(value: Decimal, currency: str | None = None) -> str:
    """``$120K``, ``1,2 Mio. €``, ``$950``: short enough for a progress line, in the reader's
    language (Babel's compact currency format, ``kernel.money``)."""
    return format_money_short(value, currency)


def _won(*, partner_ids, at, subject_ids, partners):
    """Both measures from one grouped query: won deals closed in the 12 months before ``at``,
    counted and summed in ``PRM_TIER_CURRENCY`` (``PRM_TIER_FX_RATES``)."""
    won = won_totals_by_partner(
        partner_ids=partner_ids,
        since=at - YEAR,
        until=at,
        rates=settings.PRM_TIER_FX_RATES,
        target=settings.PRM_TIER_CURRENCY,
    )
    return {
        WON_DEALS_12M: {p: n for p, (n, _) in won.items()},
        REVENUE_12M: {p: amount for p, (_, amount) in won.items()},
    }


def _won_between(*, partner_ids, since, until, subject_ids, partners):
    """Both measures over ``(since, until]`` (a business plan's period), as ``_won`` counts them."""
    won = won_totals_by_partner(
        partner_ids=partner_ids,
        since=since,
        until=until,
        rates=settings.PRM_TIER_FX_RATES,
        target=settings.PRM_TIER_CURRENCY,
    )
    return {
        WON_DEALS_12M: {p: n for p, (n, _) in won.items()},
        REVENUE_12M: {p: amount for p, (_, amount) in won.items()},
    }


def _describe_revenue(*, current, minimum, subject):
    text = _("%(current)s of %(minimum)s won in the last 12 months") % {
        "current": money(current),
        "minimum": money(minimum),
    }
    return text, _("Register a deal"), reverse("deals:create")


def _describe_won(*, current, minimum, subject):
    text = _("%(current)s of %(minimum)s deals won in the last 12 months") % {
        "current": number_text(current),
        "minimum": number_text(minimum),
    }
    return text, _("Register a deal"), reverse("deals:create")


def register_measures() -> None:
    """Called from ``DealsConfig.ready()``."""
    register(
        Measure(
            key=WON_DEALS_12M,
            label=gettext_lazy("Deals won in the last 12 months"),
            counting=gettext_lazy("Deals of the partner closed as won in the last 365 days."),
            unit=Unit.COUNT,
            compute=_won,
            compute_between=_won_between,
            describe=_describe_won,
        )
    )
    register(
        Measure(
            key=REVENUE_12M,
            label=gettext_lazy("Won revenue in the last 12 months"),
            counting=gettext_lazy(
                "Final amounts of the deals won in the last 365 days, converted to the tier "
                "currency."
            ),
            unit=Unit.MONEY,
            compute=_won,
            compute_between=_won_between,
            describe=_describe_revenue,
        )
    )
