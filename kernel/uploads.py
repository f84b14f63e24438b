"""The one upload inspector: lesson attachments and library files (enablement), MDF proofs
(incentives) and onboarding documents all pass through ``inspect_upload``.

A file is accepted only when its extension is on the caller's allowlist (a subset of
``FILE_TYPES``), its size is within the limit and its content (magic bytes, via ``filetype``)
matches the extension. HTML, SVG, scripts and executables are never on any list, and text files
that look like markup are refused too. Whatever is accepted is still served as an attachment with
``nosniff`` and a sandboxing CSP (``serve_file`` below), so a polyglot that slips
through cannot run in the portal.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy

# extension → (content type we serve it as, content kinds ``filetype`` may detect for it)
FILE_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"pdf"})),
    "png": ("image/png", frozenset({"png"})),
    "jpg": ("image/jpeg", frozenset({"jpg"})),
    "jpeg": ("image/jpeg", frozenset({"jpg"})),
    "gif": ("image/gif", frozenset({"gif"})),
    "webp": ("image/webp", frozenset({"webp"})),
    "mp4": ("video/mp4", frozenset({"mp4", "m4v"})),
    # Office files are zip containers; filetype names them when the right part comes first.
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"docx", "zip"}),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"xlsx", "zip"}),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        frozenset({"pptx", "zip"}),
    ),
    "doc": ("application/msword", frozenset({"doc"})),
    "odt": ("application/vnd.oasis.opendocument.text", frozenset({"odt", "zip"})),
    "zip": ("application/zip", frozenset({"zip"})),
    "txt": ("text/plain", frozenset()),
    "csv": ("text/csv", frozenset()),
}
# What lesson attachments, library files and MDF proofs may be.
ATTACHMENT_EXTENSIONS = frozenset(
    {"pdf", "png", "jpg", "jpeg", "gif", "webp", "mp4", "docx", "xlsx", "pptx", "zip", "txt", "csv"}
)
TEXT_EXTENSIONS = {"txt", "csv"}
MARKUP_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype", b"<iframe", b"<?xml", b"<body")


def max_upload_bytes() -> int:
    """The default limit in bytes: the ``PRM_ENABLEMENT_MAX_UPLOAD_MB`` setting."""
    return int(settings.PRM_ENABLEMENT_MAX_UPLOAD_MB) * 1024 * 1024


@dataclass(frozen=True)
class UploadInfo:
    name: str
    content_type: str
    size: int


def _read_all(file, limit: int) -> bytes:
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(0)
    return data


def safe_display_name(name: str) -> str:
    """The uploader's base name without path parts or control characters (for downloads)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"\\/;')
    return cleaned[:150] or "download"


def inspect_upload(
    file,
    *,
    name: str | None = None,
    extensions: Iterable[str] = ATTACHMENT_EXTENSIONS,
    max_bytes: int | None = None,
) -> UploadInfo:
    """Check an uploaded file against an allowlist of ``extensions`` (keys of ``FILE_TYPES``) and
    ``max_bytes`` (default: ``max_upload_bytes()``); raise ValidationError with a reason people
    can act on (its ``code`` is extension, empty, size or content)."""
    extensions = frozenset(extensions)
    if not extensions <= FILE_TYPES.keys():
        raise ValueError(f"No content check is known for {sorted(extensions - FILE_TYPES.keys())}.")
    original = name or getattr(file, "name", "") or ""
    ext = PurePosixPath(original).suffix.lower().lstrip(".")
    if ext not in extensions:
        allowed = ", ".join(sorted(extensions))
        raise ValidationError(
            gettext_lazy("Files of type “.%(ext)s” are not accepted. Allowed: %(allowed)s.")
            % {"ext": ext or "?", "allowed": allowed},
            code="extension",
        )
    size = file.size
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if size == 0:
        raise ValidationError(gettext_lazy("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            gettext_lazy("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="size",
        )
    content_type, kinds = FILE_TYPES[ext]
    if ext in TEXT_EXTENSIONS:
        data = _read_all(file, limit)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                gettext_lazy("A text file must be UTF-8 text."), code="content"
            ) from exc
        lowered = data.lower()
        if b"\x00" in data or any(marker in lowered for marker in MARKUP_MARKERS):
            raise ValidationError(
                gettext_lazy("This text file contains markup (HTML/SVG/XML); it is not accepted."),
                code="content",
            )
    else:
        file.seek(0)
        head = file.read(8192)
        file.seek(0)
        detected = filetype.guess(head)
        if detected is None or detected.extension not in kinds:
            found = f"“{detected.extension}” data" if detected else "unrecognised content"
            raise ValidationError(
                gettext_lazy(
                    "The file's content (%(found)s) does not match its “.%(ext)s” extension."
                )
                % {"found": found, "ext": ext},
                code="content",
            )
    return UploadInfo(name=safe_display_name(original), content_type=content_type, size=size)


def validate_upload(value) -> None:
    """Model field validator: checks new uploads (files already stored were checked then)."""
    if not value or getattr(value, "_committed", True):
        return
    inspect_upload(value.file, name=value.name)


SANDBOX_CSP = "sandbox; default-src 'none'"


def serve_file(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Stream an uploaded file so that it can never run in the portal's origin: always a download,
    with the type we chose at upload (never the client's), no sniffing, and a sandboxing CSP in
    case a browser renders it anyway."""
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename or "download",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
