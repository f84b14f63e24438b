"""``POST /api/v1/events/``: the view parses and shapes; ``ingestion.services`` validates each
item and stores the events (docs/ingestion.md)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ingestion import services
from ingestion.api import serializers
from kernel.api.permissions import TokenScopePermission, role_required
from partners.permissions import is_partner_admin, is_vendor_staff


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
            services.ensure_may_ingest(request.user)
        except services.IngestionRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        events = request.data.get("events") if isinstance(request.data, dict) else None
        if not isinstance(events, list) or not events:
            raise ValidationError({"events": ["Send a non-empty list of events."]})
        if len(events) > services.MAX_BATCH:
            raise ValidationError(
                {"events": [f"A batch holds at most {services.MAX_BATCH} events; split it."]}
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
        result = services.events_ingest(user=request.user, items=items)
        return Response(serializers.ingest_result_data(result))


def _flatten(errors) -> dict[str, list[str]]:
    if not isinstance(errors, dict):  # e.g. a null item: "This field may not be null."
        errors = {"non_field_errors": errors}
    return {
        name: [str(e) for e in (value if isinstance(value, list) else [value])]
        for name, value in errors.items()
    }
