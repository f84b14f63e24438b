"""The adoption rule form: event kinds picked from the registry, never typed as JSON."""

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.services import MAX_MIN_EVENTS, MAX_WINDOW_DAYS, offering_event_kinds


class AdoptionRuleForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        help_text=_('What partners and staff read, e.g. "A deal registered in the last 90 days".'),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Events that count"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Events about this offering of any ticked kind count towards the rule."),
    )
    window_days = forms.IntegerField(
        label=_("Within the last (days)"),
        required=False,
        min_value=1,
        max_value=MAX_WINDOW_DAYS,
        help_text=_("Empty: any time (once met, the offering stays adopted)."),
    )
    min_events = forms.IntegerField(
        label=_("At least this many events"), min_value=1, max_value=MAX_MIN_EVENTS, initial=1
    )

    def __init__(self, *args, rule=None, **kwargs):
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "description": rule.description,
                "kinds": list(rule.kinds or []),
                "window_days": rule.window_days,
                "min_events": rule.min_events,
            }
        super().__init__(*args, **kwargs)
        choices = offering_event_kinds()
        known = {value for value, _label in choices}
        # a kind the rule already has but the registry no longer offers stays visible and kept
        extra = [(k, k) for k in (rule.kinds if rule is not None else []) or [] if k not in known]
        self.fields["kinds"].choices = [
            (value, f"{label} ({value})") for value, label in choices
        ] + extra
