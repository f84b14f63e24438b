"""Writing the audit log. Every row also goes to the ``prm.audit`` logger as one JSON line (user
input is JSON-escaped there, so a CR/LF in an email cannot forge a log line)."""

import json
import logging

from audit.context import client_ip, current_request
from audit.models import AuditEntry

logger = logging.getLogger("prm.audit")
MAX_REPR = 200


def audit_record(
    *,
    action: str,
    actor=None,
    actor_email: str = "",
    partner_id: int | None = None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    details: dict | None = None,
    request=None,
) -> AuditEntry:
    """Store one audit row. ``request`` defaults to the one being served (see audit.context).
    ``details`` must never hold secrets (passwords, tokens, TOTP seeds)."""
    request = request if request is not None else current_request.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)
    if partner_id is None and actor is not None:
        membership = getattr(actor, "membership", None) if actor.pk else None
        partner_id = membership.partner_id if membership is not None else None
    entry = AuditEntry.objects.create(  # one INSERT: atomic by itself
        action=action,
        actor=actor,
        actor_email=(actor.email if actor is not None else actor_email)[:254],
        partner_id=partner_id,
        target_type=target_type[:64],
        target_id=str(target_id)[:64],
        target_repr=target_repr[:MAX_REPR],
        ip=client_ip(request),
        details=details or {},
    )
    _log(entry)
    return entry


def audit_record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Store prepared rows in one INSERT (for signal receivers that see events in batches)."""
    request = current_request.get()
    for entry in entries:
        entry.ip = client_ip(request)
    created = AuditEntry.objects.bulk_create(entries)
    for entry in created:
        _log(entry)
    return created


def _log(entry: AuditEntry) -> None:
    logger.info(
        json.dumps(
            {
                "action": entry.action,
                "actor": entry.actor_email,
                "partner": entry.partner_id,
                "target": f"{entry.target_type}:{entry.target_id}",
                "ip": entry.ip,
                "at": entry.at.isoformat(),
            }
        )
    )
