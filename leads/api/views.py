"""Leads through the API: vendor staff tokens list, read and create leads (created leads are
routed like typed-in ones); ``external_id`` makes a create idempotent (the lead made the first
time is returned, 200). Partner tokens: an empty list, 404 by id, 403 on create."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from kernel.api.viewsets import ScopedViewSet, validated_input
from leads import selectors, services
from leads.api import serializers
from leads.permissions import is_vendor_staff
from partners.models import Offering, Program

ERRORS = {
    400: OpenApiResponse(description="Invalid input; the reason per field (nothing saved)."),
    403: OpenApiResponse(description="Only vendor staff enter leads."),
    404: OpenApiResponse(description="No such lead (for you)."),
}


@extend_schema_view(
    list=extend_schema(responses={200: serializers.LeadSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.LeadSerializer, **ERRORS}),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The vendor's leads, each with its offers to partners and why."""

    selector = staticmethod(selectors.lead_list_for_user)
    serializer_class = serializers.LeadSerializer
    filterset_fields = ["status", "external_id", "program", "region", "source"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    @extend_schema(
        request=serializers.LeadCreateSerializer,
        responses={201: serializers.LeadSerializer, 200: serializers.LeadSerializer, **ERRORS},
    )
    def create(self, request):
        """Enter a lead (vendor staff); it is routed at once. The same ``external_id`` again
        returns the first lead with 200."""
        if not is_vendor_staff(request.user):
            raise PermissionDenied("Only vendor staff enter leads.")
        data = validated_input(serializers.LeadCreateSerializer, request.data)
        program = Program.objects.filter(pk=data.pop("program"), is_active=True).first()
        if program is None:
            raise ValidationError({"program": ["No active program with this id."]})
        slugs = sorted(set(data.pop("offerings", [])))
        offerings = list(Offering.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {o.slug for o in offerings})
        if unknown:
            raise ValidationError({"offerings": [f"Unknown offering(s): {', '.join(unknown)}."]})
        try:
            lead, created = services.lead_create(
                actor=request.user, via="api", program=program, offerings=offerings, **data
            )
        except DjangoValidationError as exc:
            raise ValidationError(_detail(exc)) from exc
        lead = selectors.lead_list_for_user(user=request.user).get(pk=lead.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(serializers.LeadSerializer(lead).data, status=code)


def _detail(exc) -> dict:
    if hasattr(exc, "error_dict"):
        return dict(exc.message_dict)
    return {"detail": " ".join(exc.messages)}
