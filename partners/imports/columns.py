"""The columns of a partner import file, and the template people download to fill in."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header written in the template
    help: object  # lazy text shown on the import page
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("company", "company", _("The partner's company name."), True, ("name", "company_name")),
    Column("domain", "domain", _("Web domain, e.g. example.com: finds the partner on a re-run."),
           True, ("website", "company_domain")),
    Column("program", "program", _("Program name or slug."), True, ("program_name",)),
    Column("type", "type", _("Partner type name or slug (reseller, integrator…)."), True,
           ("partner_type",)),
    Column("tier", "tier", _("Tier name in the program; empty: the entry tier (or kept)."),
           False, ("tier_name",)),
    Column("country", "country", _("Two-letter country code (DE, US…)."), True,
           ("country_code",)),
    Column("region", "region", _("na, latam, emea or apac (or the region's name)."), True),
    Column("owner", "owner", _("The owning channel manager's email or name; empty: none (or "
                               "kept)."), False, ("owner_email", "channel_manager")),
    Column("status", "status", _("applicant, onboarding, active, inactive or churned."), True),
    Column("joined_date", "joined_date", _("When it joined the program, YYYY-MM-DD (not in the "
                                          "future, not before 1990); empty: the import day."),
           False, ("joined", "joined_at", "join_date")),
    Column("user_email", "user_email", _("A person to invite to the partner's team (optional; "
                                         "repeat the domain on more rows for more people)."),
           False, ("email",)),
    Column("user_name", "user_name", _("That person's name."), False, ("full_name",)),
    Column(
        "user_role",
        "user_role",
        _("admin or user. Empty: a new partner's first person is its admin, the others users."),
        False,
        ("role",),
    ),
)  # fmt: skip
KEYS = tuple(c.key for c in COLUMNS)
REQUIRED = tuple(c.key for c in COLUMNS if c.required)
# The partner's own columns: rows repeating a domain must leave them empty or repeat them.
PARTNER_KEYS = KEYS[:10]
USER_KEYS = ("user_email", "user_name", "user_role")
_ALIASES = {alias: c.key for c in COLUMNS for alias in (c.key, *c.aliases)}

EXAMPLE_ROWS = (
    ("Acme Networks", "acme.example", "Global Partner Program", "Reseller", "", "DE", "emea",
     "", "active", "2024-03-01", "ada@acme.example", "Ada Lovelace", "admin"),
    ("Acme Networks", "acme.example", "", "", "", "", "", "", "", "", "bob@acme.example",
     "Bob Byte", "user"),
    ("Globex Systems", "globex.example", "Global Partner Program", "Integrator", "", "US", "na",
     "", "onboarding", "", "", "", ""),
)  # fmt: skip


def header_key(text) -> str:
    """A header cell as its column key (``Joined date`` → ``joined_date``), '' when unknown."""
    name = "_".join(str(text or "").strip().lower().replace("-", " ").split())
    return _ALIASES.get(name, "")


def example_rows(*, program: str = "", types: tuple[str, ...] = ()) -> list[tuple]:
    """The example rows, naming a real program and real types when there are some (so the
    template imports as it is, after the domains and addresses are changed)."""
    rows = [list(row) for row in EXAMPLE_ROWS]
    for row in rows:
        if program and row[2]:
            row[2] = program
        if types and row[3]:
            row[3] = types[0] if row[3] == "Reseller" or len(types) == 1 else types[1]
    return [tuple(row) for row in rows]


def template_csv(rows=EXAMPLE_ROWS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in COLUMNS])
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def template_xlsx(rows=EXAMPLE_ROWS) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Partners")
    sheet.append([c.label for c in COLUMNS])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
