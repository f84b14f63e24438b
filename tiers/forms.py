from django import forms
from django.core.validators import MaxValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kernel.bounds import validate_business_date
from kernel.translations import TranslationsFormMixin
from partners.choices import BenefitKind, BenefitPeriod
from partners.measures import measure_choices_with_units, measures


class TierOverrideForm(forms.Form):
    """The vendor's manual tier decision (tiers.overrides.tier_override)."""

    tier = forms.ModelChoiceField(queryset=None, empty_label=None)
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the tier history and shown to the partner's channel manager."),
    )
    pinned_until = forms.DateField(
        required=False,
        label=_("Keep this tier until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_business_date],
        help_text=_("Optional: the nightly evaluation leaves the tier alone until this date."),
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


# --- The tier setup pages: one small form per tier, requirement and benefit -----------------------


class TierForm(TranslationsFormMixin, forms.Form):
    """A tier's own fields (tiers.services.tier_create / tier_update)."""

    translated_fields = ("name", "description")

    name = forms.CharField(label=_("Name"), max_length=60)
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("1 is the entry tier; the tiers from this rank up move one rank up."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, highest: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rank"].max_value = highest
        self.fields["rank"].widget.attrs["max"] = highest
        self.fields["rank"].validators.append(MaxValueValidator(highest))


def _subject_names() -> list[str]:
    """The subjects the registered measures can be narrowed to ("certification"), in order."""
    return list(dict.fromkeys(m.subject for _, m in measures.items() if m.subject))


class RequirementForm(forms.Form):
    """A requirement: the measure from the registered ones (with its unit), the subject from a
    select of what the measure can be narrowed to (never an id typed by hand), the minimum."""

    metric = forms.ChoiceField(label=_("Measure"))
    minimum = forms.DecimalField(
        label=_("At least"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("Choose a measure")), *measure_choices_with_units()]
        self.subject_measures = {key: m.subject for key, m in measures.items() if m.subject}
        for name in _subject_names():
            takers = [m for _, m in measures.items() if m.subject == name]
            options = []
            for m in takers:
                if m.subject_choices is not None:
                    options += [(str(pk), label) for pk, label in m.subject_choices()]
            self.fields[name] = forms.ChoiceField(
                label=capfirst(name),
                required=False,
                choices=[("", _("Any")), *dict(options).items()],
                help_text=_("Only for: %(measures)s.")
                % {"measures": ", ".join(str(m.label) for m in takers)},
            )
        self.order_fields(["metric", *_subject_names(), "minimum", "note"])

    @property
    def subject_fields(self) -> list[str]:
        return _subject_names()

    def clean(self):
        cleaned = super().clean()
        metric = cleaned.get("metric")
        measure = measures.get(metric) if metric in measures else None
        subject_id = None
        for name in _subject_names():
            value = cleaned.get(name) or ""
            if not value:
                continue
            if measure is None or measure.subject != name:
                label = measure.label if measure is not None else metric
                self.add_error(
                    name,
                    _("A %(subject)s does not narrow %(measure)s: leave it at “Any”.")
                    % {"subject": name, "measure": label},
                )
                continue
            subject_id = int(value)
        cleaned["subject_id"] = subject_id
        return cleaned

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "metric": c["metric"],
            "minimum": c["minimum"],
            "subject_id": c.get("subject_id"),
            "note": c.get("note", ""),
        }


class BenefitForm(TranslationsFormMixin, forms.Form):
    """A benefit (tiers.services.benefit_create / benefit_update): the model's rules come back
    from the service as messages on these fields."""

    translated_fields = ("name", "description")

    kind = forms.ChoiceField(label=_("Kind"), choices=BenefitKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("Days, percent, or money, depending on the kind."),
    )
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("", "—"), *BenefitPeriod.choices],
        help_text=_("MDF allocation only."),
    )
    value = forms.CharField(
        label=_("Text shown to partners"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to show the amount."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1000, initial=0)

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "kind": c["kind"],
            "name": c["name"],
            "amount": c.get("amount"),
            "period": c.get("period") or "",
            "value": c.get("value", ""),
            "description": c.get("description", ""),
            "position": c.get("position") or 0,
            "translations": c.get("translations", {}),
        }
