"""The scorecard as a PDF for the quarterly review: the scorecard's own data
(``plans.scorecard.scorecard_for_partner``) rendered from a print template
(``plans/scorecard_pdf.html``, A4) by WeasyPrint.

Nothing is fetched from the network: the only resources the template names are static files, and
``StaticFilesFetcher`` reads those from the disk (the finders, else the collected files); any
other URL is refused and left out of the PDF. The caller has checked that the user may see the
partner, as for the scorecard page.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from plans import periods

# Relative URLs in the template resolve against this origin; it is never contacted.
BASE_URL = "https://prm.invalid/"
MIME_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def static_path(url: str) -> str | None:
    """The local file behind a static URL of the template (``/static/css/x.css``), or None for
    anything else: another origin, another path, a path walking out of the static files."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        return None
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    if not name or ".." in name.split("/"):
        return None
    found = finders.find(name)
    if found:
        return found
    try:
        stored = staticfiles_storage.path(name)
    except NotImplementedError:  # a remote storage: nothing local to read
        return None
    return stored if staticfiles_storage.exists(name) else None


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's fetcher restricted to the static files, read locally."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise ValueError(f"Only static files are read for a PDF, not {url}")
        with open(path, "rb") as handle:
            body = handle.read()
        suffix = path[path.rfind(".") :]
        return URLFetcherResponse(
            url, body, {"Content-Type": MIME_TYPES.get(suffix, "application/octet-stream")}
        )


def period_key(card) -> str:
    """The period the file is named after: the plan's, else the running fiscal quarter."""
    if card.plan is not None:
        return card.plan.period.key
    return periods.period_containing(timezone.localdate(), quarterly=True).key


def filename(card) -> str:
    """``scorecard-<partner name slugified>-<period>.pdf`` (ASCII, so every browser keeps it; a
    name with no ASCII letter gives ``partner-<id>``)."""
    slug = slugify(card.partner.name)[:60].strip("-") or f"partner-{card.partner.pk}"
    return f"scorecard-{slug}-{period_key(card)}.pdf"


def scorecard_pdf(card, *, request, vendor: bool) -> bytes:
    html = render_to_string(
        "plans/scorecard_pdf.html",
        {"card": card, "partner": card.partner, "vendor": vendor, "generated": timezone.now()},
        request=request,
    )
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()
