"""Input forms: they validate and clean; incentives.services decides and writes."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incentives.services.mdf import Activity
from kernel.bounds import validate_business_date

MAX_AMOUNT = Decimal("999999999.99")


class DateInput(forms.DateInput):
    input_type = "date"


def _amount(label: str, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        help_text=help_text,
    )


class MdfRequestForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Activity"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Plan"),
        max_length=5000,
        widget=forms.Textarea({"rows": 5}),
        help_text=gettext_lazy("Audience, channels, expected results."),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts"), widget=DateInput, validators=[validate_business_date]
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends"), widget=DateInput, validators=[validate_business_date]
    )
    amount = _amount("Budget")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The activity cannot end before it starts.")
        return data

    def activity(self) -> Activity:
        d = self.cleaned_data
        return Activity(d["title"], d["description"], d["starts_on"], d["ends_on"], d["amount"])


class ClaimForm(forms.Form):
    amount = _amount("Actual amount spent")
    proof = forms.FileField(
        label=gettext_lazy("Proof of execution"),
        help_text=gettext_lazy("Invoices, photos or a report: PDF, image, Office document or ZIP."),
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))


class ApproveForm(forms.Form):
    amount = _amount(
        "Approved amount",
        required=False,
        help_text=gettext_lazy("Leave empty to approve the requested budget."),
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))


class AllocationForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=None)
    period = forms.CharField(max_length=20, help_text="e.g. 2026-Q4")
    starts_on = forms.DateField(widget=DateInput, validators=[validate_business_date])
    ends_on = forms.DateField(widget=DateInput, validators=[validate_business_date])
    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        required=False,
        help_text=gettext_lazy(
            "Leave empty to allocate what the partner's tier grants for a quarter."
        ),
    )
    currency = forms.CharField(
        max_length=3,
        min_length=3,
        required=False,
        help_text=gettext_lazy("ISO 4217; empty: the tier's."),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        if not self.is_bound:  # the current quarter
            today = timezone.localdate()
            quarter = (today.month - 1) // 3
            starts = date(today.year, quarter * 3 + 1, 1)
            ends = date(today.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
            self.initial.setdefault("period", f"{today.year}-Q{quarter + 1}")
            self.initial.setdefault("starts_on", starts)
            self.initial.setdefault("ends_on", ends - timedelta(days=1))

    def clean_currency(self):
        value = self.cleaned_data["currency"].upper()
        if value and not value.isalpha():
            raise forms.ValidationError(gettext_lazy("An ISO 4217 code such as USD."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The period cannot end before it starts.")
        return data
