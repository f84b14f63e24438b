from django import forms
from django.utils.translation import gettext_lazy as _

from partners.choices import MemberRole
from partners.models import Offering, PartnerType, Program
from partners.setup import EARLIEST_LAUNCH, latest_launch


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Colleague's work email", max_length=254)
    role = forms.ChoiceField(
        choices=MemberRole.choices,
        initial=MemberRole.USER,
        help_text="Partner admins manage the team; partner users work in the portal.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)


# --- Program setup pages ------------------------------------------------------------------------


class ProgramForm(forms.ModelForm):
    """Name, slug, description, active. The service validates again (unique name and slug)."""

    class Meta:
        model = Program
        fields = ["name", "slug", "description", "is_active"]
        labels = {"is_active": _("Active (takes new partners)")}
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens; used in links and exports."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PartnerTypeForm(forms.ModelForm):
    class Meta:
        model = PartnerType
        fields = ["name", "slug", "description"]
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens; used in links and exports."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OfferingForm(forms.ModelForm):
    """An offering and its audience (checkboxes; none ticked = every program or type). The slug is
    set once: events name the offering by it."""

    class Meta:
        model = Offering
        fields = ["name", "slug", "kind", "description", "launched_on", "is_active", "programs",
                  "partner_types"]  # fmt: skip
        labels = {
            "is_active": _("Active (in deal forms and adoption figures)"),
            "launched_on": _("Launch date"),
            "programs": _("Programs"),
            "partner_types": _("Partner types"),
        }
        help_texts = {
            "slug": _(
                "Lower-case letters, digits and hyphens. Events and integrations name the "
                "offering by it, so it cannot change later."
            ),
            "launched_on": _("Adoption curves start at the launch date."),
            "programs": _("None ticked: every program."),
            "partner_types": _("None ticked: every partner type."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "launched_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "programs": forms.CheckboxSelectMultiple,
            "partner_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["launched_on"].widget.attrs.update(
            min=EARLIEST_LAUNCH.isoformat(), max=latest_launch().isoformat()
        )
        if self.instance.pk:
            self.fields["slug"].disabled = True
