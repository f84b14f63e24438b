import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy
from django_countries.fields import CountryField

from accounts.choices import VendorRole
from accounts.models import User
from onboarding.choices import HeardFrom
from onboarding.models import PartnerApplication
from partners.choices import Region
from partners.models import Partner, PartnerType, Program, Tier

_SIGNER_SALT = "onboarding.application.started"


# Countries outside EMEA by region; every other country is EMEA (the reviewer can change it).
def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


_REGION_OF = {
    Region.NORTH_AMERICA: _codes("US CA PM BM GL"),
    Region.LATIN_AMERICA: _codes(
        "MX GT BZ SV HN NI CR PA CU DO HT JM PR TT BS BB CO VE EC PE BO CL AR UY PY BR GY SR GF"
    ),
    Region.APAC: _codes(
        "CN JP KR KP TW HK MO MN IN PK BD LK NP BT MV AF SG MY ID TH VN PH KH LA MM BN TL AU NZ "
        "PG FJ SB VU WS TO KI FM MH PW NR TV NC PF GU KZ UZ KG TJ TM"
    ),
}


def region_for_country(code: str) -> str:
    for region, countries in _REGION_OF.items():
        if code in countries:
            return region
    return Region.EMEA


def min_fill_seconds() -> float:
    return float(settings.PRM_APPLICATION_MIN_FILL_SECONDS)


class ApplicationForm(forms.ModelForm):
    """The public form. Two spam traps a person never notices: a field hidden from people that
    bots fill in, and a signed start time (a bot posts faster than anybody can type)."""

    country = CountryField(blank_label="Choose a country").formfield()
    partner_type = forms.ModelChoiceField(
        queryset=PartnerType.objects.order_by("name"),
        empty_label=gettext_lazy("Choose a partnership type"),
        label=gettext_lazy("Partnership type"),
    )
    website = forms.URLField(
        max_length=300,
        assume_scheme="https",
        label=gettext_lazy("Company website"),
        help_text=gettext_lazy(
            "e.g. https://example.com. We use its domain to recognise your company."
        ),
    )
    fax_number = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = PartnerApplication
        fields = [
            "company_name",
            "country",
            "partner_type",
            "sells",
            "contact_name",
            "contact_title",
            "contact_email",
            "contact_phone",
            "heard_from",
            "heard_detail",
        ]
        labels = {
            "company_name": "Company name",
            "sells": "What does your company sell?",
            "contact_name": "Your name",
            "contact_title": "Your job title",
            "contact_email": "Your work email",
            "contact_phone": "Phone (optional)",
            "heard_from": "How did you hear about us?",
            "heard_detail": "Anything to add? (optional)",
        }
        help_texts = {
            "contact_email": "We send the invitation to the portal to this address.",
        }
        widgets = {"sells": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heard_from"].choices = [("", "Choose one"), *HeardFrom.choices]
        self.fields["fax_number"].widget.attrs.update(
            {"autocomplete": "off", "tabindex": "-1", "class": "form-control"}
        )
        if not self.is_bound:
            self.initial["started"] = signing.TimestampSigner(salt=_SIGNER_SALT).sign(
                str(time.time())
            )

    def is_spam(self) -> bool:
        """True for a filled honeypot, a missing or forged start time, or a form sent too fast."""
        if self.data.get("fax_number"):
            return True
        try:
            started = float(
                signing.TimestampSigner(salt=_SIGNER_SALT).unsign(
                    self.data.get("started", ""), max_age=24 * 3600
                )
            )
        except (signing.BadSignature, ValueError):
            return True
        return time.time() - started < min_fill_seconds()


def manager_choices():
    return User.objects.filter(
        is_active=True, vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]
    ).order_by("full_name", "email")


class ApproveForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.filter(is_active=True))
    partner_type = forms.ModelChoiceField(queryset=PartnerType.objects.all())
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.select_related("program"),
        required=False,
        help_text=gettext_lazy("Blank: the program's entry tier."),
    )
    region = forms.ChoiceField(choices=Region.choices)
    owner = forms.ModelChoiceField(
        queryset=manager_choices(),
        required=False,
        label=gettext_lazy("Owning channel manager"),
        help_text=gettext_lazy("Blank: by region, else round-robin."),
    )

    def clean(self):
        data = super().clean()
        tier, program = data.get("tier"), data.get("program")
        if tier and program and tier.program_id != program.pk:
            self.add_error("tier", "This tier belongs to another program.")
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("The applicant receives this by email."),
    )


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=manager_choices(), label=gettext_lazy("New owner"))


class ProfileForm(forms.ModelForm):
    website = forms.URLField(max_length=300, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [f for f in Partner.PROFILE_FIELDS if f != "website"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"description": "What your company does and sells"}

    field_order = list(Partner.PROFILE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("website", self.instance.website)
        for field in self.fields.values():
            field.required = True


class AgreementForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy("I have read the agreement and accept it on behalf of my company.")
    )
    # The version the page showed: accepting is refused when a newer one was published since,
    # so a partner never accepts a text it did not see.
    agreement = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class DocumentForm(forms.Form):
    file = forms.FileField()


class SurveyForm(forms.Form):
    csat = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with your onboarding?"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("1 = very dissatisfied, 5 = very satisfied"),
    )
    nps = forms.TypedChoiceField(
        label=gettext_lazy("How likely are you to recommend our partner program to a peer?"),
        choices=[(i, str(i)) for i in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("0 = not at all likely, 10 = extremely likely"),
    )
    comment = forms.CharField(
        label=gettext_lazy("What could we do better?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
