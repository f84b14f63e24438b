"""``{% load money %}``: ``{{ deal.amount|money:deal.currency }}`` — the one way a template shows
money (``kernel.money.format_money``: Babel, the active language's conventions)."""

from django import template

from kernel.money import format_money

register = template.Library()


@register.filter
def money(amount, currency=None):
    return format_money(amount, currency)


@register.filter
def money_whole(amount, currency=None):
    """Whole units (cards and short progress lines)."""
    return format_money(amount, currency, decimals=False)
