"""The ingestion rules written the plain way, one item at a time with no shortcut (the code
``ingestion.services.events_ingest`` had before its batch was made fast): the reference that
``test_api_events_rules.py`` holds the fast code to, reason for reason and in the same order."""

import json
import re

from customers.choices import ACCOUNT_PROPERTY, SUBJECT_TYPE, USER_PROPERTY
from events.choices import PRM_NAMESPACES, VENDOR_REPORTED_KINDS
from events.services import KIND_PATTERN, MAX_KEY_LENGTH, MAX_PROPERTIES_BYTES
from ingestion.services import MAX_CLIENT_ID, MAX_FUTURE, ingestion_key


def _size(properties) -> int:
    return len(json.dumps(properties, separators=(",", ":")))


def naive_item(item: dict, *, owner_id, by_id, by_domain, accounts, now, from_vendor=True):
    """(errors, event fields or None) of one shaped item."""
    errors: dict[str, list[str]] = {}
    kind = item.get("kind") or ""
    if not KIND_PATTERN.match(kind) or len(kind) > 64:
        errors["kind"] = ["Must look like 'area.verb' in lower case (at most 64 characters)."]
    elif kind in VENDOR_REPORTED_KINDS:
        if not from_vendor:
            errors["kind"] = [
                f"'{kind}' is reported by the vendor's own systems: only vendor staff's tokens "
                "may send it."
            ]
    elif kind.split(".")[0] in PRM_NAMESPACES:
        errors["kind"] = [
            f"The namespace '{kind.split('.')[0]}.' is reserved for events recorded by PRM "
            "itself; use a namespace of your own (e.g. 'product.used')."
        ]
    partner_id = None
    if item.get("partner") is not None:
        partner_id = by_id.get(item["partner"])
        if partner_id is None:
            errors["partner"] = [f"No partner with id {item['partner']}."]
    elif item.get("partner_domain"):
        partner_id = by_domain.get(item["partner_domain"].lower())
        if partner_id is None:
            errors["partner_domain"] = [f"No partner uses the domain {item['partner_domain']}."]
    else:
        errors["partner"] = ["Give the partner's id (partner) or web domain (partner_domain)."]
    occurred_at = item.get("occurred_at")
    if occurred_at is not None and occurred_at > now + MAX_FUTURE:
        errors["occurred_at"] = ["Must not be in the future."]
    if _size(item.get("properties") or {}) > MAX_PROPERTIES_BYTES:
        errors["properties"] = [f"Must be a JSON object under {MAX_PROPERTIES_BYTES} bytes."]
    key = ingestion_key(owner_id=owner_id, client_id=item.get("id"))
    if len(item.get("id") or "") > MAX_CLIENT_ID or len(key) > MAX_KEY_LENGTH:
        errors["id"] = [f"At most {MAX_CLIENT_ID} characters."]
    subject_type, subject_id = "api.client", item.get("id")
    properties = dict(item.get("properties") or {})
    if item.get("customer_account") and partner_id is not None:
        account_id = accounts.get((partner_id, item["customer_account"]))
        if account_id is None:
            errors["customer_account"] = [
                f"No active customer account {item['customer_account']!r} for this partner."
            ]
        else:
            subject_type, subject_id = SUBJECT_TYPE, str(account_id)
            properties[ACCOUNT_PROPERTY] = item["customer_account"]
            if item.get("customer_user"):
                properties[USER_PROPERTY] = item["customer_user"]
    elif item.get("customer_user"):
        errors["customer_user"] = ["A customer's user needs its customer_account."]
    if _size(properties) > MAX_PROPERTIES_BYTES:
        errors["properties"] = [f"Must be a JSON object under {MAX_PROPERTIES_BYTES} bytes."]
    elif re.search(r"(?<!\\)(\\\\)*\\u0000", json.dumps(properties)):  # an unescaped \u0000
        errors["properties"] = [
            "Must not contain the NUL character (\\u0000): Postgres cannot store it in JSON."
        ]
    if errors:
        return errors, None
    return errors, {
        "kind": kind,
        "idempotency_key": key,
        "partner_id": partner_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "properties": properties,
    }
