from django import forms

from kernel.bounds import validate_business_date


class TierOverrideForm(forms.Form):
    """The vendor's manual tier decision (tiers.overrides.tier_override)."""

    tier = forms.ModelChoiceField(queryset=None, empty_label=None)
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the tier history and shown to the partner's channel manager.",
    )
    pinned_until = forms.DateField(
        required=False,
        label="Keep this tier until",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_business_date],
        help_text="Optional: the nightly evaluation leaves the tier alone until this date.",
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = partner.program.tiers.order_by("rank")
        self.fields["tier"].initial = partner.tier_id

    def pinned_until_datetime(self):
        """The end of the chosen day (in the site's time zone), or None."""
        from datetime import datetime, time

        from django.utils import timezone

        day = self.cleaned_data.get("pinned_until")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
