"""Dates, numbers and money in the reader's language (kernel.money, prm/formats)."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kernel.money import format_money, format_money_short


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€1,234.50"),
        ("de", "1.234,50\xa0€"),
        ("fr", "1\u202f234,50\xa0€"),
        ("ja", "€1,234.50"),
        ("pt-br", "€\xa01.234,50"),
    ],
)
def test_money_follows_the_active_language(language, expected):
    with translation.override(language):
        assert format_money(Decimal("1234.5"), "EUR") == expected


def test_money_uses_the_currency_decimals_and_the_whole_and_bare_forms():
    with translation.override("en"):
        assert format_money(Decimal("1234.5"), "JPY") == "¥1,234"
        assert format_money(Decimal("1234567.8"), "USD", decimals=False) == "$1,234,568"
        assert format_money(Decimal("1234.5"), "USD", symbol=False) == "1,234.50"
        assert format_money(None, "USD") == "—"
    with translation.override("de"):
        assert format_money(Decimal("1234.5"), "USD", symbol=False) == "1.234,50"


def test_short_money_for_progress_lines():
    with translation.override("en"):
        assert format_money_short(Decimal("120000"), "USD") == "$120K"
        assert format_money_short(Decimal("950"), "USD") == "$950"
    with translation.override("de"):
        assert format_money_short(Decimal("1200000"), "EUR") == "1,2\xa0Mio.\xa0€"


def test_the_money_filter_is_the_same_function():
    template = Template("{% load money %}{{ amount|money:currency }}")
    with translation.override("de"):
        text = template.render(Context({"amount": Decimal("99.9"), "currency": "USD"}))
    assert text == "99,90\xa0$"


def test_dates_name_the_format_and_english_keeps_its_look():
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    context = Context({"day": date(2026, 12, 6)})
    with translation.override("en"):
        assert template.render(context) == "6 Dec 2026"
    with translation.override("de"):
        assert template.render(context) == "6. Dezember 2026"
    with translation.override("ja"):
        assert template.render(context) == "2026年12月6日"
