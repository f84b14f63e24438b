from django.utils.translation import gettext_lazy
from django_countries import countries
from rest_framework import serializers

from leads.choices import LeadSize, LeadSource
from leads.services import EXTERNAL_ID_MAX
from partners.choices import Region

MAX_OFFERINGS = 20


class OfferSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    state = serializers.CharField()
    offered_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    why = serializers.JSONField(
        help_text=gettext_lazy("The routing rule and the values that chose the partner.")
    )


class LeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    program = serializers.IntegerField(source="program_id")
    company = serializers.CharField()
    domain = serializers.CharField()
    country = serializers.CharField(source="country.code", allow_null=True)
    region = serializers.CharField()
    contact_name = serializers.CharField()
    contact_email = serializers.CharField()
    contact_phone = serializers.CharField()
    offerings = serializers.SerializerMethodField()
    size = serializers.CharField()
    source = serializers.CharField()
    notes = serializers.CharField()
    status = serializers.CharField()
    partner = serializers.IntegerField(source="partner_id", allow_null=True)
    deal = serializers.IntegerField(source="deal_id", allow_null=True)
    offers = OfferSerializer(many=True)
    created_at = serializers.DateTimeField()

    def get_offerings(self, lead) -> list[str]:
        return sorted(o.slug for o in lead.offerings.all())


class LeadCreateSerializer(serializers.Serializer):
    external_id = serializers.RegexField(
        r"^\S(.*\S)?$",
        max_length=EXTERNAL_ID_MAX,
        help_text=gettext_lazy(
            "The lead's id in your system: posting it again returns the lead made the "
            "first time (200) instead of a second one."
        ),
    )
    program = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    company = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    country = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("ISO 3166 code, e.g. DE."),
    )
    region = serializers.ChoiceField(choices=Region.choices)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    offerings = serializers.ListField(
        child=serializers.SlugField(max_length=60), max_length=MAX_OFFERINGS, required=False
    )
    size = serializers.ChoiceField(choices=LeadSize.choices, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=LeadSource.choices, required=False)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    def validate_country(self, value: str) -> str:
        value = (value or "").upper()
        if value and value not in countries:
            raise serializers.ValidationError(
                gettext_lazy("Give a two-letter country code such as DE.")
            )
        return value
