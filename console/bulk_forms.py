"""The forms of the partner list's bulk actions: what each action sets (console.bulk.Plan)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from console.bulk import Plan
from console.choices import BulkKind
from onboarding.forms import manager_choices
from partners.choices import PartnerStatus
from partners.models import Tier


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} · {obj.name}"


class BulkForm(forms.Form):
    kind = ""

    def plan(self) -> Plan:
        return Plan(kind=self.kind)


class OwnerBulkForm(BulkForm):
    kind = BulkKind.OWNER
    owner = forms.ModelChoiceField(queryset=None, label=_("New owner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = manager_choices()
        self.fields["owner"].label_from_instance = lambda user: user.display_name

    def plan(self) -> Plan:
        return Plan(kind=self.kind, owner=self.cleaned_data["owner"])


class TierBulkForm(BulkForm):
    """As the single-partner override (tiers.forms.TierOverrideForm): a tier and a reason."""

    kind = BulkKind.TIER
    tier = TierChoiceField(queryset=None, label=_("New tier"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in each partner's tier history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.select_related("program").order_by(
            "program__name", "rank"
        )

    def plan(self) -> Plan:
        return Plan(
            kind=self.kind,
            tier=self.cleaned_data["tier"],
            reason=self.cleaned_data["reason"].strip(),
        )


class StatusBulkForm(BulkForm):
    kind = BulkKind.STATUS
    status = forms.ChoiceField(choices=PartnerStatus.choices, label=_("New status"))

    def plan(self) -> Plan:
        return Plan(kind=self.kind, status=self.cleaned_data["status"])


class EmailBulkForm(BulkForm):
    kind = BulkKind.EMAIL
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Each partner admin gets their own email, greeted by name and signed with your name."
        ),
    )

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Give the email a subject."))
        return subject

    def plan(self) -> Plan:
        return Plan(
            kind=self.kind,
            subject=self.cleaned_data["subject"],
            body=self.cleaned_data["body"].strip(),
        )


class ExportBulkForm(BulkForm):
    kind = BulkKind.EXPORT


FORMS = {
    form.kind: form
    for form in (OwnerBulkForm, TierBulkForm, StatusBulkForm, EmailBulkForm, ExportBulkForm)
}
