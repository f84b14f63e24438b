"""Every string a person reads is marked for translation (tests/i18n/scan.py says how it looks).
A failure names the file, the line and the text: wrap it in {% translate %} /
{% blocktranslate trimmed %} or gettext / gettext_lazy (docs/translations.md)."""

from pathlib import Path

import pytest
from django.template.base import Lexer

from tests.i18n import scan

# Files the scanner cannot read as text, each with its reason.
UNREADABLE = {
    # allauth's element templates build the tag's name from variables ("<{% if href %}a…"); they
    # hold no text of their own.
    "templates/allauth/elements/button.html",
    "templates/socialaccount/connections.html",
}


def test_every_template_text_is_marked():
    findings = [
        f
        for path in scan.template_paths()
        if str(path.relative_to(scan.ROOT)) not in UNREADABLE
        for f in scan.template_findings(path)
    ]
    assert not findings, "unmarked template text:\n" + "\n".join(map(str, findings))


def test_every_user_facing_python_string_is_marked():
    findings = [f for path in scan.python_paths() for f in scan.python_findings(path)]
    assert not findings, "unmarked Python text:\n" + "\n".join(map(str, findings))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello there</p>", ["Hello there"]),
        ('<button aria-label="Close"></button>', ["Close"]),
        ("{% load i18n %}<p>{% translate 'Hello' %}</p>", []),
        ("{% load i18n %}<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>", []),
        (
            '<a class="nav-link{% if x %} active{% endif %}" href="{% url "a" %}">Deals</a>',
            ["Deals"],
        ),
        ("{# a comment #}<script>const label = 'code';</script>", []),
        ("<p>{{ name }} · PRM</p>", []),
    ],
)
def test_the_template_scanner_sees_what_a_person_reads(tmp_path, source, expected):
    path = scan.ROOT / "templates" / "_scan_probe.html"
    path.write_text(source)
    try:
        assert [f.text for f in scan.template_findings(path)] == expected
    finally:
        path.unlink()
    assert Lexer(source).tokenize()  # the same lexer Django renders with


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('messages.success(request, "Saved.")', True),
        ('messages.success(request, _("Saved."))', False),
        ('raise ValidationError(f"Bad {x}.")', True),
        ('raise ValidationError({"name": "Too long."})', True),
        ('forms.CharField(label="Name", help_text=_("Shown to partners."))', True),
        ('forms.CharField(label=_("Name"))', False),
        ('class Kind(models.TextChoices):\n    A = "a", "Apple"', True),
        ('class Kind(models.TextChoices):\n    A = "a", _("Apple")', False),
        ('models.CharField(verbose_name="name")', True),
        ('logger.info("Saved %s", x)', False),
    ],
)
def test_the_python_check_flags_bare_literals(tmp_path, source, flagged):
    app = scan.ROOT / "kernel" / "_scan_probe.py"
    app.write_text(source + "\n")
    try:
        assert bool(scan.python_findings(Path(app))) is flagged
    finally:
        app.unlink()
