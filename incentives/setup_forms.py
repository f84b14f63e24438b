"""Forms of incentives' setup pages. They parse input; incentives.services.setup decides what is
allowed and says why not, by field."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from incentives import setup_selectors
from incentives.choices import AwardScope
from incentives.services.setup import MAX_CAP, MAX_POINTS, award_event_kinds


class AwardRuleSetupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    event_kind = forms.ChoiceField(
        label=_("When this happens"),
        help_text=_("Events from the registry of what PRM records."),
    )
    points = forms.IntegerField(
        label=_("Points"), min_value=0, max_value=MAX_POINTS, initial=0, required=False
    )
    badge = forms.ModelChoiceField(
        label=_("Badge"), queryset=None, required=False, empty_label=_("No badge")
    )
    scope = forms.ChoiceField(
        label=_("Count limits"), choices=AwardScope.choices, initial=AwardScope.PARTNER
    )
    first_only = forms.BooleanField(label=_("Only the first such event counts"), required=False)
    cap = forms.IntegerField(
        label=_("At most this many awards"),
        min_value=1,
        max_value=MAX_CAP,
        required=False,
        help_text=_("Per partner or per user; empty: no limit."),
    )
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=None, required=False, empty_label=_("Every program")
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {}).update(
                name=instance.name,
                event_kind=instance.event_kind,
                points=instance.points,
                badge=instance.badge_id,
                scope=instance.scope,
                first_only=instance.first_only,
                cap=instance.cap,
                program=instance.program_id,
            )
        super().__init__(*args, **kwargs)
        self.fields["event_kind"].choices = [
            (kind, f"{label} ({kind})") for kind, label in award_event_kinds()
        ]
        self.fields["badge"].queryset = setup_selectors.badge_choices()
        self.fields["program"].queryset = setup_selectors.program_choices()


class AllocationAmountForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("999999999999.99"),
    )
