from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partners import services
from partners.models import (
    Offering,
    Partner,
    PartnerInvitation,
    PartnerMembership,
    PartnerType,
    Program,
    Tier,
    TierBenefit,
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


class TierBenefitInline(admin.TabularInline):
    model = TierBenefit
    extra = 1
    fields = ["position", "kind", "name", "amount", "period", "value", "description"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "rank"]
    list_filter = ["program"]
    ordering = ["program", "rank"]
    # tiers.admin adds the requirements (what a partner must reach is tier mechanics).
    inlines = [TierBenefitInline]


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
