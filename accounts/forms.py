from django import forms

from accounts.choices import TokenScope


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What uses this token, e.g. “CRM sync” or “Product analytics”."
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="Write is needed to create or change anything (deals, ingested events).",
    )
