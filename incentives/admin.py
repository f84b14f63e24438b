"""Admin: award rules and badges are edited here; MDF records are read-only (the workflow, its
balances, events and emails run through incentives.services), except that a new allocation is
created through the service."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy

from events.choices import EventKind
from incentives import services
from incentives.choices import AWARD_EVENT_KINDS
from incentives.models import Award, AwardRule, Badge, MdfAllocation, MdfRequest, PartnerScore


class AwardRuleForm(forms.ModelForm):
    event_kind = forms.ChoiceField(
        choices=[
            (k, f"{label} ({k})") for k, label in EventKind.choices if k not in AWARD_EVENT_KINDS
        ]
    )

    class Meta:
        model = AwardRule
        fields = [
            "name",
            "event_kind",
            "points",
            "badge",
            "scope",
            "first_only",
            "cap",
            "program",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        if not data.get("points") and not data.get("badge"):
            raise forms.ValidationError(gettext_lazy("A rule gives points, a badge, or both."))
        return data


@admin.register(AwardRule)
class AwardRuleAdmin(admin.ModelAdmin):
    """New or changed rules apply to events from now on; ``manage.py incentives_backfill``
    evaluates history again."""

    form = AwardRuleForm
    list_display = [
        "name",
        "event_kind",
        "points",
        "badge",
        "scope",
        "first_only",
        "cap",
        "is_active",
    ]
    list_filter = ["is_active", "event_kind", "scope"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "icon"]
    prepopulated_fields = {"slug": ["name"]}


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Award)
class AwardAdmin(_ReadOnlyAdmin):
    list_display = ["rule", "partner", "user", "points", "badge", "occurred_at"]
    list_select_related = ["rule", "partner", "user", "badge"]
    list_filter = ["rule"]


@admin.register(PartnerScore)
class PartnerScoreAdmin(_ReadOnlyAdmin):
    list_display = ["partner", "points", "leaderboard_opt_out"]
    list_select_related = ["partner"]


class AllocationAddForm(forms.ModelForm):
    class Meta:
        model = MdfAllocation
        fields = ["partner", "period", "starts_on", "ends_on", "amount", "currency"]


@admin.register(MdfAllocation)
class MdfAllocationAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "period",
        "starts_on",
        "ends_on",
        "amount",
        "committed",
        "paid",
        "currency",
    ]
    list_select_related = ["partner"]
    search_fields = ["partner__name", "period"]
    form = AllocationAddForm

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            created = services.mdf_allocation_create(actor=request.user, **data)
        except services.MdfError as exc:
            messages.error(request, str(exc))
            return
        obj.pk = created.pk


@admin.register(MdfRequest)
class MdfRequestAdmin(_ReadOnlyAdmin):
    list_display = [
        "title",
        "partner",
        "status",
        "requested_amount",
        "approved_amount",
        "claimed_amount",
    ]
    list_select_related = ["partner"]
    list_filter = ["status"]
    search_fields = ["title", "partner__name"]
