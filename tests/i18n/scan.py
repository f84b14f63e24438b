"""Find text a person reads that is not marked for translation.

Templates: Django's own template Lexer splits each file into TEXT, VAR, BLOCK and COMMENT tokens.
Text inside ``{% translate %}`` / ``{% blocktranslate %}``, ``{% comment %}`` and ``{% verbatim %}``
is skipped; every other TEXT token is put back together (a template tag or variable becomes a
placeholder) and read by the HTML parser: a text node, or a visible attribute (``title``,
``placeholder``, ``aria-label``, ``alt``, ``data-confirm``…) with letters in it is unmarked text.
``<script>`` and ``<style>`` are code. Email ``.txt`` templates are all text.

Python: an AST walk over the apps flags a bare string literal where people read it.
"""

from __future__ import annotations

import ast
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates"]
HOLE = " "  # where a {{ variable }} or {% tag %} stood (a space keeps the HTML parsable)

# Text that is the same in every language. Each entry says why.
ALLOWED_TEXT = {
    "PRM": "the product's name",
    "CSV": "a file format",
    "XLSX": "a file format",
    "JSON": "a file format",
    "PDF": "a file format",
    "URL": "a technical term kept in every language",
    "API": "a technical term kept in every language",
    "ID": "a technical term kept in every language",
    "UTC": "a time zone's name",
    "MDF": "the program's term (market development funds)",
    "ROI": "an abbreviation every market uses",
    "SAML": "a protocol's name",
    "OIDC": "a protocol's name",
    "OpenID Connect": "a protocol's name",
    "HMAC": "an algorithm's name",
    "SHA-256": "an algorithm's name",
    "TOTP": "an algorithm's name",
    "Bootstrap": "a library's name",
    "x": "the multiplication sign written as a letter",
}
VISIBLE_ATTRIBUTES = {
    "title",
    "placeholder",
    "aria-label",
    "alt",
    "data-confirm",
    "data-confirm-label",
    "label",
    "aria-description",
    "aria-valuetext",
}
WORD = re.compile(r"[^\W\d_]{2,}|[^\W\d_\x00-\x7f]")  # two Latin letters, or any other script


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _readable(text: str) -> str | None:
    text = " ".join(html.unescape(text).replace(HOLE, " ").split())
    if not text or text in ALLOWED_TEXT:
        return None
    remaining = text
    for allowed in sorted(ALLOWED_TEXT, key=len, reverse=True):
        remaining = re.sub(rf"(?<!\w){re.escape(allowed)}(?!\w)", " ", remaining)
    return text if WORD.search(remaining) else None


class _Reader(HTMLParser):
    def __init__(self, lines: list[int]):
        super().__init__(convert_charrefs=True)
        self.lines = lines  # source line of each character of the fed text
        self.found: list[tuple[int, str]] = []
        self.code_depth = 0

    def _line(self) -> int:
        return self.getpos()[0]

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.code_depth += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and (text := _readable(value)):
                self.found.append((self._line(), text))
            button = tag == "input" and dict(attrs).get("type") in ("submit", "button")
            if name == "value" and button and value and (text := _readable(value)):
                self.found.append((self._line(), text))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.code_depth -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data):
        if not self.code_depth and (text := _readable(data)):
            self.found.append((self._line(), text))


OPENERS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED = {"comment": "endcomment", "verbatim": "endverbatim", **OPENERS}


# A literal a reader sees given to a filter inside a tag or variable, e.g. `x|default:"none"`
# (mark it `x|default:_("none")`); format names such as "DATE_FORMAT" have no lowercase letter.
FILTER_LITERAL = re.compile(r'\|default(?:_if_none)?:"([^"]*[a-z][^"]*)"')


def template_findings(path: Path) -> list[Finding]:
    source = path.read_text()
    tokens = Lexer(source).tokenize()
    parts: list[str] = []
    literals: list[Finding] = []
    closing: str | None = None
    rel = str(path.relative_to(ROOT))
    for token in tokens:
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            literals += [Finding(rel, token.lineno, f'|default:"{m}"')
                         for m in FILTER_LITERAL.findall(token.contents)]  # fmt: skip
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(" ", 1)[0] if token.contents else ""
            if closing:
                if name == closing:
                    closing = None
                parts.append(HOLE)
                continue
            if name in SKIPPED:
                closing = SKIPPED[name]
            parts.append(HOLE + "\n" * token.contents.count("\n"))
        elif token.token_type == TokenType.TEXT:
            # Keep the line breaks even where the text is skipped: findings name source lines.
            parts.append("\n" * token.contents.count("\n") if closing else token.contents)
        else:
            parts.append(HOLE + "\n" * token.contents.count("\n"))
    text = "".join(parts)
    if path.suffix == ".txt":
        found = literals
        for number, line in enumerate(text.splitlines(), 1):
            if shown := _readable(line):
                found.append(Finding(rel, number, shown))
        return found
    reader = _Reader([])
    reader.feed(text)
    reader.close()
    return literals + [Finding(rel, line, shown) for line, shown in reader.found]


def template_paths() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*") if p.suffix in (".html", ".txt"))


# --- Python --------------------------------------------------------------------------------------
APPS = [
    "accounts",
    "audit",
    "console",
    "customers",
    "deals",
    "enablement",
    "events",
    "followup",
    "incentives",
    "ingestion",
    "kernel",
    "leads",
    "metrics",
    "notifications",
    "onboarding",
    "partners",
    "plans",
    "prm",
    "tiers",
    "webhooks",
]
SKIP_PARTS = {"tests", "migrations", "management"}
MESSAGE_CALLS = {"success", "info", "warning", "error", "debug"}
# Keyword arguments people read, on any call (form fields, model fields, serializers).
READ_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
# Calls whose first argument people read.
READ_CALLS = {"ValidationError"}


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORD.search(node.value)) and _readable(node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):  # "…" % {…} or "…" + x
        return _is_text(node.left)
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _receiver(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def python_findings(path: Path) -> list[Finding]:
    tree = ast.parse(path.read_text(), filename=str(path))
    rel = str(path.relative_to(ROOT))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        args = list(node.args)
        to_messages = name in MESSAGE_CALLS and _receiver(node) == "messages"
        if to_messages and len(args) >= 2 and _is_text(args[1]):
            found.append(Finding(rel, node.lineno, f"messages.{name}(…)"))
        if name in READ_CALLS and args and _is_text(args[0]):
            found.append(Finding(rel, node.lineno, f"{name}(…)"))
        if name in READ_CALLS and args and isinstance(args[0], ast.Dict):
            for value in args[0].values:
                if value is not None and _is_text(value):
                    found.append(Finding(rel, node.lineno, f"{name}({{…}})"))
        for keyword in node.keywords:
            if keyword.arg in READ_KEYWORDS and _is_text(keyword.value):
                found.append(Finding(rel, node.lineno, f"{keyword.arg}="))
            if (
                keyword.arg == "message"
                and name in ("ValidationError",)
                and _is_text(keyword.value)
            ):
                found.append(Finding(rel, node.lineno, "ValidationError(message=…)"))
        # models.TextChoices members: ("value", "Label") — labels people read
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            getattr(b, "attr", getattr(b, "id", "")) in ("TextChoices", "IntegerChoices")
            for b in node.bases
        ):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    elements = statement.value.elts
                    if len(elements) >= 2 and _is_text(elements[-1]):
                        found.append(Finding(rel, statement.lineno, f"{node.name} label"))
    return found


def python_paths() -> list[Path]:
    paths = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if SKIP_PARTS.isdisjoint(path.relative_to(ROOT).parts):
                paths.append(path)
    return sorted(paths)
