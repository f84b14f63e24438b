"""Markdown → safe HTML for agreement texts. Vendor admins write Markdown; whatever HTML ends up in
it (raw tags, javascript: links, event handlers) is removed by the nh3 sanitiser before it reaches
a page. The same libraries and allow-list as enablement's rendering (feature apps do not import
each other, so onboarding keeps its own few lines)."""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """Sanitised HTML of ``text`` (no images: an agreement is text, and an image could change
    after a partner accepted it)."""
    html = md.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # nosec B308 B703  # noqa: S308 - sanitised by nh3 above
