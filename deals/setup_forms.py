"""The registration-policy form. It parses input; deals.setup_services decides what is allowed
and says why not, by field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deals import setup_selectors
from deals.setup_services import MAX_PROTECTION, MAX_WARNING, MIN_PROTECTION, MIN_WARNING


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} · {obj.name}"


class RegistrationPolicyForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=None)
    tier = TierChoiceField(
        label=_("Tier"),
        queryset=None,
        required=False,
        empty_label=_("All tiers (the program's default)"),
        help_text=_("A tier's own policy wins over the program's default."),
    )
    protection_days = forms.IntegerField(
        label=_("Protection (days)"),
        min_value=MIN_PROTECTION,
        max_value=MAX_PROTECTION,
        help_text=_("How long an approved registration is protected: 1 to 730 days."),
    )
    warning_days = forms.IntegerField(
        label=_("Warn before the end (days)"),
        min_value=MIN_WARNING,
        max_value=MAX_WARNING,
        help_text=_("Email the partner this many days before protection ends: 1 to 90."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {}).update(
                program=instance.program_id,
                tier=instance.tier_id,
                protection_days=instance.protection_days,
                warning_days=instance.warning_days,
            )
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = setup_selectors.program_choices()
        self.fields["tier"].queryset = setup_selectors.tier_choices()
