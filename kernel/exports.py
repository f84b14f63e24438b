"""Spreadsheet-safe exports. A cell that starts with = + - @ (or a tab/CR) runs as a formula when
a spreadsheet opens the CSV; a leading quote makes it text (OWASP CSV injection). Every CSV and
XLSX export writes its cells through ``safe_cell``."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
