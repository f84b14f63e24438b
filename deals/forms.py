"""Input forms: they validate and clean; deals.services decides and writes."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import VendorRole
from accounts.models import User
from deals.choices import MAX_EXTENSION_DAYS, Currency, DealStage, HelpKind
from deals.matching import is_valid_domain, is_webmail_domain, normalize_domain
from deals.services import Line
from kernel.bounds import validate_business_date
from kernel.widgets import FastSelect
from partners.models import Offering
from partners.selectors import offering_list_for_partner

MAX_AMOUNT = Decimal("999999999.99")


class DateInput(forms.DateInput):
    input_type = "date"


class DealForm(forms.Form):
    customer_name = forms.CharField(label=_("Customer company"), max_length=200)
    customer_domain = forms.CharField(
        label=_("Customer web domain"),
        max_length=253,
        required=False,
        help_text=_("e.g. example.com. Used to detect registrations of the same customer."),
    )
    # 250 countries: options rendered in Python (the same HTML), not a template each (issue 24)
    customer_country = forms.ChoiceField(
        label=_("Customer country"), required=False, widget=FastSelect
    )
    contact_name = forms.CharField(label=_("Customer contact"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.USD)
    expected_close_date = forms.DateField(
        required=False, widget=DateInput, validators=[validate_business_date]
    )
    stage = forms.ChoiceField(choices=DealStage.choices, initial=DealStage.PROSPECTING)
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea({"rows": 3}))
    shared_with = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Share with colleagues"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They can see and work on this registration."),
    )

    def __init__(self, *args, colleagues=None, can_share=True, **kwargs):
        super().__init__(*args, **kwargs)
        from django_countries import countries

        self.fields["customer_country"].choices = [("", "---------"), *countries]
        # Only the user's own team: another partner's user id posted here is "not a valid choice"
        self.fields["shared_with"].queryset = colleagues
        self.fields["shared_with"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.email})" if u.full_name.strip() else u.email
        )
        if not can_share or colleagues is None:
            del self.fields["shared_with"]

    def clean_customer_domain(self):
        value = normalize_domain(self.cleaned_data["customer_domain"])
        if value and not is_valid_domain(value):
            raise forms.ValidationError(_("Enter a web domain such as example.com."))
        if value and is_webmail_domain(value):
            raise forms.ValidationError(
                _("That is a webmail provider; enter the customer's own domain.")
            )
        return value

    def clean_expected_close_date(self):
        value = self.cleaned_data["expected_close_date"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The expected close date cannot be in the past."))
        return value

    def details(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "shared_with"}


class LineItemForm(forms.Form):
    offering = forms.ModelChoiceField(
        queryset=Offering.objects.filter(is_active=True).order_by("name"),
        empty_label=_("Choose an offering"),
    )
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, initial=1)
    unit_amount = forms.DecimalField(
        label=_("Unit amount"),
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
    )

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner is not None:  # only the offerings meant for the partner's program and type
            self.fields["offering"].queryset = offering_list_for_partner(partner=partner).order_by(
                "name"
            )


class BaseLineItemFormSet(forms.BaseFormSet):
    def lines(self) -> list[Line]:
        return [
            Line(
                offering=f.cleaned_data["offering"],
                quantity=f.cleaned_data["quantity"],
                unit_amount=f.cleaned_data["unit_amount"],
            )
            for f in self.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        total = sum((ln.unit_amount * ln.quantity for ln in self.lines()), Decimal("0"))
        if total > MAX_AMOUNT:
            raise forms.ValidationError(_("The deal amount is too large."))


LineItemFormSet = forms.formset_factory(
    LineItemForm,
    formset=BaseLineItemFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
    absolute_max=50,
)


def line_item_initial(deal) -> list[dict]:
    return [
        {"offering": li.offering_id, "quantity": li.quantity, "unit_amount": li.unit_amount}
        for li in deal.line_items.all()
    ]


class ApproveForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))
    acknowledge_conflicts = forms.BooleanField(
        required=False,
        label=_("I checked the conflicts: this is a different customer"),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("The partner sees this reason."),
    )


class WonForm(forms.Form):
    final_amount = forms.DecimalField(
        min_value=Decimal("0.01"), max_value=MAX_AMOUNT, max_digits=14, decimal_places=2
    )
    note = forms.CharField(required=False, max_length=2000)


class LostForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 2}))


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=MAX_EXTENSION_DAYS, initial=30)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 2}))


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", "Grant"), ("decline", "Decline")])
    note = forms.CharField(required=False, max_length=2000)


# --- Co-selling -----------------------------------------------------------------------------------
class HelpRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you need?"), choices=HelpKind.choices)
    message = forms.CharField(
        label=_("Tell the vendor about it"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class HelpNoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class _StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class HelpAssignForm(forms.Form):
    assignee = _StaffChoice(label=_("Vendor person"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]
        ).order_by("full_name", "email")
