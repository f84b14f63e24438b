"""The committed catalogues match the code and are complete (docs/translations.md).

makemessages runs with the build's options (the Makefile's MESSAGES_ARGS) into a temporary copy
of locale/; the committed .po files must hold every msgid it finds and nothing else (no stale or
obsolete entry), every entry translated and none fuzzy, and ``msgfmt --check`` must pass.
"""

import os
import re
import shlex
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.i18n.scan import ROOT

LOCALE = ROOT / "locale"
LANGUAGES = ["de", "fr", "es", "pt_BR", "ja"]


def _makefile_variable(name: str) -> str:
    text = (ROOT / "Makefile").read_text()
    return re.search(rf"^{name} := (.*)$", text, re.M).group(1)


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _ids(po: polib.POFile) -> set[tuple]:
    return {_key(e) for e in po if not e.obsolete}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The catalogues makemessages makes today from the code, next to the committed ones."""
    assert shutil.which("xgettext"), "GNU gettext is needed (apt-get install gettext)"
    target = tmp_path_factory.mktemp("locale")
    shutil.copytree(LOCALE, target, dirs_exist_ok=True)
    options = shlex.split(_makefile_variable("MESSAGES_ARGS"))
    languages = _makefile_variable("LANGS").split()
    assert languages == LANGUAGES
    args = [a for lang in languages for a in ("-l", lang)] + options
    cwd = os.getcwd()
    os.chdir(ROOT)  # makemessages reads the tree below the working directory
    try:
        with override_settings(LOCALE_PATHS=[target]):
            call_command("makemessages", *args, verbosity=0)
    finally:
        os.chdir(cwd)
    return target


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_message_and_no_stale_one(generated, language):
    committed = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    fresh = polib.pofile(str(generated / language / "LC_MESSAGES" / "django.po"))
    missing = _ids(fresh) - _ids(committed)
    stale = (_ids(committed) - _ids(fresh)) | {_key(e) for e in committed if e.obsolete}
    assert not missing, (
        f"{len(missing)} msgids missing: run `make messages`: {sorted(missing)[:10]}"
    )
    assert not stale, f"{len(stale)} stale msgids: run `make messages`: {sorted(stale)[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_translated_and_nothing_is_fuzzy(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:5]}"
    assert po.percent_translated() == 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language, tmp_path):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(path)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_configured_language_has_a_catalogue():
    codes = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert {c.replace("-br", "_BR") for c in codes} == set(LANGUAGES)
