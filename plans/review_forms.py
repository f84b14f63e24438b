"""Forms of the review pages: they parse input (times in the viewer's time zone, which Django's
active time zone gives); ``plans.services`` validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.choices import Side
from plans.models import COMMENT_MAX, NOTE_MAX, REVIEW_NOTES_MAX, TEXT_MAX, BusinessPlan


class _PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class _OnePerson(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TEXT_MAX)
    starts_at = forms.DateTimeField(
        label=_("Starts (your time zone)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=15, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=TEXT_MAX)
    meeting_url = forms.CharField(label=_("Meeting link"), required=False, max_length=500)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    plan = forms.ModelChoiceField(
        label=_("Business plan"), required=False, queryset=BusinessPlan.objects.none()
    )
    attendees = _PersonChoice(
        label=_("Attendees"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Vendor staff and members of this partner."),
    )  # fmt: skip

    def __init__(self, *args, partner, attendee_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = attendee_choices
        self.fields["plan"].queryset = BusinessPlan.objects.filter(partner=partner).order_by(
            "-fiscal_year", "-quarter", "-version"
        )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=REVIEW_NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip


class ReviewCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Agenda point or comment"), max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    is_agenda_point = forms.BooleanField(label=_("Propose it as an agenda point"), required=False)


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("What"), max_length=TEXT_MAX)
    owner_side = forms.ChoiceField(label=_("Whose side"), choices=Side.choices)
    owner = _OnePerson(label=_("Owner"), required=False, queryset=None)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owner_choices, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices
        if sides is not None:
            self.fields["owner_side"].choices = [c for c in Side.choices if c[0] in sides]
