"""Program-wide metrics for vendor staff (partner users get 404, as on the dashboards). The
numbers come from metrics.definitions: the API computes nothing itself."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.permissions import TokenScopePermission, role_required
from metrics import definitions, ingestion
from metrics.api import serializers
from partners.api.permissions import VendorStaffOnly
from partners.permissions import is_partner_admin, is_vendor_staff

ERRORS = {
    400: OpenApiResponse(description="Invalid query parameters (the reason per parameter)."),
    404: OpenApiResponse(description="Not vendor staff."),
}


class _MetricView(APIView):
    permission_classes = [TokenScopePermission, VendorStaffOnly]
    query_serializer = None

    def query(self) -> dict:
        serializer = self.query_serializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ActivationCohortsView(_MetricView):
    query_serializer = serializers.CohortQuerySerializer

    @extend_schema(
        parameters=[serializers.CohortQuerySerializer],
        responses={200: serializers.CohortSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Activation rate per monthly signup cohort."""
        rows = definitions.activation_cohorts(**self.query())
        return Response(serializers.CohortSerializer(rows, many=True).data)


class AdoptionView(_MetricView):
    query_serializer = serializers.AdoptionQuerySerializer

    @extend_schema(
        parameters=[serializers.AdoptionQuerySerializer],
        responses={200: serializers.AdoptionSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Adoption score per partner on a day (default today), highest first, with active
        users and seats."""
        rows = definitions.adoption_ranking(**self.query())
        return Response(serializers.AdoptionSerializer(rows, many=True).data)


class AtRiskView(_MetricView):
    query_serializer = serializers.AtRiskQuerySerializer

    @extend_schema(
        parameters=[serializers.AtRiskQuerySerializer],
        responses={200: serializers.AtRiskSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Partners whose engagement dropped or whose onboarding stalled, with the reasons."""
        rows = definitions.at_risk_partners(**self.query())
        return Response(serializers.AtRiskSerializer(rows, many=True).data)


def may_ingest_events(user) -> bool:
    """Vendor staff for any partner; a partner admin for their own partner only (the ingestion
    resolves partners through partners.selectors, so another partner's id is an item error), and
    only when the vendor allows it (``PRM_INGEST_PARTNER_EVENTS``; otherwise 403 with the reason).
    Accounts and seats stay vendor-written, so a partner can report usage but not invent the
    customers or seats it is measured against."""
    return is_vendor_staff(user) or is_partner_admin(user)


class EventIngestView(APIView):
    permission_classes = [TokenScopePermission, role_required(may_ingest_events)]
    throttle_scope = "ingest"

    @extend_schema(
        request=serializers.EventBatchSerializer,
        responses={
            200: serializers.IngestResultSerializer,
            400: OpenApiResponse(description="Not a batch of 1 to 1,000 events (nothing stored)."),
            401: OpenApiResponse(description="No or an invalid token."),
            403: OpenApiResponse(
                description="A read-scope token, or a partner admin's token while the vendor "
                "does not accept events from partners (PRM_INGEST_PARTNER_EVENTS)."
            ),
            404: OpenApiResponse(description="Neither vendor staff nor a partner admin."),
        },
    )
    def post(self, request):
        """Ingest a batch of events from another system (product usage, CRM activity).

        **Not all-or-nothing**: each item is validated on its own; invalid items are reported in
        `items` with their reasons and not stored, valid ones are stored. Each item's `id` is its
        idempotency key (scoped to the token's owner), so resending a batch after a timeout
        stores nothing twice: `duplicates` counts items already stored. Kinds that PRM records
        itself (every namespace it uses: deal.*, course.*, resource.*, ...) are refused.
        A partner admin's token may send events only when the vendor allows it.
        """
        try:
            ingestion.ensure_may_ingest(request.user)
        except ingestion.IngestionRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        events = request.data.get("events") if isinstance(request.data, dict) else None
        if not isinstance(events, list) or not events:
            raise ValidationError({"events": ["Send a non-empty list of events."]})
        if len(events) > ingestion.MAX_BATCH:
            raise ValidationError(
                {"events": [f"A batch holds at most {ingestion.MAX_BATCH} events; split it."]}
            )
        # One serializer instance validates every item: building one per item deep-copies its
        # fields each time, which cost more than everything else in a 1,000-item batch.
        shape = serializers.EventItemSerializer()
        items = []
        for raw in events:
            fast = serializers.fast_event_item(raw)
            if fast is not None:
                items.append(fast)
                continue
            try:
                items.append(dict(shape.run_validation(raw)))
            except ValidationError as exc:
                client_id = raw.get("id") if isinstance(raw, dict) else None
                items.append(
                    {
                        "id": client_id if isinstance(client_id, str) else None,
                        "_errors": _flatten(exc.detail),
                    }
                )
        result = ingestion.events_ingest(user=request.user, items=items)
        return Response(serializers.ingest_result_data(result))


def _flatten(errors) -> dict[str, list[str]]:
    if not isinstance(errors, dict):  # e.g. a null item: "This field may not be null."
        errors = {"non_field_errors": errors}
    return {
        name: [str(e) for e in (value if isinstance(value, list) else [value])]
        for name, value in errors.items()
    }
