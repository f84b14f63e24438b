"""Webhook endpoints and their deliveries over the API: vendor admins only (anybody else 404)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.api.permissions import TokenScopePermission, role_required
from kernel.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSet, call_service, validated_input
from webhooks import selectors, services
from webhooks.api import serializers
from webhooks.permissions import can_manage_webhooks

AdminOnly = role_required(can_manage_webhooks)
ERRORS = {
    400: OpenApiResponse(description="Invalid input; the reason per field (nothing saved)."),
    404: OpenApiResponse(description="No such endpoint, or not a vendor admin."),
}


@extend_schema_view(
    list=extend_schema(responses={200: serializers.EndpointSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.EndpointSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """Endpoints that receive signed event deliveries (see the Webhooks page for the signature)."""

    selector = staticmethod(selectors.endpoint_list_for_user)
    serializer_class = serializers.EndpointSerializer
    permission_classes = [TokenScopePermission, AdminOnly]
    filterset_fields = ["is_active"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    @extend_schema(
        request=serializers.EndpointInputSerializer,
        responses={201: serializers.EndpointCreatedSerializer, **ERRORS},
    )
    def create(self, request):
        """Register an endpoint; the answer holds its signing secret, shown this once."""
        data = validated_input(serializers.EndpointInputSerializer, request.data)
        issued = call_service(
            lambda: services.endpoint_create(by=request.user, **data), errors=services.WebhookError
        )
        body = serializers.EndpointSerializer(issued.endpoint).data | {"secret": issued.secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.EndpointUpdateSerializer,
        responses={200: serializers.EndpointSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Change the URL, events or description; enable (resets the failure count) or disable."""
        endpoint = self.get_object()
        data = validated_input(serializers.EndpointUpdateSerializer, request.data, partial=True)
        endpoint = call_service(
            lambda: services.endpoint_update(endpoint=endpoint, by=request.user, **data),
            errors=services.WebhookError,
        )
        return Response(serializers.EndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance, by=self.request.user)

    @extend_schema(request=None, responses={202: serializers.DeliverySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Queue a test delivery (type webhook.test), also to a disabled endpoint."""
        delivery = services.delivery_send_test(endpoint=self.get_object(), by=request.user)
        delivery = selectors.delivery_list_for_user(user=request.user).get(pk=delivery.pk)
        return Response(serializers.DeliverySerializer(delivery).data, status=202)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.DeliverySerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.DeliverySerializer, **ERRORS}),
)
class WebhookDeliveryViewSet(ScopedReadOnlyViewSet):
    """Deliveries with every attempt (status code, duration, answer excerpt)."""

    selector = staticmethod(selectors.delivery_list_for_user)
    serializer_class = serializers.DeliverySerializer
    permission_classes = [TokenScopePermission, AdminOnly]
    filterset_fields = ["endpoint", "status", "event_type"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]
