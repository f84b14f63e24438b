"""Customer accounts and seat licenses: vendor staff write (through customers.services), a
partner's members read their own; another partner's ids are 404. User adoption as a metric."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from customers import permissions, selectors, services
from customers.api import serializers
from kernel.api.permissions import TokenScopePermission
from kernel.api.viewsets import ScopedViewSet, call_service, validated_input
from partners.models import Offering
from partners.selectors import partner_list_for_user

ERRORS = {
    400: OpenApiResponse(description="Invalid input; the reason per field (nothing saved)."),
    403: OpenApiResponse(description="Only vendor staff change customer accounts and seats."),
    404: OpenApiResponse(description="No such object (for you)."),
}


def _staff_only(user) -> None:
    if not permissions.can_manage_customers(user):
        raise PermissionDenied("Only vendor staff change customer accounts and seats.")


@extend_schema_view(
    list=extend_schema(responses={200: serializers.CustomerAccountSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.CustomerAccountSerializer, **ERRORS}),
)
class CustomerAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Customer accounts of partners, with their licensed seats."""

    selector = staticmethod(selectors.customer_account_list_for_user)
    serializer_class = serializers.CustomerAccountSerializer
    filterset_fields = ["partner", "external_id", "is_active"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "pk"]

    def _detail(self, account, code=status.HTTP_200_OK):
        account = selectors.customer_account_get_for_user(user=self.request.user, pk=account.pk)
        return Response(serializers.CustomerAccountSerializer(account).data, status=code)

    @extend_schema(
        request=serializers.CustomerAccountCreateSerializer,
        responses={201: serializers.CustomerAccountSerializer, **ERRORS},
    )
    def create(self, request):
        """Create a customer account for a partner (vendor staff)."""
        _staff_only(request.user)
        data = validated_input(serializers.CustomerAccountCreateSerializer, request.data)
        partner = partner_list_for_user(user=request.user).filter(pk=data["partner"]).first()
        if partner is None:
            raise ValidationError({"partner": [f"No partner with id {data['partner']}."]})
        account = call_service(
            lambda: services.customer_account_create(
                partner=partner,
                external_id=data["external_id"],
                name=data.get("name", ""),
                by=request.user,
            ),
            errors=services.CustomerError,
        )
        return self._detail(account, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.CustomerAccountUpdateSerializer,
        responses={200: serializers.CustomerAccountSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Rename or (de)activate an account (vendor staff). An inactive account's events are
        refused by the ingestion and its seats leave the adoption figures."""
        account = self.get_object()
        _staff_only(request.user)
        data = validated_input(serializers.CustomerAccountUpdateSerializer, request.data)
        account = services.customer_account_update(account=account, by=request.user, **data)
        return self._detail(account)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.SeatLicenseSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.SeatLicenseSerializer, **ERRORS}),
)
class SeatLicenseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Seats licensed to customer accounts (account-wide or per offering)."""

    selector = staticmethod(selectors.seat_license_list_for_user)
    serializer_class = serializers.SeatLicenseSerializer
    filterset_fields = ["account", "offering"]
    ordering_fields = ["seats", "updated_at"]
    ordering = ["account", "pk"]

    @extend_schema(
        request=serializers.SeatLicenseSetSerializer,
        responses={
            200: serializers.SeatLicenseSerializer,
            201: serializers.SeatLicenseSerializer,
            **ERRORS,
        },
    )
    def create(self, request):
        """Set an account's seats (vendor staff): creates the license (201) or changes the
        number of an existing one for the same account and offering (200)."""
        _staff_only(request.user)
        data = validated_input(serializers.SeatLicenseSetSerializer, request.data)
        account = (
            selectors.customer_account_list_for_user(user=request.user)
            .filter(pk=data["account"])
            .first()
        )
        if account is None:
            raise ValidationError({"account": [f"No customer account with id {data['account']}."]})
        offering = None
        if data.get("offering"):
            offering = Offering.objects.filter(slug=data["offering"]).first()
            if offering is None:
                raise ValidationError({"offering": [f"No offering {data['offering']!r}."]})
        existed = (
            selectors.seat_license_list_for_user(user=request.user)
            .filter(account=account, offering=offering)
            .exists()
        )
        license_ = call_service(
            lambda: services.seat_license_set(
                account=account, offering=offering, seats=data["seats"], by=request.user
            ),
            errors=services.CustomerError,
        )
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(serializers.SeatLicenseSerializer(license_).data, status=code)

    @extend_schema(
        request=serializers.SeatLicenseUpdateSerializer,
        responses={200: serializers.SeatLicenseSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Change the number of seats (vendor staff)."""
        license_ = self.get_object()
        _staff_only(request.user)
        data = validated_input(serializers.SeatLicenseUpdateSerializer, request.data)
        license_ = call_service(
            lambda: services.seat_license_set(
                account=license_.account,
                offering=license_.offering,
                seats=data["seats"],
                by=request.user,
            ),
            errors=services.CustomerError,
        )
        return Response(serializers.SeatLicenseSerializer(license_).data)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request, pk=None):
        """Remove a license (vendor staff)."""
        license_ = self.get_object()
        _staff_only(request.user)
        services.seat_license_delete(license_=license_, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserAdoptionView(APIView):
    """User adoption: distinct active users / licensed seats (see docs/metrics.md)."""

    permission_classes = [TokenScopePermission]

    @extend_schema(
        parameters=[serializers.UserAdoptionQuerySerializer],
        responses={200: serializers.UserAdoptionSerializer, **ERRORS},
    )
    def get(self, request):
        """Vendor staff: by partner, or by account with `partner`. A partner's members: their own
        partner by account. Another partner's id is 404."""
        query = validated_input(serializers.UserAdoptionQuerySerializer, request.query_params)
        if not permissions.can_view_customers(request.user):
            raise Http404("Not found.")
        adoption = selectors.user_adoption_for_user(
            user=request.user,
            partner_id=query.get("partner"),
            as_of=query.get("as_of"),
            window_days=query["window_days"],
            limit=query["limit"],
        )
        if adoption is None:
            raise Http404("Not found.")
        return Response(serializers.UserAdoptionSerializer(adoption).data)
