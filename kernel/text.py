"""Bidirectional-text controls in what people type (kernel: imports no app).

U+202E RIGHT-TO-LEFT OVERRIDE and its friends reorder the letters that follow them when the text is
displayed, so a customer named ``"\\u202elive"`` shows as "evil" in a deal list, a file name can hide
its real extension, and two names that look the same can differ. PRM neutralises them once, where
text is stored: a ``pre_save`` receiver for every model (``neutralise_bidi_controls``, connected in
``accounts.apps``) cleans each CharField and TextField, so pages, the API, the admin, imports and
services all store the same thing and no new name field can be forgotten.

- **Names and identifiers** (every ``CharField``: names, titles, emails, domains, external ids,
  phone numbers, ...): every bidi control is removed, the reordering ones and the invisible
  marks (LRM, RLM, ALM), which have no place in a single-line name and only make look-alikes.
- **Free text** (every ``TextField``: notes, descriptions, reasons, ...): the reordering controls
  (embeddings, overrides, isolates) are removed; the marks are kept, as prose mixing right-to-left
  and left-to-right words may need them, and a mark cannot reorder letters.

A required field typed as nothing but controls would be stored empty after its form accepted it;
there each control becomes U+FFFD instead. Not covered: ``QuerySet.update()`` and ``bulk_create``
skip ``pre_save`` (no code path passes typed text through them), and rows stored before this
normalisation keep what they had.
"""

from functools import cache

from django.db import models

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
REORDERING = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible strong characters: LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK, ARABIC LETTER MARK.
MARKS = "\u200e\u200f\u061c"

_NAME = str.maketrans("", "", REORDERING + MARKS)
_FREE_TEXT = str.maketrans("", "", REORDERING)


def clean_name(value: str) -> str:
    """A name or identifier without any bidi control."""
    return value.translate(_NAME)


def clean_free_text(value: str) -> str:
    """Free text without the controls that reorder letters (marks kept)."""
    return value.translate(_FREE_TEXT)


_REPLACE = {ord(c): "\ufffd" for c in REORDERING + MARKS}


@cache
def text_fields(model) -> tuple[tuple[str, bool, dict], ...]:
    """(attname, required, table) of each CharField and TextField of a model."""
    fields = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.TextField):
            fields.append((field.attname, not field.blank, _FREE_TEXT))
        elif isinstance(field, models.CharField):
            fields.append((field.attname, not field.blank, _NAME))
    return tuple(fields)


def neutralise_bidi_controls(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save`` receiver for every model: clean its text fields in place (the instance then
    holds what is stored, so an API answer built from it shows the same). A required field made
    only of controls would be left empty after its form had accepted it, so there each control
    becomes U+FFFD (visible, and it reorders nothing). Fixtures loaded with ``loaddata``
    (``raw``) are stored as they are."""
    if raw:
        return
    for attname, required, table in text_fields(sender):
        value = instance.__dict__.get(attname)
        if isinstance(value, str):
            cleaned = value.translate(table)
            if cleaned != value:
                if required and not cleaned.strip():
                    cleaned = value.translate(_REPLACE)
                setattr(instance, attname, cleaned)
