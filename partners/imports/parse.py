"""Read the rows of a stored import file, one at a time (bounded memory: a CSV is read line by
line, an XLSX through openpyxl's read-only mode, which streams the sheet's XML)."""

import csv
import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _

from partners.imports.columns import REQUIRED, header_key

MAX_CELL = 500  # characters kept of one cell; longer values are refused by their column's rule


class FileError(Exception):
    """The file as a whole cannot be read (no header, a missing column, not a spreadsheet)."""


@dataclass(frozen=True)
class Row:
    number: int  # the row's line in the file (the header is row 1)
    values: dict  # column key → text (dates from XLSX cells as date objects)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL]


def _header(cells) -> list[str]:
    keys = [header_key(cell) for cell in cells]
    missing = [key for key in REQUIRED if key not in keys]
    if missing:
        raise FileError(
            _("The header row lacks the column(s) %(columns)s. Download the template to see them.")
            % {"columns": ", ".join(missing)}
        )
    return keys


def _rows(lines, start: int = 2) -> Iterator[Row]:
    """Rows after the header; entirely empty lines are skipped (they count as no row)."""
    keys = None
    for number, cells in enumerate(lines, start=start - 1):
        if keys is None:
            keys = _header(cells)
            continue
        values = {}
        for key, cell in zip(keys, cells, strict=False):
            if key and key not in values:
                values[key] = _cell(cell)
        if any(v != "" for v in values.values()):
            yield Row(number=number, values=values)
    if keys is None:
        raise FileError(_("The file is empty: it needs a header row and at least one partner."))


def _csv_lines(handle):
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")  # utf-8-sig: drops a BOM
    first = text.readline()
    # Excel in many European locales writes semicolons: take the separator the header uses.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    yield from csv.reader([first], delimiter=delimiter)
    yield from csv.reader(text, delimiter=delimiter)


def _xlsx_sheet(book):
    for name in book.sheetnames:
        if name.strip().lower() == "partners":
            return book[name]
    return book.worksheets[0]


@contextmanager
def open_rows(field_file, file_format: str):
    """``with open_rows(job.file, "csv") as rows:`` an iterator of ``Row``; raises ``FileError``
    for a file that cannot be read."""
    with field_file.open("rb") as handle:
        if file_format == "csv":
            try:
                yield _rows(_csv_lines(handle))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileError(
                    _("The CSV file cannot be read: %(error)s") % {"error": exc}
                ) from exc
            return
        from openpyxl import load_workbook

        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileError(_("The XLSX file cannot be read.")) from exc
        try:
            yield _rows(_xlsx_sheet(book).iter_rows(values_only=True))
        finally:
            book.close()


def count_rows(field_file, file_format: str) -> int:
    """How many data rows the file holds (a first pass, streamed: the progress bar's total).
    Counts non-empty lines after the header without building the rows' values."""
    with field_file.open("rb") as handle:
        if file_format == "csv":
            try:
                lines = _csv_lines(handle)
                next(lines, None)
                return sum(1 for cells in lines if any(cell.strip() for cell in cells))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileError(
                    _("The CSV file cannot be read: %(error)s") % {"error": exc}
                ) from exc
        from openpyxl import load_workbook

        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:
            raise FileError(_("The XLSX file cannot be read.")) from exc
        try:
            cells = _xlsx_sheet(book).iter_rows(values_only=True, min_row=2)
            return sum(1 for row in cells if any(c not in (None, "") for c in row))
        finally:
            book.close()


def check_header(file, file_format: str) -> None:
    """Read only the header of an uploaded file (before it is stored); ``FileError`` when a
    required column is missing or the file is not what its extension says."""
    file.seek(0)
    try:
        if file_format == "csv":
            lines = _csv_lines(io.BytesIO(file.read(64 * 1024)))
            _header(next(lines, []) or [])
            return
        from openpyxl import load_workbook

        try:
            book = load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:
            raise FileError(_("The XLSX file cannot be read.")) from exc
        try:
            first = next(_xlsx_sheet(book).iter_rows(values_only=True, max_row=1), None)
            _header(first or [])
        finally:
            book.close()
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        file.seek(0)
