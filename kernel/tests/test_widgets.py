"""FastSelect renders exactly what Django's Select renders through its templates."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.widgets import FastSelect

CHOICES = [
    ("", "---------"),
    ("FR", "France & <Outre-mer>"),
    (3, _("Three")),
    ("Group <b>", [("a", 'A "quoted"'), ("b", "B")]),
    ("US", "United States"),
]


@pytest.mark.parametrize("value", ["", "FR", 3, "3", "a", None, "missing"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"class": "form-select", "id": "id_country"},
        {"required": True, "disabled": False, "data-x": None, "data-q": '"<&>'},
    ],
)
def test_fast_select_renders_the_html_of_django_select(value, attrs):
    django = forms.Select(choices=CHOICES, attrs={"class": "select"})
    fast = FastSelect(choices=CHOICES, attrs={"class": "select"})
    assert fast.render("country", value, attrs=attrs) == django.render(
        "country", value, attrs=attrs
    )


def test_a_form_field_renders_the_same_with_either_widget():
    from django_countries import countries

    choices = [("", "---------"), *countries]

    class Django(forms.Form):
        country = forms.ChoiceField(choices=choices, required=False)

    class Fast(forms.Form):
        country = forms.ChoiceField(choices=choices, required=False, widget=FastSelect)

    for data in ({"country": "DE"}, {"country": ""}, None):
        assert str(Fast(data)["country"]) == str(Django(data)["country"])
    assert str(Fast({"country": "DE"})["country"]).count("<option") == len(choices)
