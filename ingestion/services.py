"""Event ingestion from other systems (``POST /api/v1/events/``).

Contract (also in the API docs):
- A batch holds 1 to ``MAX_BATCH`` items. Each is validated on its own: an invalid item is
  rejected with its reasons, the valid ones are stored. The batch is NOT all-or-nothing.
- Each item carries a client-supplied ``id``; the stored idempotency key is
  ``api:<token owner id>:<id>``, so a retried batch never counts an event twice and no client can
  collide with the keys PRM records itself (or another client's).
- ``kind`` follows the metrics rule (``area.verb``, lower case, at most 64 characters) and its
  namespace (``area``) must not be one PRM records itself (``events.choices.PRM_NAMESPACES``:
  ``deal.*``, ``course.*``, ``resource.*``, ...), whatever the token: those come from the portal
  only, so no forged deal win and no invented feature area. The one exception is the registry's
  kinds that the vendor's systems report (``VENDOR_REPORTED_KINDS``: ``offering.used``), which
  only vendor staff's tokens may send.
- Who may send: vendor staff's tokens; a partner admin's token only when the vendor allows it
  (``PRM_INGEST_PARTNER_EVENTS``, ``ensure_may_ingest``), since ingested events count toward the
  partner's own activity (docs/metrics.md, "What ingested events count toward").
- The partner is given by ``partner`` (id) or ``partner_domain``; it must be a partner the token's
  owner may see (``partners.selectors``): vendor staff any partner, a partner admin only their own.
- Product usage names a customer account of that partner by its ``customer_account`` (external
  id; the account must exist and be active) and optionally the customer's user by
  ``customer_user`` (external id). Such an event is stored with the account as its subject and
  both ids in its properties; ``customers.rollups`` counts the user as active on that UTC day.
  Customers tells how (subject type, property names) and resolves the accounts through the
  resolver it registers (``partners.readers.usage_accounts``): ingestion imports no feature app.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import PRM_NAMESPACES, VENDOR_REPORTED_KINDS
from events.services import (
    KIND_PATTERN,
    MAX_KEY_LENGTH,
    MAX_PROPERTIES_BYTES,
    EventError,
    NewEvent,
    encode_properties,
    record_events,
)
from kernel.bounds import EVENT_FUTURE_SKEW
from partners.permissions import is_vendor_staff
from partners.readers import UsageAccounts, usage_accounts
from partners.selectors import partner_list_for_user

MAX_BATCH = 1000
MAX_CLIENT_ID = 100
MAX_FUTURE = EVENT_FUTURE_SKEW  # clock skew allowed for occurred_at (kernel.bounds)
RESERVED_PREFIXES = tuple(f"{namespace}." for namespace in sorted(PRM_NAMESPACES))


class IngestionRefused(EventError):
    """The sender may not ingest at all (the API answers 403 with the message)."""


def reserved_kind_error(kind: str) -> str:
    return _(
        "The namespace '%(namespace)s.' is reserved for events recorded by PRM itself; "
        "use a namespace of your own (e.g. 'product.used')."
    ) % {"namespace": kind.split(".", 1)[0]}


def vendor_only_kind_error(kind: str) -> str:
    return _(
        "'%(kind)s' is reported by the vendor's own systems: only vendor staff's tokens may send "
        "it."
    ) % {"kind": kind}


def ensure_may_ingest(user) -> None:
    """Vendor staff may always send events; anyone else (a partner admin: the API lets no one
    else through) only when the vendor allows partners' events (``PRM_INGEST_PARTNER_EVENTS``),
    as they count toward the partner's own activity."""
    if not is_vendor_staff(user) and not settings.PRM_INGEST_PARTNER_EVENTS:
        raise IngestionRefused(
            _(
                "This PRM does not accept events sent with a partner's token: they would count "
                "toward the partner's own adoption figures. The vendor can allow it with "
                "PRM_INGEST_PARTNER_EVENTS."
            )
        )


@dataclass
class ItemResult:
    index: int
    id: str | None
    accepted: bool
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class IngestResult:
    received: int
    accepted: int  # valid items: stored now or already stored by an earlier delivery
    stored: int  # new events written by this request
    rejected: int
    items: list[ItemResult]

    @property
    def duplicates(self) -> int:
        return self.accepted - self.stored


def ingestion_key(*, owner_id: int, client_id: str) -> str:
    return f"api:{owner_id}:{client_id}"


def _partners(user, items: list[dict]) -> tuple[dict, dict]:
    """The visible partners named by id or domain: two indexed queries for the whole batch."""
    visible = partner_list_for_user(user=user)
    ids = {i["partner"] for i in items if isinstance(i.get("partner"), int)}
    domains = {i["partner_domain"].lower() for i in items if i.get("partner_domain")}
    by_id = dict(visible.filter(pk__in=ids).values_list("pk", "pk")) if ids else {}
    by_domain = (
        dict(visible.filter(domain__in=domains).values_list("domain", "pk")) if domains else {}
    )
    return by_id, by_domain


def _usage_accounts() -> UsageAccounts:
    return usage_accounts.get("customers")


def _accounts(items: list[dict], by_id: dict, by_domain: dict) -> dict:
    """The customer accounts the batch names, ``{(partner id, external id): account id}``: one
    query for the whole batch."""
    pairs = set()
    for item in items:
        if item.get("customer_account"):
            partner_id = (
                by_id.get(item["partner"])
                if item.get("partner") is not None
                else by_domain.get((item.get("partner_domain") or "").lower())
            )
            if partner_id is not None:
                pairs.add((partner_id, item["customer_account"]))
    return _usage_accounts().ids_by_external_id(pairs=pairs)


_KIND_ERROR = ["Must look like 'area.verb' in lower case (at most 64 characters)."]
_PROPERTIES_ERROR = f"Must be a JSON object under {MAX_PROPERTIES_BYTES} bytes."
_NUL_ERROR = "Must not contain the NUL character (\\u0000): Postgres cannot store it in JSON."


def _has_nul(value) -> bool:
    """Whether a decoded JSON value holds U+0000 in any string (key or value)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _raw_properties_too_big(raw: dict, final: dict, final_json: str, usage: UsageAccounts) -> bool:
    """Whether the item's own ``properties`` exceed the limit, knowing the stored ones
    (``final``: the item's plus the customer ids). Adding keys only lengthens the JSON, so the
    item's own need encoding only when the stored ones are too big or replaced one of its keys."""
    if final is raw:
        return len(final_json) > MAX_PROPERTIES_BYTES
    if len(final_json) <= MAX_PROPERTIES_BYTES and not (
        usage.account_property in raw or usage.user_property in raw
    ):
        return False
    return len(encode_properties(raw)) > MAX_PROPERTIES_BYTES


def _kind_errors(kind: str, from_vendor: bool) -> list[str]:
    """The reasons a kind is refused (none: accepted): its shape, then who may send it."""
    if not KIND_PATTERN.match(kind) or len(kind) > 64:
        return list(_KIND_ERROR)
    if kind in VENDOR_REPORTED_KINDS:
        return [] if from_vendor else [vendor_only_kind_error(kind)]
    if kind.startswith(RESERVED_PREFIXES):
        return [reserved_kind_error(kind)]
    return []


def events_ingest(*, user, items: list[dict]) -> IngestResult:
    """Validate each item, store the valid ones once each (``events.services.record_events``).

    ``items`` went through the input serializer's shape checks; an item that failed them comes
    as ``{"_errors": {...}}`` and is reported as rejected. The batch costs three queries before
    the insert (partners by id, by domain, customer accounts), whatever its size.
    """
    ensure_may_ingest(user)
    from_vendor = is_vendor_staff(user)
    if len(items) > MAX_BATCH:
        raise EventError(f"A batch holds at most {MAX_BATCH} events; split it.")
    now = timezone.now()
    latest = now + MAX_FUTURE
    shaped = [i for i in items if "_errors" not in i]
    by_id, by_domain = _partners(user, shaped)
    accounts = _accounts(shaped, by_id, by_domain)
    usage = _usage_accounts()
    results: list[ItemResult] = []
    valid: list[NewEvent] = []
    kind_errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        client_id = item.get("id")
        if "_errors" in item:
            results.append(ItemResult(index, client_id, False, item["_errors"]))
            continue
        # The reasons in this order (the order of the keys in the answer): kind, partner,
        # occurred_at, properties, id, customer_account / customer_user.
        errors: dict[str, list[str]] = {}
        kind = item.get("kind") or ""
        try:
            kind_reasons = kind_errors[kind]
        except KeyError:  # once per kind in the batch (a batch holds few kinds)
            kind_reasons = kind_errors[kind] = _kind_errors(kind, from_vendor)
        if kind_reasons:
            errors["kind"] = list(kind_reasons)
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
        if occurred_at is not None and occurred_at > latest:
            errors["occurred_at"] = ["Must not be in the future."]

        key = ingestion_key(owner_id=user.pk, client_id=client_id)
        subject_type, subject_id = "api.client", client_id
        raw = item.get("properties") or {}
        properties = raw
        customer: dict[str, list[str]] = {}
        if item.get("customer_account") and partner_id is not None:
            account_id = accounts.get((partner_id, item["customer_account"]))
            if account_id is None:
                customer["customer_account"] = [
                    f"No active customer account {item['customer_account']!r} for this partner."
                ]
            else:
                subject_type, subject_id = usage.subject_type, str(account_id)
                properties = dict(raw)
                properties[usage.account_property] = item["customer_account"]
                if item.get("customer_user"):
                    properties[usage.user_property] = item["customer_user"]
        elif item.get("customer_user"):
            customer["customer_user"] = ["A customer's user needs its customer_account."]
        encoded = encode_properties(properties)
        if _raw_properties_too_big(raw, properties, encoded, usage):
            errors["properties"] = [_PROPERTIES_ERROR]
        if len(client_id or "") > MAX_CLIENT_ID or len(key) > MAX_KEY_LENGTH:
            errors["id"] = [f"At most {MAX_CLIENT_ID} characters."]
        errors.update(customer)
        if len(encoded) > MAX_PROPERTIES_BYTES:
            errors["properties"] = [_PROPERTIES_ERROR]
        elif "\\u0000" in encoded and _has_nul(properties):
            # The escape in the JSON text is the cheap test; the walk rules out a literal
            # backslash followed by "u0000".
            errors["properties"] = [_NUL_ERROR]
        if errors:
            results.append(ItemResult(index, client_id, False, errors))
            continue
        valid.append(
            NewEvent(
                kind=kind,
                key=key,
                partner_id=partner_id,
                occurred_at=occurred_at or now,
                subject_type=subject_type,
                subject_id=subject_id,
                properties=properties,
                properties_json=encoded,
            )
        )
        results.append(ItemResult(index, client_id, True))
    # The event consumers (onboarding steps, awards...) run after commit, off the request path.
    stored = record_events(valid, consumers_later=True) if valid else 0
    accepted = len(valid)
    return IngestResult(
        received=len(items),
        accepted=accepted,
        stored=stored,
        rejected=len(items) - accepted,
        items=results,
    )
