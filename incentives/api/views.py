"""Incentive endpoints: MDF allocations and requests (with the decisions), awards and badges,
scoped by incentives.selectors; writes through incentives.services with the same permission
functions as the pages. Claims (with a proof upload) are made in the portal.

Errors: an object you may not see is 404; the other side's action (a partner approving, a manager
requesting, a manager who does not own the partner deciding) is 403; the wrong state is 409; a
refused operation (e.g. not enough funds left) is 400 with the service's reason."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from incentives import permissions, selectors, services
from incentives.api import serializers
from incentives.choices import MdfStatus
from kernel.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSet, call_service, validated_input
from partners.permissions import is_partner_admin
from partners.selectors import membership_for_user


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The fund request is not in a state that allows this."
    default_code = "conflict"


# 400 is left to kernel.api.schema (its body is either {"detail": …} or reasons per field).
ERRORS = {
    403: OpenApiResponse(serializers.MdfProblemSerializer, description="Not your action."),
    404: OpenApiResponse(serializers.MdfProblemSerializer, description="Not found (for you)."),
    409: OpenApiResponse(serializers.MdfProblemSerializer, description="Wrong state for this."),
}


class MdfAllocationViewSet(ScopedReadOnlyViewSet):
    """Funds per partner and period: vendor staff see all, a partner admin their own."""

    selector = staticmethod(selectors.mdf_allocation_list_for_user)
    serializer_class = serializers.MdfAllocationSerializer
    filterset_fields = ["partner", "period", "currency"]
    ordering_fields = ["starts_on", "amount"]
    ordering = ["-starts_on", "pk"]


@extend_schema_view(
    list=extend_schema(responses={200: serializers.MdfRequestSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.MdfRequestSerializer, **ERRORS}),
)
class MdfRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Fund requests: a partner admin sees and creates their partner's; vendor staff see all, and
    the owning channel manager or a vendor admin decides."""

    selector = staticmethod(selectors.mdf_request_list_for_user)
    serializer_class = serializers.MdfRequestSerializer
    filterset_fields = ["status", "partner", "allocation"]
    ordering_fields = ["requested_at", "requested_amount"]
    ordering = ["-requested_at", "-pk"]

    def _detail(self, obj, code=status.HTTP_200_OK):
        obj = selectors.mdf_request_get_for_user(user=self.request.user, pk=obj.pk)
        return Response(serializers.MdfRequestSerializer(obj).data, status=code)

    @extend_schema(
        request=serializers.MdfRequestInputSerializer,
        responses={201: serializers.MdfRequestSerializer, **ERRORS},
    )
    def create(self, request):
        """Request funds for an activity from your partner's current allocation."""
        if not is_partner_admin(request.user):
            raise PermissionDenied("Only partner admins can request marketing funds.")
        data = validated_input(serializers.MdfRequestInputSerializer, request.data)
        activity = services.Activity(
            data["title"], data["description"], data["starts_on"], data["ends_on"], data["amount"]
        )
        partner = membership_for_user(request.user).partner
        created = call_service(
            lambda: services.mdf_request_create(
                partner=partner, actor=request.user, activity=activity
            ),
            errors=services.MdfError,
        )
        return self._detail(created, status.HTTP_201_CREATED)

    def _decide(self, expected: str, input_serializer, service):
        """A decision on a request in the ``expected`` state, by its channel manager or a vendor
        admin: the input validated, then ``service(request=…, actor=…, **input)``."""
        obj = self.get_object()
        if not permissions.can_manage_partner_funds(self.request.user, obj.partner):
            raise PermissionDenied("Only the partner's channel manager or a vendor admin decides.")
        if obj.status != expected:
            raise Conflict(f"This fund request is {obj.get_status_display().lower()}.")
        data = validated_input(input_serializer, self.request.data)
        call_service(
            lambda: service(request=obj, actor=self.request.user, **data), errors=services.MdfError
        )
        return self._detail(obj)

    @extend_schema(request=None, responses={200: serializers.MdfRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Requested → withdrawn, by the partner's admin, before a decision (nothing was
        committed). Editing a pending request is done in the portal."""
        obj = self.get_object()
        if not permissions.is_partner_admin_of(request.user, obj.partner_id):
            raise PermissionDenied("Only the partner's admins can withdraw a fund request.")
        if obj.status != MdfStatus.REQUESTED:
            raise Conflict(f"This fund request is {obj.get_status_display().lower()}.")
        call_service(
            lambda: services.mdf_request_withdraw(request=obj, actor=request.user),
            errors=services.MdfError,
        )
        return self._detail(obj)

    @extend_schema(
        request=serializers.MdfApproveInputSerializer,
        responses={200: serializers.MdfRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Requested → approved, for the requested budget or a smaller ``amount``."""
        return self._decide(
            MdfStatus.REQUESTED, serializers.MdfApproveInputSerializer, services.mdf_request_approve
        )

    @extend_schema(
        request=serializers.MdfReasonInputSerializer,
        responses={200: serializers.MdfRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Requested → rejected, with the reason the partner sees."""
        return self._decide(
            MdfStatus.REQUESTED, serializers.MdfReasonInputSerializer, services.mdf_request_reject
        )

    @extend_schema(
        request=serializers.MdfNoteInputSerializer,
        responses={200: serializers.MdfRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="approve-claim")
    def approve_claim(self, request, pk=None):
        """Claimed → paid: the claimed amount is paid, the unspent rest goes back."""
        return self._decide(
            MdfStatus.CLAIMED, serializers.MdfNoteInputSerializer, services.mdf_claim_approve
        )

    @extend_schema(
        request=serializers.MdfReasonInputSerializer,
        responses={200: serializers.MdfRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="reject-claim")
    def reject_claim(self, request, pk=None):
        """Claimed → claim rejected: nothing is paid, the approved funds go back."""
        return self._decide(
            MdfStatus.CLAIMED, serializers.MdfReasonInputSerializer, services.mdf_claim_reject
        )


class AwardViewSet(ScopedReadOnlyViewSet):
    """Points and badges awarded: vendor staff see all, a partner member their partner's."""

    selector = staticmethod(selectors.award_list_for_user)
    serializer_class = serializers.AwardSerializer
    filterset_fields = ["partner", "event_kind"]
    ordering_fields = ["occurred_at", "points"]
    ordering = ["-occurred_at", "-pk"]


class BadgeViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.badge_list_for_user)
    serializer_class = serializers.BadgeSerializer
    ordering = ["name"]
