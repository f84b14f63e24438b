"""Payloads for tests that record events of PRM kinds by hand: a valid payload of ``kind`` (from
its declaration, ``events.choices.PAYLOADS``) with the fields a test cares about set."""

from events.choices import PAYLOADS, is_prm_kind

_SAMPLES = {
    "int": 1,
    "str": "x",
    "bool": False,
    "decimal": "0.00",
    "datetime": "2026-01-01T00:00:00+00:00",
    "list[str]": [],
    "null": None,
}


def payload(kind: str, fields: dict | None = None, /, **more) -> dict:
    """The declared payload of ``kind``: required fields with a sample value of their type,
    overridden by ``fields`` and ``more``. Ingested kinds: the fields as given."""
    fields = (fields or {}) | more
    if not is_prm_kind(kind):
        return fields
    sample = {
        name: _SAMPLES[spec.split("|")[0]]
        for name, spec in PAYLOADS[kind].items()
        if not spec.endswith("?")
    }
    return sample | fields
