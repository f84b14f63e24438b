from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from partners.admin import TierAdmin as CoreTierAdmin
from partners.measures import measure_choices, measures
from partners.models import Tier
from tiers.models import TierHistory, TierRequirement, TierStanding


def _subject_names() -> list[str]:
    """The subjects the registered measures can be narrowed to ("certification"), in order."""
    return list(dict.fromkeys(m.subject for _, m in measures.items() if m.subject))


class TierRequirementForm(forms.ModelForm):
    """A requirement in the tier's admin page: the measure from the registered ones, and for a
    measure that takes a subject, the subject by id or slug in a column named after it (its
    errors, keyed by that name by the measure's check, land there)."""

    metric = forms.ChoiceField(choices=measure_choices, label=_("Measure"))

    class Meta:
        model = TierRequirement
        fields = ["metric", "minimum", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.measure
        if current is not None and current.subject in self.fields and self.instance.subject_id:
            self.initial[current.subject] = str(self.instance.subject_id)

    def clean(self):
        cleaned = super().clean()
        measure = measures.get(cleaned["metric"]) if cleaned.get("metric") in measures else None
        subject_id = None
        for name in _subject_names():
            reference = (cleaned.get(name) or "").strip()
            if not reference:
                continue
            if measure is None or measure.subject != name:
                label = measure.label if measure is not None else cleaned.get("metric")
                self.add_error(
                    name,
                    _("A %(subject)s does not narrow %(measure)s.")
                    % {"subject": name, "measure": label},
                )
                continue
            subject_id = measure.subject_by_reference(reference)
            if subject_id is None:
                self.add_error(name, _("No %(subject)s has this id or slug.") % {"subject": name})
        self.instance.subject_id = subject_id
        return cleaned


def requirement_form() -> type[TierRequirementForm]:
    """The form with one column per subject the registered measures take (built when the admin
    page is, as the measures are registered after the admin modules are loaded)."""
    fields = {}
    for name in _subject_names():
        takers = ", ".join(str(m.label) for _, m in measures.items() if m.subject == name)
        fields[name] = forms.CharField(
            required=False,
            label=name.capitalize(),
            help_text=_("Id or slug; only for: %(measures)s.") % {"measures": takers},
        )
    return type("TierRequirementSubjectForm", (TierRequirementForm,), fields)


class TierRequirementInline(admin.TabularInline):
    """Requirements are data: the nightly evaluation (tiers.evaluation) reads them as they are."""

    model = TierRequirement
    form = TierRequirementForm
    extra = 1

    def get_fields(self, request, obj=None):
        return ["metric", *_subject_names(), "minimum", "note"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = requirement_form()
        return super().get_formset(request, obj, **kwargs)


admin.site.unregister(Tier)


@admin.register(Tier)
class TierAdmin(CoreTierAdmin):
    """The core's tier page with the requirements a partner must reach to hold the tier."""

    inlines = [TierRequirementInline, *CoreTierAdmin.inlines]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # clean() refused what no partner could meet; a minimum that only some partners can
        # reach (courses limited to other partner types) is allowed, with a warning.
        for text in requirement_warnings(form.instance):
            self.message_user(request, text, level=messages.WARNING)


def requirement_warnings(tier: Tier) -> list[str]:
    """What the measures of ``tier``'s requirements warn about (admin only)."""
    warnings = []
    for requirement in tier.requirements.all():
        measure = requirement.measure
        if measure is not None and measure.warnings is not None:
            warnings += measure.warnings(tier=tier, minimum=requirement.minimum)
    return warnings


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by tiers only (evaluation and the override page); admins read."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TierHistory)
class TierHistoryAdmin(ReadOnlyAdmin):
    list_display = ["partner", "kind", "from_tier", "to_tier", "actor", "at", "pinned_until"]
    list_filter = ["kind", "to_tier"]
    list_select_related = ["partner", "from_tier", "to_tier", "actor"]
    search_fields = ["partner__name", "reason"]
    date_hierarchy = "at"


@admin.register(TierStanding)
class TierStandingAdmin(ReadOnlyAdmin):
    list_display = ["partner", "below_since", "demote_after", "demote_to", "pinned_until"]
    list_select_related = ["partner", "demote_to"]
    search_fields = ["partner__name"]
