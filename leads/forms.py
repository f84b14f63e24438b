"""Input forms: they validate and clean; leads.services decides and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from leads.choices import LeadSize, LeadSource, LeadStatus, Strategy
from leads.models import MAX_OFFER_COUNT, MAX_SLA_HOURS, MIN_SLA_HOURS
from partners.choices import Region
from partners.models import Offering, PartnerType, Program, Tier


class LeadForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"))
    company = forms.CharField(label=_("Company"), max_length=200)
    domain = forms.CharField(
        label=_("Web domain"), max_length=253, required=False,
        help_text=_("e.g. example.com: flags a customer a partner already protects."),
    )  # fmt: skip
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    offerings = forms.ModelMultipleChoiceField(
        queryset=Offering.objects.none(), required=False, label=_("Offerings of interest"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    size = forms.ChoiceField(
        label=_("Company size"), choices=[("", "---------"), *LeadSize.choices], required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea({"rows": 3})
    )
    external_id = forms.CharField(
        label=_("External id"), max_length=100, required=False,
        help_text=_("Your CRM's id for the lead: entering it again adds nothing twice."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(is_active=True).order_by("name")
        self.fields["offerings"].queryset = Offering.objects.filter(is_active=True).order_by("name")
        self.fields["country"].choices = [("", "---------"), *countries]


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *LeadStatus.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *LeadSource.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *Region.choices]
    )
    # the drill-down of the lead metrics (dashboard, partner page): ids, no picker
    partner = forms.IntegerField(
        label=_("Offered to partner (id)"), required=False, min_value=1, max_value=2**31 - 1
    )
    program = forms.IntegerField(
        label=_("Program (id)"), required=False, min_value=1, max_value=2**31 - 1
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline it?"), max_length=1000, widget=forms.Textarea({"rows": 2})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (s, LeadStatus(s).label)
            for s in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.LOST)
        ],
    )
    reason = forms.CharField(
        label=_("Why was it lost?"), max_length=1000, required=False,
        widget=forms.Textarea({"rows": 2}),
    )  # fmt: skip


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"))
    position = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=1000, initial=10,
        help_text=_("Rules are tried from the lowest number; the first that finds a partner wins."),
    )  # fmt: skip
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    regions = forms.MultipleChoiceField(
        label=_("Lead regions"), choices=Region.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None checked: any region."),
    )  # fmt: skip
    countries = forms.MultipleChoiceField(
        label=_("Lead countries"), required=False, help_text=_("None chosen: any country."),
        widget=forms.SelectMultiple({"size": 6}),
    )  # fmt: skip
    offerings = forms.ModelMultipleChoiceField(
        queryset=Offering.objects.none(), required=False, label=_("Lead offerings"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The lead must want one of these; none checked: any."),
    )  # fmt: skip
    same_region = forms.BooleanField(
        label=_("Only partners in the lead's region"), required=False, initial=True
    )
    partner_types = forms.ModelMultipleChoiceField(
        queryset=PartnerType.objects.none(), required=False, label=_("Partner types"),
        widget=forms.CheckboxSelectMultiple, help_text=_("None checked: any type."),
    )  # fmt: skip
    tiers = forms.ModelMultipleChoiceField(
        queryset=Tier.objects.none(), required=False, label=_("Tiers"),
        widget=forms.CheckboxSelectMultiple, help_text=_("None checked: any tier."),
    )  # fmt: skip
    certification_id = forms.TypedChoiceField(
        label=_("Certification held"), required=False, coerce=int, empty_value=None,
        help_text=_("Someone at the partner holds it, valid today."),
    )  # fmt: skip
    max_open_leads = forms.IntegerField(
        label=_("Capacity (open leads at most)"), required=False, min_value=1, max_value=10_000,
        help_text=_("Leave empty for no limit."),
    )  # fmt: skip
    min_acceptance_rate = forms.IntegerField(
        label=_("Acceptance rate at least (%)"), required=False, min_value=0, max_value=100,
        help_text=_(
            "Lead offers accepted / answered in the last 180 days. A partner with fewer than 3 "
            "answered offers passes. Leave empty for no minimum."
        ),
    )  # fmt: skip
    min_adoption_score = forms.IntegerField(
        label=_("Adoption score at least"), required=False, min_value=0, max_value=100,
        help_text=_("The partner's latest adoption score (0 to 100). Leave empty for no minimum."),
    )  # fmt: skip
    strategy = forms.ChoiceField(label=_("Strategy"), choices=Strategy.choices)
    offer_count = forms.IntegerField(
        label=_("Partners offered at once"), min_value=1, max_value=MAX_OFFER_COUNT, initial=1,
        required=False,
        help_text=_("For “offer to several”: the best matches are offered the lead together."),
    )  # fmt: skip

    def __init__(self, *args, certifications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.order_by("name")
        self.fields["countries"].choices = list(countries)
        self.fields["offerings"].queryset = Offering.objects.filter(is_active=True).order_by("name")
        self.fields["partner_types"].queryset = PartnerType.objects.order_by("name")
        self.fields["tiers"].queryset = Tier.objects.select_related("program").order_by(
            "program__name", "rank"
        )
        self.fields["tiers"].label_from_instance = lambda t: f"{t.program.name} · {t.name}"
        self.fields["certification_id"].choices = [("", _("None required")), *certifications]


class SlaForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"))
    hours = forms.IntegerField(
        label=_("Hours to answer an offer"), min_value=MIN_SLA_HOURS, max_value=MAX_SLA_HOURS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.order_by("name")


class ImportForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"))
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: external_id, company, region (required); domain, country, contact_name, "
            "contact_email, contact_phone, offerings (slugs, comma-separated), size, source, notes."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: only check the file, import nothing"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(is_active=True).order_by("name")
