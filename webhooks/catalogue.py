"""The webhook event types for the event catalogue (docs/webhooks.md): each type, the kind PRM
records that sends it, and that kind's declared payload. Registered with ``events.catalogue`` from
``WebhooksConfig.ready``, so the catalogue itself imports no feature app."""

from events.catalogue import describe_payload
from events.choices import PAYLOADS
from webhooks.choices import KIND_TO_TYPE, TEST_TYPE


def webhooks_table() -> str:
    lines = ["| Webhook type | Sent when PRM records | `data.properties` |", "|---|---|---|"]
    for kind, event_type in KIND_TO_TYPE.items():
        lines.append(f"| `{event_type}` | `{kind}` | {describe_payload(PAYLOADS[kind])} |")
    lines.append(
        f'| `{TEST_TYPE}` | the "Send test delivery" button / '
        "`POST /api/v1/webhook-endpoints/{id}/test/` | — |"
    )
    return "\n".join(lines)
