"""Forms of the plan pages: they parse input; ``plans.services`` validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.measures import Unit, measures
from plans import periods
from plans.choices import CommitmentKind, InitiativeStatus, Side
from plans.models import COMMENT_MAX, NOTE_MAX, TEXT_MAX


def goal_measure_choices():
    return [("", _("Free-text goal (ticked by hand)"))] + [
        (key, f"{m.label} ({Unit(m.unit).label})") for key, m in measures.items()
    ]


def subject_choices(partner=None):
    """Subjects of the measures that can be narrowed (e.g. a certification), each labelled; for a
    plan of ``partner``, only those open to it where the measure says which are (its program's
    offerings)."""
    choices = [("", _("Any"))]
    for _key, m in measures.items():
        if partner is not None and m.subject and m.subject_choices_for is not None:
            options = m.subject_choices_for(partner)
        elif m.subject and m.subject_choices is not None:
            options = m.subject_choices()
        else:
            continue
        choices += [(str(pk), f"{m.subject}: {label}") for pk, label in options]
    return choices


class PlanCreateForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"))
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods.period_choices()

    def clean_period(self):
        period = periods.parse_key(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Pick a period from the list."))
        return period


class GoalForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), required=False)
    subject_id = forms.ChoiceField(label=_("Narrowed to"), required=False)
    target = forms.CharField(label=_("Target for the period"), required=False, max_length=20)
    text = forms.CharField(label=_("Goal in words"), required=False, max_length=TEXT_MAX)

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = goal_measure_choices()
        self.fields["subject_id"].choices = subject_choices(partner)


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("What"), max_length=TEXT_MAX)
    owner_side = forms.ChoiceField(label=_("Owner"), choices=Side.choices)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)


class InitiativeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Commitment"), choices=CommitmentKind.choices)
    amount = forms.CharField(label=_("Amount"), required=False, max_length=20)
    sessions = forms.CharField(label=_("Sessions"), required=False, max_length=5)
    text = forms.CharField(label=_("Details"), required=False, max_length=TEXT_MAX)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("What should change"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class PlanFilterForm(forms.Form):
    program = forms.ModelChoiceField(queryset=None, required=False, label=_("Program"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    period = forms.ChoiceField(required=False, label=_("Period"))
    owner = forms.ModelChoiceField(queryset=None, required=False, label=_("Owner"))

    def __init__(self, *args, programs, owners, **kwargs):
        from plans.choices import PlanStatus

        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        self.fields["status"].choices = [
            ("", _("Current (not superseded)")),
            *list(PlanStatus.choices),
        ]
        self.fields["period"].choices = [("", _("Any period")), *periods.period_choices()]

    def clean_period(self):
        text = self.cleaned_data.get("period") or ""
        if not text:
            return None
        period = periods.parse_key(text)
        if period is None:
            raise forms.ValidationError(_("Pick a period from the list."))
        return period
