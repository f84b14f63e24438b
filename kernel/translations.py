"""Per-language versions of content (issue 23, docs/translations.md "Content in several languages").

A translatable model keeps its default-language text where it always was (``title``, ``body`` …)
and the other languages in one JSON column, ``translations``: ``{"de": {"title": "…"}, …}``. A
reader asks ``translated(obj, "title")`` (templates: ``{{ obj|tr:"title" }}``): the active
language's text when there is one, else the default. Everything that reads the plain field —
search, ordering, ``values()``, event payloads, exports — keeps the default-language text.

The languages are ``settings.LANGUAGES``; the default is the one ``LANGUAGE_CODE`` names.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _


def default_language() -> str:
    """The language the plain columns are written in (``LANGUAGE_CODE``, as listed)."""
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def content_languages() -> list[tuple[str, str]]:
    """(code, name) of every language a version can be written in, the default left out."""
    default = default_language()
    return [(code, name) for code, name in settings.LANGUAGES if code != default]


def language_keys(language: str | None) -> list[str]:
    """Which stored versions serve ``language``, best first: ``pt-br`` then ``pt``."""
    if not language:
        return []
    language = language.lower()
    keys = [language]
    if "-" in language:
        keys.append(language.split("-")[0])
    return keys


def translated(obj, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in ``language`` (default: the active one), falling back to the default
    language's text when that version is missing or blank."""
    versions = getattr(obj, "translations", None) or {}
    for key in language_keys(language or translation.get_language()):
        text = (versions.get(key) or {}).get(field)
        if isinstance(text, str) and text.strip():
            return text
    return getattr(obj, field)


def missing_languages(obj, fields: tuple[str, ...]) -> list[str]:
    """Codes of the content languages for which a field with default text has no version.

    A field left blank in the default language needs no translation."""
    versions = getattr(obj, "translations", None) or {}
    needed = [name for name in fields if (getattr(obj, name) or "").strip()]
    missing = []
    for code, _name in content_languages():
        version = versions.get(code) or {}
        if any(not (version.get(name) or "").strip() for name in needed):
            missing.append(code)
    return missing


def translations_field() -> models.JSONField:
    """The column every translatable model adds (same definition everywhere)."""
    return models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Versions in other languages: {language: {field: text}}."),
    )


class TranslationsFormMixin:
    """A form that also edits ``instance.translations``: one optional field per content
    language and translatable field (``tr_<lang>_<field>``), grouped per language for the page
    (``form.translation_groups``). The default-language fields stay the form's own, required as
    the model says. Set ``translated_fields`` on the form class."""

    translated_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = self._stored_versions()
        self._translation_names: list[tuple[str, str, str]] = []
        for code, language_name in content_languages():
            for field in self.translated_fields:
                base = self.fields.get(field) or self._model_form_field(field)
                widget = base.widget.__class__
                attrs = {}
                if isinstance(base.widget, forms.Textarea):
                    attrs["rows"] = 3
                name = f"tr_{code}_{field}"
                self.fields[name] = forms.CharField(
                    # "Title (German)": each field says its language to a screen reader too
                    label=format_lazy("{} ({})", base.label or capfirst(field), language_name),
                    required=False,
                    max_length=getattr(base, "max_length", None),
                    widget=widget(attrs=attrs),
                    initial=(versions.get(code) or {}).get(field, ""),
                )
                self._translation_names.append((name, code, field))

    def _stored_versions(self) -> dict:
        """The versions stored so far: the instance's (a ModelForm) or ``initial["translations"]``."""
        instance = getattr(self, "instance", None)
        if instance is not None and getattr(instance, "translations", None):
            return instance.translations
        return dict(self.initial.get("translations") or {})

    def _model_form_field(self, field: str):
        return self._meta.model._meta.get_field(field).formfield()

    @property
    def translation_field_names(self) -> list[str]:
        """The per-language fields, which a page shows in their own section."""
        return [name for name, _code, _field in self._translation_names]

    @property
    def translation_groups(self) -> list[dict]:
        """[{code, name, fields: [bound fields], filled, errors}]: one section per language."""
        groups = []
        for code, name in content_languages():
            bound = [self[n] for n, c, _f in self._translation_names if c == code]
            filled = any((b.value() or "").strip() for b in bound)
            errors = any(b.errors for b in bound)
            groups.append(
                {"code": code, "name": name, "fields": bound, "filled": filled, "errors": errors}
            )
        return groups

    def cleaned_translations(self) -> dict:
        """The versions entered, blank ones left out (a blank field falls back to the default)."""
        own = {code for code, _name in content_languages()}
        kept = self._stored_versions()
        # versions in a language no longer offered are kept, not silently dropped
        versions: dict[str, dict[str, str]] = {k: v for k, v in kept.items() if k not in own}
        for name, code, field in self._translation_names:
            text = (self.cleaned_data.get(name) or "").strip()
            if text:
                versions.setdefault(code, {})[field] = text
        return versions

    def clean(self):
        """``cleaned_data["translations"]``: what the service stores in the JSON column."""
        cleaned = super().clean()
        cleaned["translations"] = self.cleaned_translations()
        return cleaned
