from django.utils.translation import gettext_lazy
from rest_framework import serializers

from customers.services import MAX_SEATS
from kernel.bounds import MAX_ID, validate_filter_date


class CustomerAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    external_id = serializers.CharField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    licensed_seats = serializers.IntegerField(
        help_text=gettext_lazy("Sum of the account's seat licenses.")
    )
    created_at = serializers.DateTimeField()


class CustomerAccountCreateSerializer(serializers.Serializer):
    partner = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    external_id = serializers.RegexField(
        r"^\S(.*\S)?$",
        max_length=100,
        help_text=gettext_lazy(
            "The account's id in your systems; usage events name the account by it."
        ),
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CustomerAccountUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    is_active = serializers.BooleanField(required=False)


class SeatLicenseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    offering = serializers.CharField(
        source="offering.slug",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Offering slug; null for account-wide seats."),
    )
    seats = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class SeatLicenseSetSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    offering = serializers.SlugField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Offering slug; omit for account-wide seats."),
    )
    seats = serializers.IntegerField(min_value=0, max_value=MAX_SEATS)


class SeatLicenseUpdateSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=0, max_value=MAX_SEATS)


class AdoptionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text=gettext_lazy("Partner id (program view) or account id.")
    )
    name = serializers.CharField()
    seats = serializers.IntegerField()
    active_users = serializers.IntegerField()
    daily_active_users = serializers.IntegerField()
    adoption = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("Percent; null without seats.")
    )


class UserAdoptionSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    window_days = serializers.IntegerField()
    by = serializers.ChoiceField(choices=["partner", "account"])
    seats = serializers.IntegerField()
    active_users = serializers.IntegerField()
    daily_active_users = serializers.IntegerField()
    accounts = serializers.IntegerField()
    adoption = serializers.FloatField(allow_null=True)
    rows = AdoptionRowSerializer(many=True)


class UserAdoptionQuerySerializer(serializers.Serializer):
    partner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    as_of = serializers.DateField(required=False, validators=[validate_filter_date])
    window_days = serializers.IntegerField(required=False, min_value=1, max_value=366, default=30)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)
