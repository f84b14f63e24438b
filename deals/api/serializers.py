"""Deal serializers. Input serializers validate (the same rules as the deal form); output
serializers shape. deals.services decides and writes."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from deals.choices import Currency, DealStage
from deals.forms import MAX_AMOUNT
from deals.matching import is_valid_domain, is_webmail_domain, normalize_domain
from deals.models import Deal, DealLineItem
from kernel.bounds import validate_business_date
from partners.models import Offering

# --- input -------------------------------------------------------------------------------------


class LineInputSerializer(serializers.Serializer):
    offering = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Offering.objects.filter(is_active=True),
        help_text=gettext_lazy("The slug of an active offering of the catalog."),
    )
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT
    )


class DealInputSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    customer_country = CountryField(required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    currency = serializers.ChoiceField(choices=Currency.choices, required=False)
    expected_close_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_business_date]
    )
    stage = serializers.ChoiceField(choices=DealStage.choices, required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    lines = LineInputSerializer(many=True, required=False, max_length=100)
    shared_with = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=500,
        help_text=gettext_lazy("User ids of colleagues on your own team."),
    )

    def validate_customer_domain(self, value):
        value = normalize_domain(value)
        if value and not is_valid_domain(value):
            raise serializers.ValidationError(
                gettext_lazy("Enter a web domain such as example.com.")
            )
        if value and is_webmail_domain(value):
            raise serializers.ValidationError(
                gettext_lazy("That is a webmail provider; enter the customer's own domain.")
            )
        return value

    def validate_expected_close_date(self, value):
        if value and value < timezone.localdate():
            raise serializers.ValidationError(
                gettext_lazy("The expected close date cannot be in the past.")
            )
        return value

    def validate(self, attrs):
        lines = attrs.get("lines") or []
        total = sum(line["unit_amount"] * line["quantity"] for line in lines)
        if total > MAX_AMOUNT:
            raise serializers.ValidationError(
                {"lines": gettext_lazy("The deal amount is too large.")}
            )
        return attrs


class ApproveInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    acknowledge_conflicts = serializers.BooleanField(required=False, default=False)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class WonInputSerializer(serializers.Serializer):
    final_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- output ------------------------------------------------------------------------------------


class LineSerializer(serializers.ModelSerializer):
    offering = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DealLineItem
        fields = ["offering", "quantity", "unit_amount"]


DEAL_FIELDS = [
    "id",
    "partner",
    "status",
    "customer_name",
    "customer_domain",
    "customer_country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "currency",
    "amount",
    "expected_close_date",
    "stage",
    "notes",
    "created_by",
    "created_at",
    "submitted_at",
    "decided_at",
    "protected_until",
    "rejection_reason",
    "final_amount",
    "lost_reason",
    "closed_at",
]


class DealSerializer(serializers.ModelSerializer):
    # plain strings: either may be blank, which an enum/email format would not allow
    customer_country = serializers.CharField(help_text=gettext_lazy("ISO 3166 code, or blank."))
    contact_email = serializers.CharField(help_text=gettext_lazy("An email address, or blank."))

    class Meta:
        model = Deal
        fields = DEAL_FIELDS
        read_only_fields = DEAL_FIELDS


class DealDetailSerializer(DealSerializer):
    lines = LineSerializer(source="line_items", many=True, read_only=True)
    shared_with = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(DealSerializer.Meta):
        fields = [*DEAL_FIELDS, "lines", "shared_with"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    """The body of every 4xx: a human-readable reason."""

    detail = serializers.CharField()
