from django import forms
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditAction
from kernel.bounds import validate_filter_date


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    actor = forms.CharField(max_length=254, required=False, label=_("Who (name or email contains)"))
    partner = forms.CharField(max_length=200, required=False, label=_("Partner (name contains)"))
    since = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_filter_date],
    )
    until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_filter_date],
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("“Since” must be on or before “until”."))
        return data
