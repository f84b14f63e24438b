"""The shape of ``POST /api/v1/events/``: the input serializers of an item and a batch, the
answer's serializers, and the fast path of the same item rules (ingestion's hot loop)."""

import re
from datetime import UTC, datetime

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from kernel.bounds import EARLIEST_EVENT, MAX_ID, validate_event_time


class EventItemSerializer(serializers.Serializer):
    id = serializers.RegexField(
        r"^[A-Za-z0-9._:\-]+$",
        max_length=100,
        help_text=gettext_lazy(
            "Your unique id of this occurrence: the idempotency key (retries are safe)."
        ),
    )
    kind = serializers.CharField(
        max_length=64,
        help_text=gettext_lazy("'area.verb' in lower case, e.g. product.active_users."),
    )
    partner = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=gettext_lazy("Partner id.")
    )
    partner_domain = serializers.CharField(
        required=False, max_length=253, help_text=gettext_lazy("Or the partner's web domain.")
    )
    occurred_at = serializers.DateTimeField(
        required=False,
        validators=[validate_event_time],
        help_text=gettext_lazy(
            "When it happened (ISO 8601 with offset), from 2000-01-01 up to 5 minutes "
            "ahead; default now."
        ),
    )
    customer_account = serializers.CharField(
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Product usage: the customer account's id in your systems (it must exist for "
            "the partner, see /api/v1/customer-accounts/)."
        ),
    )
    customer_user = serializers.CharField(
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Product usage: the customer's user (your id); counts as an active user of "
            "the account on that UTC day."
        ),
    )
    properties = serializers.DictField(
        required=False, help_text=gettext_lazy("A JSON object under 4 KB.")
    )


class EventBatchSerializer(serializers.Serializer):
    events = EventItemSerializer(many=True, help_text=gettext_lazy("1 to 1,000 events."))


class EventItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.CharField(allow_null=True)
    accepted = serializers.BooleanField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField(
        help_text=gettext_lazy("Valid items (new or already stored).")
    )
    stored = serializers.IntegerField(
        help_text=gettext_lazy("Events newly stored by this request.")
    )
    duplicates = serializers.IntegerField(
        help_text=gettext_lazy("Valid items that were already stored.")
    )
    rejected = serializers.IntegerField()
    items = EventItemResultSerializer(many=True)


def ingest_result_data(result) -> dict:
    """``IngestResultSerializer(result).data`` in plain dicts (a test holds them equal): the
    serializer, field by field for 1,000 items, cost more than validating them. The serializer
    stays the documented shape of the answer."""
    return {
        "received": result.received,
        "accepted": result.accepted,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "items": [
            {
                "index": item.index,
                "id": None if item.id is None else str(item.id),
                "accepted": item.accepted,
                "errors": {
                    name: [str(reason) for reason in reasons]
                    for name, reasons in item.errors.items()
                },
            }
            for item in result.items
        ],
    }


# --- The fast path of the same rules (ingestion's hot loop) ---------------------------------------

_ID = re.compile(r"^[A-Za-z0-9._:\-]+$")
_LATEST_FAST = datetime(9999, 12, 30, tzinfo=UTC)
_TEXT_LIMITS = {"kind": 64, "partner_domain": 253, "customer_account": 100, "customer_user": 100}


def _clean_text(value, limit: int) -> bool:
    return (
        isinstance(value, str) and 0 < len(value) <= limit and value == value.strip()
        and "\x00" not in value
    )  # fmt: skip


def fast_event_item(raw) -> dict | None:
    """``EventItemSerializer``'s result for an item in the plain shape (every field already of
    its final type, no whitespace to trim, offset-aware ``occurred_at``), or None: then the
    serializer validates it and words the errors. Validating 1,000 items through DRF fields
    took longer than storing them; this checks the same rules with plain comparisons."""
    if not isinstance(raw, dict):
        return None
    client_id = raw.get("id")
    if not (isinstance(client_id, str) and 0 < len(client_id) <= 100 and _ID.match(client_id)):
        return None
    item = {"id": client_id}
    for name, limit in _TEXT_LIMITS.items():
        if name in raw:
            if not _clean_text(raw[name], limit):
                return None
            item[name] = raw[name]
    if "kind" not in item:
        return None
    if "partner" in raw:
        partner = raw["partner"]
        if type(partner) is not int or not 1 <= partner <= MAX_ID:
            return None
        item["partner"] = partner
    if "occurred_at" in raw:
        try:
            occurred_at = datetime.fromisoformat(raw["occurred_at"])
        except (TypeError, ValueError):
            return None
        # Before the earliest event or near year 9999 (converting to UTC would overflow): the
        # serializer words the error.
        if occurred_at.tzinfo is None or not EARLIEST_EVENT <= occurred_at <= _LATEST_FAST:
            return None
        item["occurred_at"] = occurred_at.astimezone(UTC)
    if "properties" in raw:
        properties = raw["properties"]
        if not isinstance(properties, dict) or not all(isinstance(k, str) for k in properties):
            return None
        item["properties"] = properties
    return item
