"""Find what a strict CSP (``script-src 'self'``) would block: inline ``<script>`` bodies and
inline event-handler attributes. ``json_script`` output (``type="application/json"``) is data,
not script, and is allowed."""

from html.parser import HTMLParser

DATA_TYPES = {"application/json", "application/ld+json"}


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"inline handler {name}= on <{tag}>")
        if tag == "script":
            is_data = (values.get("type") or "").lower() in DATA_TYPES
            self._inline_script = not values.get("src") and not is_data
        for name in ("href", "src", "action", "formaction"):
            if (values.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name}= on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")


def inline_script_problems(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
