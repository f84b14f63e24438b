"""Output serializers: they shape what the API returns (nothing here writes)."""

from rest_framework import serializers

from partners.models import Partner, PartnerMembership, Program, Tier, TierBenefit


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "name", "slug", "description", "is_active", "created_at"]


class TierBenefitSerializer(serializers.ModelSerializer):
    class Meta:
        model = TierBenefit
        # ``kind`` and ``amount`` say what applies (days, percent, MDF money in PRM_TIER_CURRENCY);
        # ``value`` is the text partners read.
        fields = ["kind", "name", "amount", "period", "value", "description"]


class TierSerializer(serializers.ModelSerializer):
    benefits = TierBenefitSerializer(many=True, read_only=True)

    class Meta:
        model = Tier
        fields = ["id", "program", "name", "rank", "description", "benefits"]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class PartnerSerializer(serializers.ModelSerializer):
    partner_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "domain",
            "website",
            "program",
            "partner_type",
            "tier",
            "region",
            "status",
            "joined_at",
            "activated_at",
            "owner",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = PartnerMembership
        fields = ["id", "partner", "user", "role", "created_at"]
