"""drf-spectacular postprocessing: every operation documents the errors every route can give
(400 bad input or filters, 401 no/invalid credentials, 403 read-scope token or the other side's
action, 404 not found or not yours), with the common ``{"detail": ...}`` body where the view did
not declare its own."""

PROBLEM = {
    "type": "object",
    "description": "A 4xx: `detail` says why; a 400 may instead map field names to reasons.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input or query parameters; the reasons per field (nothing was saved).",
    "401": "No credentials, or an invalid or revoked token.",
    "403": "Not allowed: a read-scope token on a write, or the other side's action.",
    "404": "Not found, or not visible to you (another partner's object, or not your role).",
    "429": "Too many requests for this token; retry after the Retry-After header's seconds.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, methods in result.get("paths", {}).items():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, description in DESCRIPTIONS.items():
                if code in ("401", "429") and path.endswith(("/schema/", "/docs/")):
                    continue
                existing = responses.setdefault(code, {"description": description})
                existing.setdefault("content", {"application/json": {"schema": ref}})
    return result
