"""The experiment form: scope, design and two to four variants (checklists with weights)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onboarding.experiments.services import MAX_VARIANTS
from onboarding.models import ChecklistTemplate
from partners.choices import Region
from partners.models import PartnerType, Program


class ExperimentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    hypothesis = forms.CharField(
        label=_("Hypothesis"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you expect, e.g. “a shorter path activates more resellers”."),
    )
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    partner_type = forms.ModelChoiceField(
        label=_("Partner type"),
        queryset=PartnerType.objects.none(),
        required=False,
        empty_label=_("Every partner type"),
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Every region")), *Region.choices]
    )
    window_days = forms.IntegerField(
        label=_("Activation window (days)"), min_value=7, max_value=365, initial=90
    )
    baseline_rate = forms.DecimalField(
        label=_("Expected activation rate of the control (%)"),
        min_value=1, max_value=99, decimal_places=2, initial=30,
    )  # fmt: skip
    min_difference = forms.DecimalField(
        label=_("Smallest difference worth detecting (percentage points)"),
        min_value=1, max_value=90, decimal_places=2, initial=10,
    )  # fmt: skip
    alpha = forms.DecimalField(
        label=_("Significance level (alpha)"),
        min_value=Decimal("0.001"), max_value=Decimal("0.2"), decimal_places=3, initial="0.05",
    )  # fmt: skip
    power = forms.DecimalField(
        label=_("Power"),
        min_value=Decimal("0.5"),
        max_value=Decimal("0.99"),
        decimal_places=3,
        initial="0.8",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.order_by("name")
        self.fields["partner_type"].queryset = PartnerType.objects.order_by("name")
        templates = ChecklistTemplate.objects.select_related("program").order_by("name")
        for i in range(1, MAX_VARIANTS + 1):
            self.fields[f"template_{i}"] = forms.ModelChoiceField(
                label=_("Control checklist") if i == 1 else _("Variant %(n)d checklist") % {"n": i},
                queryset=templates,
                required=i <= 2,
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(
                label=_("Weight"), min_value=1, max_value=10, initial=1, required=i <= 2
            )

    def variants(self) -> list[tuple]:
        data = self.cleaned_data
        return [
            (data[f"template_{i}"], data.get(f"weight_{i}") or 1)
            for i in range(1, MAX_VARIANTS + 1)
            if data.get(f"template_{i}") is not None
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and len(self.variants()) < 2:
            raise ValidationError(_("Choose at least two checklists."))
        return data

    def variant_rows(self):
        return [(self[f"template_{i}"], self[f"weight_{i}"]) for i in range(1, MAX_VARIANTS + 1)]


class StopForm(forms.Form):
    roll_out = forms.BooleanField(
        label=_("Roll the winning checklist out to new partners of this scope"), required=False
    )
    early_ok = forms.BooleanField(
        label=_("I understand that stopping now gives no valid verdict"), required=False
    )
