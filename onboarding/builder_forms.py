"""Forms of the checklist builder: a template's name and targeting, one step (its object picked
from a list, its event chosen from the registry, its extra properties as name/value rows), the
"preview as a partner" audience and the migration's confirmation."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kernel.translations import TranslationsFormMixin
from onboarding.builder import (
    MAX_DUE_DAYS,
    MAX_MATCH_PROPERTIES,
    MAX_TARGET,
    MIN_DUE_DAYS,
    MIN_TARGET,
)
from onboarding.builder_selectors import PICKED_KINDS, event_kind_choices
from onboarding.choices import StepKind
from onboarding.models import ChecklistTemplate
from partners.models import PartnerType, Program, Tier

MATCH_ROWS = 4  # empty rows offered beneath the filled ones
_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$")


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} · {obj.name}"


def _audience_fields(form) -> None:
    form.fields["program"] = forms.ModelChoiceField(
        Program.objects.order_by("name"),
        required=False,
        empty_label=_("Any program"),
        label=_("Program"),
    )
    form.fields["partner_type"] = forms.ModelChoiceField(
        PartnerType.objects.order_by("name"),
        required=False,
        empty_label=_("Any partner type"),
        label=_("Partner type"),
    )
    form.fields["tier"] = TierChoiceField(
        Tier.objects.select_related("program").order_by("program__name", "rank"),
        required=False,
        empty_label=_("Any tier"),
        label=_("Tier"),
    )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["name", "description", "program", "partner_type", "tier", "is_active"]
        labels = {"is_active": _("Active (partners entering onboarding get it)")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _audience_fields(self)
        self.order_fields(self.Meta.fields)
        self.fields["name"].label = _("Name")
        self.fields["description"].label = _("Description")
        if self.instance.pk is None:
            self.initial["is_active"] = False  # active once it has published steps


class PreviewForm(forms.Form):
    """Who the preview is for (nothing chosen: a partner of no program, type or tier)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _audience_fields(self)

    def clean(self):
        data = super().clean()
        program, tier = data.get("program"), data.get("tier")
        if tier is not None and program is not None and tier.program_id != program.pk:
            self.add_error("tier", _("This tier belongs to another program."))
        return data


def _parse_value(text: str):
    """A property value as typed: numbers and true/false/null as such, anything else as text."""
    if _NUMBER.match(text) or text in ("true", "false", "null"):
        return json.loads(text)
    return text


def _show_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class StepForm(TranslationsFormMixin, forms.Form):
    """One step. ``subject_id`` is one list for every kind that names an object (the values are
    ``<kind>:<id>``, grouped by kind); the clean value is the bare id. ``match_properties`` come
    from the ``prop_name_<n>`` / ``prop_value_<n>`` rows."""

    translated_fields = ("title", "why")

    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices)
    event_kind = forms.ChoiceField(
        label=_("Event that completes it"),
        required=False,
        help_text=_(
            "For “Any recorded event” steps (required) and custom steps (optional: without one, "
            "the channel manager verifies it). Other kinds complete on their own event."
        ),
    )
    subject_id = forms.ChoiceField(
        label=_("What it names"),
        required=False,
        help_text=_(
            "The course, certification or agreement version the partner must complete; "
            "“Any” accepts any of that kind."
        ),
    )
    target_count = forms.IntegerField(
        label=_("How many times"),
        min_value=MIN_TARGET,
        max_value=MAX_TARGET,
        initial=1,
        help_text=_("E.g. the number of colleagues to invite."),
    )
    required = forms.BooleanField(label=_("Required for activation"), required=False, initial=True)
    due_days = forms.IntegerField(
        label=_("Due after (days)"),
        min_value=MIN_DUE_DAYS,
        max_value=MAX_DUE_DAYS,
        initial=30,
        help_text=_("Counted from the day the partner's checklist starts."),
    )
    why = forms.CharField(
        label=_("Why it matters"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    link_url = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=300,
        help_text=_("Where the partner does it: a path of this site (/portal/…) or https://…"),
    )

    def __init__(self, *args, subjects: dict, initial_step=None, **kwargs):
        if initial_step is not None:
            kwargs.setdefault("initial", _initial(initial_step))
        super().__init__(*args, **kwargs)
        self.fields["event_kind"].choices = [
            ("", _("The usual one for the kind")),
            *event_kind_choices(),
        ]
        groups = [("", _("Any (or nothing to name)"))]
        labels = dict(StepKind.choices)
        current = self.initial.get("subject_id", "")
        known = set()
        for kind in PICKED_KINDS:
            options = [(f"{kind}:{pk}", name) for pk, name in subjects.get(kind, [])]
            known.update(value for value, _label in options)
            groups.append((labels[kind], options or [(f"{kind}:", _("(none available)"))]))
        if current and current not in known:
            # a subject no longer offered (unpublished, or not open to the audience): keep it
            # visible so saving the form says what is wrong with it instead of dropping it
            label = _("#%(id)s (not offered)") % {"id": current.split(":", 1)[-1]}
            groups.append((_("Current"), [(current, label)]))
        self.fields["subject_id"].choices = groups
        filled = len(self.initial.get("rows", []))
        posted = self._posted_rows()
        self.row_count = min(max(filled, posted) + MATCH_ROWS, MAX_MATCH_PROPERTIES + MATCH_ROWS)
        for n in range(self.row_count):
            row = self.initial.get("rows", [])[n] if n < filled else ("", "")
            self.fields[f"prop_name_{n}"] = forms.CharField(
                required=False, max_length=40, initial=row[0], label=_("Property name")
            )
            self.fields[f"prop_value_{n}"] = forms.CharField(
                required=False, max_length=200, initial=row[1], label=_("Value")
            )

    def _posted_rows(self) -> int:
        if not self.is_bound:
            return 0
        names = [k for k in self.data if k.startswith("prop_name_")]
        numbers = [int(k.rsplit("_", 1)[1]) for k in names if k.rsplit("_", 1)[1].isdigit()]
        return min(max(numbers, default=-1) + 1, MAX_MATCH_PROPERTIES + MATCH_ROWS)

    def match_rows(self):
        """(name field, value field) pairs for the template."""
        return [(self[f"prop_name_{n}"], self[f"prop_value_{n}"]) for n in range(self.row_count)]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        subject = data.get("subject_id") or ""
        if subject:
            prefix, _sep, pk = subject.partition(":")
            if kind and prefix != kind:
                self.add_error(
                    "subject_id",
                    _("Pick a %(kind)s for this step, or “Any”.")
                    % {"kind": dict(StepKind.choices).get(kind, kind).lower()},
                )
            data["subject_id"] = pk
        props, errors = {}, []
        for n in range(self.row_count):
            name = (data.get(f"prop_name_{n}") or "").strip()
            value = (data.get(f"prop_value_{n}") or "").strip()
            if not name and not value:
                continue
            if not name:
                errors.append(_("Row %(n)d has a value but no property name.") % {"n": n + 1})
            elif name in props:
                errors.append(_("The property “%(name)s” is named twice.") % {"name": name})
            else:
                props[name] = _parse_value(value)
        if len(props) > MAX_MATCH_PROPERTIES:
            errors.append(_("At most %(n)d extra properties.") % {"n": MAX_MATCH_PROPERTIES})
        if errors:
            self.add_error(None, ValidationError(errors))
        data["match_properties"] = props
        return data

    def step_data(self) -> dict:
        keys = ("title", "kind", "event_kind", "subject_id", "target_count", "required",
                "due_days", "why", "link_url", "match_properties", "translations")  # fmt: skip
        return {k: self.cleaned_data[k] for k in keys if k in self.cleaned_data}


def _initial(step) -> dict:
    subject = f"{step.kind}:{step.subject_id}" if step.subject_id else ""
    return {
        "title": step.title,
        "kind": step.kind,
        "event_kind": step.event_kind,
        "subject_id": subject,
        "target_count": step.target_count,
        "required": step.required,
        "due_days": step.due_days,
        "why": step.why,
        "link_url": step.link_url,
        "rows": [(k, _show_value(v)) for k, v in (step.match_properties or {}).items()],
        "translations": step.translations,
    }


class MigrateForm(forms.Form):
    """The version the admin reviewed (moving is refused when it was published again since)."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
