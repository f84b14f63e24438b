"""Validate import rows and decide, per partner and per person, what a run would do.

A run reads the file in chunks (``CHUNK`` rows). ``Planner.plan(chunk)`` checks each row
against the reference data (programs, types, tiers, owners: loaded once) and the database (the
partners of the chunk's domains, the accounts and open invitations of its addresses: a constant
number of queries per chunk) and returns a ``ChunkPlan``: partners to create, partners to update
(the fields that differ), people to invite, and row errors. The dry run stops there; the real
run hands each chunk's plan to ``partners.imports.apply``.

The rules, each a row error (the row is skipped, the rest goes on):
- a required column empty; a company name over 200 characters;
- a domain that is not a domain name;
- a domain repeated in the file with other partner values (repeated rows may leave partner
  columns empty, or repeat some of them, to add people to the same partner);
- an unknown program, type, tier (of that program), country, region, status or user role; an
  owner who is not active vendor staff (by email or name; two staff of that name: ambiguous);
- a joined date that is not YYYY-MM-DD, in the future or before 1990; a joined date on an
  applicant (applicants have not joined);
- an existing partner in another program, or a status move the lifecycle refuses;
- a bad user email, an address repeated in the file, an address that already has an account
  (other than a member of this partner);
- rows of a partner whose first row has an error.
Nothing is created silently: programs, types, tiers and owners must exist.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User
from partners.choices import PARTNER_STATUS_TRANSITIONS, MemberRole, PartnerStatus, Region
from partners.imports.columns import PARTNER_KEYS
from partners.imports.parse import Row
from partners.models import Partner, PartnerInvitation, PartnerType, Program, Tier
from partners.services import normalize_domain

CHUNK = 1000
EARLIEST = datetime.date(1990, 1, 1)
_validate_domain = DomainNameValidator(accept_idna=False)


@dataclass
class NewPartner:
    row: int
    fields: dict  # name, domain, program, partner_type, tier, country, region, owner, status
    joined_on: datetime.date | None


@dataclass
class PartnerUpdate:
    row: int
    partner: Partner
    changes: dict  # field → new value (model values: objects for foreign keys)


@dataclass
class NewInvitation:
    row: int
    domain: str
    email: str
    full_name: str
    role: str


@dataclass
class ChunkPlan:
    rows: int = 0
    creates: list[NewPartner] = field(default_factory=list)
    updates: list[PartnerUpdate] = field(default_factory=list)
    unchanged: int = 0
    invitations: list[NewInvitation] = field(default_factory=list)
    users_unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "column", "message"}
    error_rows: int = 0


@dataclass
class _Seen:
    row: int
    signature: dict | None  # the partner values of the domain's first row (None: people only)
    ok: bool


@dataclass
class _Clean:
    row: Row
    domain: str
    partner: dict | None  # cleaned partner values; None when the row names people only
    signature: dict | None  # the partner columns the row fills, normalized for comparison
    user: tuple | None  # (email, full_name, role)
    errors: list = field(default_factory=list)
    partner_errors: list = field(default_factory=list)  # only for the domain's first row


class Reference:
    """Programs, types, tiers and vendor staff by the names and slugs a file may use."""

    def __init__(self):
        self.programs = {}
        for program in Program.objects.all():
            self.programs[program.slug.lower()] = program
            self.programs[program.name.strip().lower()] = program
        self.types = {}
        for kind in PartnerType.objects.all():
            self.types[kind.slug.lower()] = kind
            self.types[kind.name.strip().lower()] = kind
        self.tiers, self.entry_tier = {}, {}
        for tier in Tier.objects.order_by("program_id", "rank"):
            self.tiers[(tier.program_id, tier.name.strip().lower())] = tier
            self.entry_tier.setdefault(tier.program_id, tier)
        self.owners, self.owner_names = {}, {}
        staff = User.objects.filter(is_active=True).filter(
            Q(vendor_role__in=["channel_manager", "admin"]) | Q(is_superuser=True)
        )
        for user in staff:
            self.owners[user.email.lower()] = user
            if user.full_name.strip():
                self.owner_names.setdefault(" ".join(user.full_name.lower().split()), []).append(
                    user
                )
        self.regions = {}
        for value, label in Region.choices:
            self.regions[value] = value
            self.regions[str(label).lower()] = value
        self.roles = {"admin": MemberRole.ADMIN, "user": MemberRole.USER, "": MemberRole.USER}
        self.roles.update({str(label).lower(): value for value, label in MemberRole.choices})
        self.statuses = {}
        for value, label in PartnerStatus.choices:
            self.statuses[value] = value
            self.statuses[str(label).lower()] = value


def _date(value, errors) -> datetime.date | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip()[:10])
            if len(str(value).strip()) != 10:
                raise ValueError
        except ValueError:
            errors.append(("joined_date", _("Write the date as YYYY-MM-DD, e.g. 2024-03-01.")))
            return None
    if day > timezone.localdate():
        errors.append(("joined_date", _("The joined date is in the future.")))
        return None
    if day < EARLIEST:
        errors.append(("joined_date", _("The joined date is before 1990.")))
        return None
    return day


class Planner:
    """Plans a file chunk by chunk; keeps, across chunks, what the file said per domain and
    which addresses it named (a few strings per partner: bounded by the row limit)."""

    def __init__(self, *, reference: Reference | None = None):
        self.ref = reference or Reference()
        self.seen: dict[str, _Seen] = {}
        self.emails: dict[str, int] = {}  # address → first row naming it
        self.planned_new: set[str] = set()  # domains this run creates (dry run: would create)

    # --- one row, no database -----------------------------------------------------------------
    def _clean(self, row: Row) -> _Clean:
        values, errors = row.values, []
        domain_text = values.get("domain", "")
        domain = normalize_domain(domain_text) if isinstance(domain_text, str) else ""
        if not domain:
            errors.append(("domain", _("The domain is required.")))
        else:
            try:
                _validate_domain(domain)
            except ValidationError:
                errors.append(
                    ("domain", _("“%(value)s” is not a domain name.") % {"value": domain_text})
                )
        partner = signature = None
        partner_errors = []
        given = {
            key: " ".join(str(values[key]).lower().split())
            for key in PARTNER_KEYS
            if key != "domain" and values.get(key, "") != ""
        }
        if given:
            # Checked as a partner only if it is the domain's first row (``_decide``): a later
            # row of the domain may repeat some partner values (they must match) and omit others.
            partner = self._clean_partner(values, partner_errors)
            signature = given
        user = self._clean_user(values, errors)
        if partner is None and user is None and not errors:
            errors.append(("company", _("The row names neither a partner nor a person.")))
        return _Clean(row, domain, partner, signature, user, errors, partner_errors)

    def _clean_partner(self, values, errors) -> dict:
        ref = self.ref
        out = {}
        for key in ("company", "program", "type", "country", "region", "status"):
            if values.get(key, "") == "":
                errors.append((key, _("This column is required.")))
        name = " ".join(str(values.get("company", "")).split())
        if len(name) > 200:
            errors.append(("company", _("The company name is longer than 200 characters.")))
        out["name"] = name
        program = ref.programs.get(str(values.get("program", "")).strip().lower())
        if values.get("program") and program is None:
            errors.append(("program", _("No program “%(value)s”.") % {"value": values["program"]}))
        out["program"] = program
        kind = ref.types.get(str(values.get("type", "")).strip().lower())
        if values.get("type") and kind is None:
            errors.append(("type", _("No partner type “%(value)s”.") % {"value": values["type"]}))
        out["partner_type"] = kind
        tier_name = str(values.get("tier", "")).strip().lower()
        out["tier"] = None
        if tier_name and program is not None:
            out["tier"] = ref.tiers.get((program.pk, tier_name))
            if out["tier"] is None:
                errors.append(
                    ("tier", _("No tier “%(value)s” in %(program)s.")
                     % {"value": values["tier"], "program": program.name})
                )  # fmt: skip
        country = str(values.get("country", "")).strip().upper()
        if country and country not in countries:
            errors.append(("country", _("“%(value)s” is not a country code.") % {"value": country}))
        out["country"] = country
        region = ref.regions.get(str(values.get("region", "")).strip().lower())
        if values.get("region") and region is None:
            errors.append(("region", _("No region “%(value)s”.") % {"value": values["region"]}))
        out["region"] = region
        status = ref.statuses.get(str(values.get("status", "")).strip().lower())
        if values.get("status") and status is None:
            errors.append(("status", _("No status “%(value)s”.") % {"value": values["status"]}))
        out["status"] = status
        out["owner"] = None
        owner_text = " ".join(str(values.get("owner", "")).lower().split())
        if owner_text:
            owner = ref.owners.get(owner_text)
            if owner is None:
                named = ref.owner_names.get(owner_text, [])
                if len(named) > 1:
                    message = _(
                        "More than one staff member is called “%(value)s”: use the email address."
                    )
                    errors.append(("owner", message % {"value": values["owner"]}))
                owner = named[0] if len(named) == 1 else None
            if owner is None and not any(e[0] == "owner" for e in errors):
                errors.append(
                    ("owner", _("No active vendor staff member “%(value)s”.")
                     % {"value": values["owner"]})
                )  # fmt: skip
            out["owner"] = owner
        out["joined_on"] = _date(values.get("joined_date", ""), errors)
        if status == PartnerStatus.APPLICANT and out["joined_on"] is not None:
            errors.append(("joined_date", _("An applicant has not joined: leave the date empty.")))
        return out

    def _clean_user(self, values, errors) -> tuple | None:
        email = str(values.get("user_email", "")).strip().lower()
        name = " ".join(str(values.get("user_name", "")).split())
        role_text = str(values.get("user_role", "")).strip().lower()
        if not email:
            if name or role_text:
                errors.append(("user_email", _("A person needs an email address.")))
            return None
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                ("user_email", _("“%(value)s” is not an email address.") % {"value": email})
            )
        if len(name) > 150:
            errors.append(("user_name", _("The name is longer than 150 characters.")))
        role = self.ref.roles.get(role_text)
        if role is None:
            errors.append(("user_role", _("The role is admin or user.")))
        return (User.objects.normalize_email(email).lower(), name, role)

    # --- a chunk, against the database ----------------------------------------------------------
    def plan(self, rows: list[Row]) -> ChunkPlan:
        out = ChunkPlan(rows=len(rows))
        cleaned = [self._clean(row) for row in rows]
        domains = {c.domain for c in cleaned if c.domain}
        # ``exclude(domain="")`` lets the partial unique index on the domain serve the lookup
        existing = {
            p.domain: p
            for p in Partner.objects.filter(domain__in=domains).exclude(domain="").order_by()
        }
        emails = {c.user[0] for c in cleaned if c.user}
        accounts = {
            u.email.lower(): u
            for u in User.objects.filter(email__in=emails).select_related("membership")
        }
        # By partner only (a few open invitations each): ``email IN … AND partner IN …`` probes
        # the (partner, email) index for every pair (1,000 x 1,300 probes: ~1 s per chunk).
        open_invites = {
            (partner_id, email)
            for partner_id, email in PartnerInvitation.objects.filter(
                partner_id__in=[p.pk for p in existing.values()],
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by()
            .values_list("partner_id", "email")
            if email in emails
        }
        for clean in cleaned:
            self._decide(clean, existing, accounts, open_invites, out)
        return out

    def _error(self, out: ChunkPlan, clean: _Clean, errors) -> None:
        out.error_rows += 1
        for column, message in errors:
            out.errors.append({"row": clean.row.number, "column": column, "message": str(message)})

    def _decide(self, clean, existing, accounts, open_invites, out) -> None:
        errors = list(clean.errors)
        seen = self.seen.get(clean.domain) if clean.domain else None
        partner = existing.get(clean.domain)
        if seen is not None:
            if not seen.ok:
                errors.append(("domain", _("Skipped: the partner's first row (%(row)s) has errors.")
                               % {"row": seen.row}))  # fmt: skip
            elif clean.signature and any(
                (seen.signature or {}).get(key) != value for key, value in clean.signature.items()
            ):
                errors.append(("domain", _("Duplicate domain: row %(row)s has this domain with "
                                           "other partner values.") % {"row": seen.row}))  # fmt: skip
        else:
            errors.extend(clean.partner_errors)
        if (
            seen is None
            and clean.partner is None
            and partner is None
            and clean.domain
            and not errors
        ):
            errors.append(
                ("domain", _("No partner has this domain: fill in the partner's columns."))
            )
        update = None
        if seen is None and clean.partner is not None and partner is not None and not errors:
            update = self._compare(partner, clean.partner, errors)
        invite = None
        if clean.user is not None and not errors:
            email, name, role = clean.user
            first = self.emails.get(email)
            account = accounts.get(email)
            if first is not None:
                errors.append(("user_email", _("Duplicate address: row %(row)s names it already.")
                               % {"row": first}))  # fmt: skip
            elif account is not None:
                membership = getattr(account, "membership", None)
                if partner is None or membership is None or membership.partner_id != partner.pk:
                    errors.append(("user_email", _("%(email)s already has an account.")
                                   % {"email": email}))  # fmt: skip
            elif partner is None or (partner.pk, email) not in open_invites:
                if seen is None and partner is None and _role_left_empty(clean.row):
                    # the first person of a new partner, with no role given, is its admin: a
                    # partner needs one (accepting the agreement, the team, funds)
                    role = MemberRole.ADMIN
                invite = NewInvitation(clean.row.number, clean.domain, email, name, role)
        if errors:
            if seen is None and clean.domain:
                self.seen[clean.domain] = _Seen(clean.row.number, clean.signature, ok=False)
            self._error(out, clean, errors)
            return
        if clean.user is not None:
            self.emails[clean.user[0]] = clean.row.number
            if invite is not None:
                out.invitations.append(invite)
            else:
                out.users_unchanged += 1
        if seen is not None:
            return
        self.seen[clean.domain] = _Seen(clean.row.number, clean.signature, ok=True)
        if clean.partner is None:
            return  # people for an existing partner
        if partner is None:
            fields = {k: v for k, v in clean.partner.items() if k != "joined_on"}
            fields["domain"] = clean.domain
            # no tier given: the program's entry tier, as ``partner_create`` does
            fields["tier"] = fields["tier"] or self.ref.entry_tier.get(fields["program"].pk)
            out.creates.append(NewPartner(clean.row.number, fields, clean.partner["joined_on"]))
            self.planned_new.add(clean.domain)
        elif update:
            out.updates.append(PartnerUpdate(clean.row.number, partner, update))
        else:
            out.unchanged += 1

    def _compare(self, partner: Partner, values: dict, errors) -> dict:
        """The fields the row changes on an existing partner; empty tier/owner keep theirs; a
        joined date never moves an existing partner's join moment (the cohorts' anchor)."""
        if values["program"] is not None and values["program"].pk != partner.program_id:
            errors.append(("program", _("This partner is in %(program)s: an import does not move "
                                        "a partner to another program.")
                           % {"program": partner.program}))  # fmt: skip
            return {}
        changes = {}
        if values["name"] != partner.name:
            changes["name"] = values["name"]
        if values["partner_type"].pk != partner.partner_type_id:
            changes["partner_type"] = values["partner_type"]
        if values["country"] != partner.country.code:
            changes["country"] = values["country"]
        if values["region"] != partner.region:
            changes["region"] = values["region"]
        if values["tier"] is not None and values["tier"].pk != partner.tier_id:
            changes["tier"] = values["tier"]
        if values["owner"] is not None and values["owner"].pk != partner.owner_id:
            changes["owner"] = values["owner"]
        status = values["status"]
        if status != partner.status:
            if status not in PARTNER_STATUS_TRANSITIONS.get(partner.status, set()):
                errors.append(
                    ("status", _("A partner cannot go from %(old)s to %(new)s.")
                     % {"old": partner.get_status_display(), "new": PartnerStatus(status).label})
                )  # fmt: skip
                return {}
            changes["status"] = status
        return changes


def _role_left_empty(row: Row) -> bool:
    return not str(row.values.get("user_role", "") or "").strip()
