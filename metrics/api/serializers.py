from django.utils.translation import gettext_lazy
from rest_framework import serializers

from kernel.bounds import MAX_ID, validate_filter_date
from partners.choices import Region


class PartnerFilterSerializer(serializers.Serializer):
    """The standard partner filters of every program-wide metric (query parameters)."""

    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    partner_type = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    tier = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class CohortQuerySerializer(PartnerFilterSerializer):
    since = serializers.DateField(required=False, validators=[validate_filter_date])
    until = serializers.DateField(required=False, validators=[validate_filter_date])
    window_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError(gettext_lazy("since must not be after until."))
        return attrs


class AdoptionQuerySerializer(PartnerFilterSerializer):
    day = serializers.DateField(required=False, validators=[validate_filter_date])
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)


class AtRiskQuerySerializer(PartnerFilterSerializer):
    as_of = serializers.DateField(required=False, validators=[validate_filter_date])


class CohortSerializer(serializers.Serializer):
    month = serializers.DateField()
    partners = serializers.IntegerField()
    activated = serializers.IntegerField()
    pending = serializers.IntegerField()
    rate = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("Percent activated (null if empty).")
    )


class PartnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AdoptionSerializer(serializers.Serializer):
    partner = PartnerRefSerializer()
    day = serializers.DateField()
    score = serializers.FloatField()
    areas = serializers.IntegerField()
    active_days = serializers.IntegerField()
    active_users = serializers.IntegerField()
    seats = serializers.IntegerField()
    events = serializers.IntegerField()


class AtRiskSerializer(serializers.Serializer):
    partner = PartnerRefSerializer()
    reasons = serializers.ListField(child=serializers.CharField())
