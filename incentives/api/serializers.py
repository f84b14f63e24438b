"""Incentive serializers. Input serializers validate; output serializers shape;
incentives.services decides and writes."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from incentives.forms import MAX_AMOUNT
from incentives.models import Award, Badge, MdfAllocation, MdfRequest
from kernel.bounds import validate_business_date

# --- input -------------------------------------------------------------------------------------


def _amount(**kwargs):
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT, **kwargs
    )


class MdfRequestInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, help_text=gettext_lazy("The plan."))
    starts_on = serializers.DateField(validators=[validate_business_date])
    ends_on = serializers.DateField(validators=[validate_business_date])
    amount = _amount(help_text=gettext_lazy("The budget, in the allocation's currency."))

    def validate(self, attrs):
        if attrs["ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError(
                {"ends_on": gettext_lazy("The activity cannot end before it starts.")}
            )
        if attrs["starts_on"].year < timezone.localdate().year - 1:
            raise serializers.ValidationError(
                {"starts_on": gettext_lazy("The activity is too far in the past.")}
            )
        return attrs


class MdfApproveInputSerializer(serializers.Serializer):
    amount = _amount(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MdfNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MdfReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- output ------------------------------------------------------------------------------------


class MdfAllocationSerializer(serializers.ModelSerializer):
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = MdfAllocation
        fields = [
            "id",
            "partner",
            "period",
            "starts_on",
            "ends_on",
            "currency",
            "amount",
            "committed",
            "paid",
            "remaining",
        ]
        read_only_fields = fields


MDF_FIELDS = [
    "id",
    "partner",
    "allocation",
    "status",
    "title",
    "description",
    "activity_starts_on",
    "activity_ends_on",
    "requested_amount",
    "requested_at",
    "approved_amount",
    "decided_at",
    "decision_note",
    "claimed_amount",
    "claimed_at",
    "claim_note",
    "claim_decided_at",
    "claim_decision_note",
]


class MdfRequestSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="allocation.currency", read_only=True)
    has_proof = serializers.SerializerMethodField()

    class Meta:
        model = MdfRequest
        fields = [*MDF_FIELDS, "currency", "has_proof"]
        read_only_fields = fields

    def get_has_proof(self, obj) -> bool:
        return bool(obj.proof)


class BadgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = ["id", "name", "slug", "description", "icon"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.name", read_only=True)
    badge = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Award
        fields = ["id", "partner", "user", "rule", "event_kind", "points", "badge", "occurred_at"]
        read_only_fields = fields


class MdfProblemSerializer(serializers.Serializer):
    detail = serializers.CharField()
