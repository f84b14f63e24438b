from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners import services
from partners.choices import TierMetric
from partners.models import (
    Offering,
    Partner,
    PartnerInvitation,
    PartnerMembership,
    PartnerType,
    Program,
    Tier,
    TierBenefit,
    TierHistory,
    TierRequirement,
    TierStanding,
)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    fields = ["rank", "name", "description"]
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [TierInline]


@admin.register(PartnerType)
class PartnerTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class TierRequirementInline(admin.TabularInline):
    """Requirements are data: the nightly evaluation (partners.tiers) reads them as they are."""

    model = TierRequirement
    extra = 1
    fields = ["metric", "certification", "minimum", "note"]
    raw_id_fields = ["certification"]


class TierBenefitInline(admin.TabularInline):
    model = TierBenefit
    extra = 1
    fields = ["position", "kind", "name", "amount", "period", "value", "description"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "rank"]
    list_filter = ["program"]
    ordering = ["program", "rank"]
    inlines = [TierRequirementInline, TierBenefitInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # clean() refused what no partner could meet; a course count that only some partner
        # types can reach (courses limited to other types) is allowed, with a warning.
        for text in course_requirement_warnings(form.instance):
            self.message_user(request, text, level=messages.WARNING)


def course_requirement_warnings(tier: Tier) -> list[str]:
    """One line per partner type that sees fewer courses below ``tier`` than its
    ``completed_courses`` requirement asks for (one query per partner type, admin only)."""
    from enablement.selectors import course_count_open_below_tier

    requirement = tier.requirements.filter(metric=TierMetric.COMPLETED_COURSES).first()
    if requirement is None:
        return []
    warnings = []
    for partner_type in PartnerType.objects.order_by("name"):
        n = course_count_open_below_tier(tier=tier, partner_type_id=partner_type.pk)
        if requirement.minimum > n:
            warnings.append(
                ngettext(
                    "%(tier)s asks for %(minimum)s completed courses, but only %(n)s is open to "
                    "%(type)s partners before %(tier)s: they cannot reach it.",
                    "%(tier)s asks for %(minimum)s completed courses, but only %(n)s are open to "
                    "%(type)s partners before %(tier)s: they cannot reach it.",
                    n,
                )
                % {
                    "tier": tier.name,
                    "minimum": f"{requirement.minimum.normalize():f}",
                    "n": n,
                    "type": partner_type.name,
                }
            )
    return warnings


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "launched_on", "is_active"]
    list_filter = ["kind", "is_active", "programs", "partner_types"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["programs", "partner_types"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description", "launched_on", "is_active"]}),
        (
            _("Audience"),
            {
                "fields": ["programs", "partner_types"],
                "description": _(
                    "Who the offering is meant for. Only partners of these programs and types "
                    "see it and count as eligible to adopt it; empty means everyone."
                ),
            },
        ),
    ]


class MembershipInlineForm(forms.ModelForm):
    class Meta:
        model = PartnerMembership
        fields = ["user", "role", "created_at"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user is not None and user.vendor_role:
            raise forms.ValidationError(_("Vendor staff cannot be members of a partner."))
        return user


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    form = MembershipInlineForm
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "program",
        "partner_type",
        "tier",
        "status",
        "region",
        "owner",
        "joined_at",
    ]
    list_filter = ["status", "program", "partner_type", "tier", "region"]
    search_fields = ["name", "domain"]
    list_select_related = ["program", "partner_type", "tier", "owner"]
    raw_id_fields = ["owner"]
    date_hierarchy = "joined_at"
    # Lifecycle dates move with status changes (partners.services), not by hand.
    readonly_fields = ["status", "activated_at", "created_at", "updated_at"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # Only a vendor admin reassigns owners here (partners.permissions.can_reassign_owner);
        # other staff with admin access would otherwise take partners past the service's check.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_vendor_admin else [*fields, "owner"]

    def save_formset(self, request, form, formset, change):
        """New team members go through ``membership_add`` (which records ``user.joined``, so
        onboarding's colleagues step and the metrics count them); edits and deletions save as
        usual."""
        if formset.model is not PartnerMembership:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for membership in instances:
            if membership.pk is None:
                services.membership_add(
                    partner=form.instance,
                    user=membership.user,
                    role=membership.role,
                    actor=request.user,
                    created_at=membership.created_at,
                )
            else:
                membership.save()
        formset.save_m2m()


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "partner",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_select_related = ["partner"]
    search_fields = ["email", "partner__name"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by"]
    raw_id_fields = ["partner", "invited_by", "accepted_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by partners.tiers only (evaluation and the override page); admins read."""

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
