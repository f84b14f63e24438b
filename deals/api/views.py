"""Deal endpoints: list/detail (scoped by deals.selectors), create/update/delete of drafts and
the transitions, all through deals.services with the same permission functions as the pages.

Errors: a deal you may not see is 404; a deal you see but whose action is the other side's (a
partner approving, a manager submitting) is 403; the right side but the wrong state is 409; a
refused operation (missing information, conflicting customer) is 400 with the service's reason.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from deals import permissions, selectors, services
from deals.api import serializers
from kernel.api.viewsets import ScopedViewSet, call_service, validated_input
from partners.permissions import is_partner_member, is_vendor_staff
from partners.selectors import membership_for_user


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The deal is not in a state that allows this."
    default_code = "conflict"


ERRORS = {
    400: OpenApiResponse(serializers.ProblemSerializer, description="Refused, with the reason."),
    403: OpenApiResponse(serializers.ProblemSerializer, description="Not your side's action."),
    404: OpenApiResponse(serializers.ProblemSerializer, description="No such deal (for you)."),
    409: OpenApiResponse(serializers.ProblemSerializer, description="Wrong state for this."),
}


def _lines(validated: list[dict]) -> list[services.Line]:
    return [
        services.Line(offering=x["offering"], quantity=x["quantity"], unit_amount=x["unit_amount"])
        for x in validated
    ]


def _colleagues(user, ids) -> list:
    """Users with these ids on the requesting user's team; an id outside it is a 400 with the same
    message whether or not that user exists (no probing of other partners' users)."""
    if ids is None:
        return None
    membership = membership_for_user(user)
    found = list(
        selectors.colleagues_for_sharing(partner_id=membership.partner_id).filter(pk__in=ids)
    )
    if len(found) != len(set(ids)):
        raise ValidationError({"shared_with": ["Deals can only be shared with your own team."]})
    return found


def _gate(allowed: bool, *, right_side: bool, state_message: str) -> None:
    if allowed:
        return
    if not right_side:
        raise PermissionDenied("This action belongs to the other side of the registration.")
    raise Conflict(state_message)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.DealSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.DealDetailSerializer, **ERRORS}),
)
class DealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Deal registrations: a partner admin sees all of the partner's deals, a partner user theirs
    and those shared with them, vendor staff every submitted deal."""

    selector = staticmethod(selectors.deal_list_for_user)
    serializer_class = serializers.DealSerializer
    filterset_fields = ["status", "stage", "currency", "partner"]
    ordering_fields = ["created_at", "submitted_at", "amount", "customer_name"]
    ordering = ["-created_at", "-pk"]

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.DealSerializer
        return serializers.DealDetailSerializer

    def _detail(self, deal, code=status.HTTP_200_OK):
        deal = selectors.deal_get_for_user(user=self.request.user, pk=deal.pk)
        return Response(serializers.DealDetailSerializer(deal).data, status=code)

    @extend_schema(
        request=serializers.DealInputSerializer,
        responses={201: serializers.DealDetailSerializer, **ERRORS},
    )
    def create(self, request):
        """Register a deal as a draft for your own partner."""
        if not is_partner_member(request.user):
            raise PermissionDenied("Only members of a partner can register deals.")
        data = validated_input(serializers.DealInputSerializer, request.data)
        lines = _lines(data.pop("lines", []))
        shared = _colleagues(request.user, data.pop("shared_with", None)) or ()
        partner = membership_for_user(request.user).partner
        deal = call_service(
            lambda: services.deal_create(
                partner=partner,
                created_by=request.user,
                details=data,
                lines=lines,
                shared_with=shared,
            ),
            errors=services.DealError,
        )
        return self._detail(deal, status.HTTP_201_CREATED)

    def _update(self, request, pk, *, partial: bool):
        deal = self.get_object()
        _gate(
            permissions.can_edit(request.user, deal),
            right_side=is_partner_member(request.user) and not is_vendor_staff(request.user),
            state_message="Only drafts can be changed; this deal was already submitted.",
        )
        data = validated_input(serializers.DealInputSerializer, request.data, partial=partial)
        lines = data.pop("lines", None)
        lines = (
            _lines(lines)
            if lines is not None
            else [
                services.Line(
                    offering=li.offering, quantity=li.quantity, unit_amount=li.unit_amount
                )
                for li in deal.line_items.select_related("offering")
            ]
        )
        shared = data.pop("shared_with", None)
        if shared is not None and not permissions.can_share(request.user, deal):
            raise PermissionDenied("Only the registering user and partner admins can share a deal.")
        shared = _colleagues(request.user, shared)
        call_service(
            lambda: services.deal_update(
                deal=deal, actor=request.user, details=data, lines=lines, shared_with=shared
            ),
            errors=services.DealError,
        )
        return self._detail(deal)

    @extend_schema(
        request=serializers.DealInputSerializer,
        responses={200: serializers.DealDetailSerializer, **ERRORS},
    )
    def update(self, request, pk=None):
        """Replace a draft's details (and its lines when given)."""
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=serializers.DealInputSerializer,
        responses={200: serializers.DealDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Change some of a draft's details."""
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request, pk=None):
        """Throw away a draft."""
        deal = self.get_object()
        _gate(
            permissions.can_edit(request.user, deal),
            right_side=not is_vendor_staff(request.user),
            state_message="Only drafts can be deleted; a submitted registration stays on record.",
        )
        call_service(
            lambda: services.deal_delete_draft(deal=deal, actor=request.user),
            errors=services.DealError,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: serializers.DealDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Draft → submitted: the channel manager reviews it."""
        deal = self.get_object()
        _gate(
            permissions.can_edit(request.user, deal),
            right_side=not is_vendor_staff(request.user),
            state_message=f"Only drafts can be submitted; this deal is {deal.status}.",
        )
        call_service(
            lambda: services.deal_submit(deal=deal, actor=request.user), errors=services.DealError
        )
        return self._detail(deal)

    def _review(self, deal):
        _gate(
            permissions.can_review(self.request.user, deal),
            right_side=is_vendor_staff(self.request.user),
            state_message=f"Only submitted deals can be reviewed; this deal is {deal.status}.",
        )

    @extend_schema(
        request=serializers.ApproveInputSerializer,
        responses={200: serializers.DealDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Submitted → approved (vendor staff). A protected similar customer needs
        ``acknowledge_conflicts``."""
        deal = self.get_object()
        self._review(deal)
        data = validated_input(serializers.ApproveInputSerializer, request.data)
        call_service(
            lambda: services.deal_approve(deal=deal, actor=request.user, **data),
            errors=services.DealError,
        )
        return self._detail(deal)

    @extend_schema(
        request=serializers.ReasonInputSerializer,
        responses={200: serializers.DealDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Submitted → rejected (vendor staff), with the reason the partner sees."""
        deal = self.get_object()
        self._review(deal)
        data = validated_input(serializers.ReasonInputSerializer, request.data)
        call_service(
            lambda: services.deal_reject(deal=deal, actor=request.user, reason=data["reason"]),
            errors=services.DealError,
        )
        return self._detail(deal)

    def _outcome(self, deal):
        _gate(
            permissions.can_record_outcome(self.request.user, deal),
            right_side=not is_vendor_staff(self.request.user),
            state_message=f"Only approved deals can be closed; this deal is {deal.status}.",
        )

    @extend_schema(
        request=serializers.WonInputSerializer,
        responses={200: serializers.DealDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def won(self, request, pk=None):
        """Approved → won (the partner), with the final amount."""
        deal = self.get_object()
        self._outcome(deal)
        data = validated_input(serializers.WonInputSerializer, request.data)
        call_service(
            lambda: services.deal_mark_won(deal=deal, actor=request.user, **data),
            errors=services.DealError,
        )
        return self._detail(deal)

    @extend_schema(
        request=serializers.ReasonInputSerializer,
        responses={200: serializers.DealDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def lost(self, request, pk=None):
        """Approved → lost (the partner), with the reason."""
        deal = self.get_object()
        self._outcome(deal)
        data = validated_input(serializers.ReasonInputSerializer, request.data)
        call_service(
            lambda: services.deal_mark_lost(deal=deal, actor=request.user, reason=data["reason"]),
            errors=services.DealError,
        )
        return self._detail(deal)
