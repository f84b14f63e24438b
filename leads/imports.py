"""Lead import from a CSV or XLSX file (vendor staff): a dry run reports what each row would do
(create, already there by its external id, or its errors) and changes nothing; the import creates
the valid rows, each routed like a lead typed in, and reports the others. Idempotent by the
external id (a required column): importing the same file again adds nothing, and after fixing the
rows in error, importing it again adds only those.

Files are read in memory, row by row (CSV line by line, XLSX through openpyxl's read-only
mode); at most ``MAX_ROWS`` rows and ``MAX_BYTES`` bytes. The checks of a whole file hold a fixed
number of queries (existing external ids and offerings are read once)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django_countries import countries

from kernel.uploads import inspect_upload
from leads import services
from leads.choices import LeadSize, LeadSource
from leads.models import Lead
from partners.choices import Region
from partners.models import Offering

MAX_ROWS = 1000
MAX_BYTES = 2 * 1024 * 1024
MAX_CELL = 4000
EXTENSIONS = {"csv", "xlsx"}
COLUMNS = (
    "external_id", "company", "domain", "country", "region", "contact_name", "contact_email",
    "contact_phone", "offerings", "size", "source", "notes",
)  # fmt: skip
REQUIRED = ("external_id", "company", "region")
CREATE, EXISTS, ERROR = "create", "exists", "error"


class FileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class RowResult:
    number: int  # the row's line in the file (the header is row 1)
    external_id: str
    company: str
    outcome: str = CREATE
    errors: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    lead_id: int | None = None


@dataclass
class Report:
    dry_run: bool
    rows: list[RowResult]
    created: int = 0

    @property
    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, EXISTS: 0, ERROR: 0}
        for row in self.rows:
            out[row.outcome] += 1
        return out


def _header_key(cell) -> str:
    return str(cell or "").strip().lower().replace(" ", "_").replace("-", "_")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL]


def _rows(lines) -> Iterator[tuple[int, dict]]:
    keys = None
    for number, cells in enumerate(lines, start=1):
        if keys is None:
            keys = [_header_key(c) for c in cells]
            missing = [k for k in REQUIRED if k not in keys]
            if missing:
                raise FileError(
                    _("The header row lacks the column(s) %(columns)s.")
                    % {"columns": ", ".join(missing)}
                )
            continue
        values = {k: _cell(c) for k, c in zip(keys, cells, strict=False) if k in COLUMNS}
        if any(values.values()):
            yield number, values
    if keys is None:
        raise FileError(_("The file is empty: it needs a header row and at least one lead."))


def read_rows(file, file_format: str) -> list[tuple[int, dict]]:
    file.seek(0)
    try:
        if file_format == "csv":
            text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
            first = text.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            lines = [
                *csv.reader([first], delimiter=delimiter),
                *csv.reader(text, delimiter=delimiter),
            ]
            rows = list(_limit(_rows(lines)))
            text.detach()
            return rows
        from openpyxl import load_workbook

        try:
            book = load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileError(_("The XLSX file cannot be read.")) from exc
        try:
            return list(_limit(_rows(book.worksheets[0].iter_rows(values_only=True))))
        finally:
            book.close()
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _limit(rows):
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            raise FileError(_("Import at most %(max)s leads at a time.") % {"max": f"{MAX_ROWS:,}"})
        yield row


def _choice(value: str, choices) -> str | None:
    """A choice by its value or its label, case-insensitively ('' stays '')."""
    if not value:
        return ""
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (str(key).lower(), str(label).lower()):
            return key
    return None


def _slugs(text: str) -> list[str]:
    """Offering slugs in a cell, separated by commas or semicolons."""
    return [s.strip().lower() for s in text.replace(";", ",").split(",") if s.strip()]


def check(rows: list[tuple[int, dict]], *, program) -> list[RowResult]:
    """What each row would do. Three queries for the whole file."""
    ids = [values.get("external_id", "") for _n, values in rows]
    known = set(
        Lead.objects.filter(external_id__in=[i for i in ids if i]).values_list(
            "external_id", flat=True
        )
    )
    allowed = {
        o.slug.lower(): o
        for o in Offering.objects.filter(is_active=True)
        .filter(Q(programs__isnull=True) | Q(programs=program))
        .distinct()
    }
    seen: set[str] = set()
    results = []
    for number, values in rows:
        ext = values.get("external_id", "")
        result = RowResult(number=number, external_id=ext, company=values.get("company", ""))
        results.append(result)
        errors = result.errors
        if not ext:
            errors.append(_("external_id: give the lead's id in your system."))
        elif ext in seen:
            errors.append(_("external_id: appears twice in the file."))
        seen.add(ext)
        data = {name: values.get(name, "") for name in COLUMNS if name != "offerings"}
        for name, choices in (
            ("region", Region.choices),
            ("size", LeadSize.choices),
            ("source", LeadSource.choices),
        ):
            picked = _choice(values.get(name, ""), choices)
            if picked is None:
                known_values = ", ".join(v for v, _l in choices)
                errors.append(
                    _("%(column)s: “%(value)s” is not one of %(known)s.")
                    % {"column": name, "value": values[name], "known": known_values}
                )
            data[name] = picked or ""
        data["country"] = values.get("country", "").upper()
        offerings = []
        for slug in _slugs(values.get("offerings", "")):
            if slug in allowed:
                offerings.append(allowed[slug])
            else:
                errors.append(
                    _("offerings: “%(slug)s” is no offering of the program.") % {"slug": slug}
                )
        if ext in known and not errors:
            result.outcome = EXISTS
            continue
        try:
            services.lead_clean(data | {"program": program, "offerings": []})
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(f"{name}: {m}" for m in messages)
        if data["country"] and data["country"] not in countries:
            errors.append(_("country: give a two-letter country code such as DE."))
        if errors:
            result.outcome = ERROR
        result.data = data | {"offerings": offerings}
    return results


def inspect(file) -> str:
    """The checked file's format ('csv' or 'xlsx'); ValidationError for a refused upload."""
    info = inspect_upload(file, extensions=EXTENSIONS, max_bytes=MAX_BYTES)
    return PurePosixPath(info.name).suffix.lower().lstrip(".")


def run(*, actor, file, program, dry_run: bool) -> Report:
    """Check the file (``dry_run``) or import its valid rows. ``FileError`` for an unreadable
    file, ValidationError for a refused upload."""
    file_format = inspect(file)
    results = check(read_rows(file, file_format), program=program)
    report = Report(dry_run=dry_run, rows=results)
    if dry_run:
        return report
    for result in results:
        if result.outcome != CREATE:
            continue
        try:
            lead, created = services.lead_create(
                actor=actor, via="import", program=program, **result.data
            )
        except ValidationError as exc:
            result.outcome = ERROR
            result.errors.extend(exc.messages)
            continue
        result.lead_id = lead.pk
        if created:
            report.created += 1
        else:
            result.outcome = EXISTS
    return report
