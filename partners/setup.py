"""Program setup: the reads and writes of the setup pages for programs, partner types and offerings.

Writes are vendor admins' (the views check; every function takes the ``actor``): keyword-only,
atomic, each refuses bad input with a ValidationError keyed by field (``None`` for the whole
form) and leaves its audit line through ``kernel.setup_log`` (who, what, each field before and
after) inside the same transaction.

Deleting is refused while anything still points at the object. The references are found from
the model registry (every foreign key and many-to-many field of any installed app that names the
model), so partners imports no feature app and a new app's references count without a change
here. Many-to-many audiences count too: deleting a program a course is narrowed to would widen
the course to every program.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from partners.models import Offering, Partner, PartnerType, Program, Tier

PROGRAM_FIELDS = ("name", "slug", "description", "is_active", "default_language")
PARTNER_TYPE_FIELDS = ("name", "slug", "description")
OFFERING_FIELDS = ("name", "slug", "kind", "description", "launched_on", "is_active",
                   "programs", "partner_types")  # fmt: skip
REFERENCE_NAMES = 10  # names listed per kind of reference; the rest are counted


# --- Reads ---------------------------------------------------------------------------------------


def _count_of(model, field: str):
    """A correlated ``COUNT(*)`` of ``model`` rows whose ``field`` is the outer row (no join
    fan-out when a list shows several counts)."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def setup_program_list():
    """Every program with its number of tiers and partners: one query."""
    return Program.objects.annotate(
        tier_count=_count_of(Tier, "program"), partner_count=_count_of(Partner, "program")
    ).order_by("-is_active", "name")


def setup_partner_type_list():
    """Every partner type with its number of partners: one query."""
    return PartnerType.objects.annotate(partner_count=_count_of(Partner, "partner_type")).order_by(
        "name"
    )


def setup_offering_list():
    """Every offering with its audience (two prefetch queries)."""
    return Offering.objects.prefetch_related("programs", "partner_types").order_by(
        "-is_active", "name"
    )


@dataclass(frozen=True)
class Reference:
    """What points at an object: ``count`` rows of one model, the first few by name."""

    label: str
    count: int
    names: list[str]

    @property
    def more(self) -> int:
        return max(self.count - len(self.names), 0)


def _relations_to(model) -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key and many-to-many field that names ``model``."""
    found = []
    for other in apps.get_models():
        for field in other._meta.get_fields():
            if field.auto_created or not field.is_relation or not field.concrete:
                continue
            if (field.many_to_one or field.many_to_many) and field.related_model is model:
                found.append((other, field.name))
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1]))


def references(obj) -> list[Reference]:
    """Everything that points at ``obj`` (see the module doc), by kind: at most two queries per
    relation that names the model, whatever the data size."""
    found = []
    for model, field in _relations_to(type(obj)):
        rows = model._default_manager.filter(**{field: obj})
        count = rows.count()
        if count:
            first = rows.select_related()[:REFERENCE_NAMES]
            found.append(
                Reference(str(model._meta.verbose_name_plural), count, [str(r) for r in first])
            )
    return found


def _refuse_delete_if_referenced(obj, what: str) -> None:
    refs = references(obj)
    if refs:
        listed = "; ".join(
            f"{r.label}: {', '.join(r.names)}"
            + (_(" and %(n)d more") % {"n": r.more} if r.more else "")
            for r in refs
        )
        raise ValidationError(
            _("%(what)s is still in use, so it cannot be deleted. In use by: %(refs)s.")
            % {"what": what, "refs": listed}
        )


# --- Helpers -------------------------------------------------------------------------------------


def _assign(obj, data: dict, fields) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _full_clean(obj) -> None:
    """Model validation (field rules, unique names and slugs) before any write; the messages keep
    their field, so the form shows them where they belong."""
    obj.full_clean()


# --- Programs ------------------------------------------------------------------------------------


@transaction.atomic
def program_create(*, actor, data: dict) -> Program:
    program = Program(is_active=True)
    _assign(program, data, PROGRAM_FIELDS)
    _full_clean(program)
    program.save()
    log_setup_change(
        actor=actor, obj=program, action=ADDED, after=snapshot(program, PROGRAM_FIELDS),
        summary=_("Program added"),
    )  # fmt: skip
    return program


def _refuse_last_active(program: Program) -> None:
    """New partners' applications are approved into an active program: one must stay active."""
    if not Program.objects.filter(is_active=True).exclude(pk=program.pk).exists():
        raise ValidationError(
            {
                "is_active": _(
                    "This is the only active program: applications are approved into an active "
                    "program, so keep one active."
                )
            }
        )


@transaction.atomic
def program_update(*, actor, program: Program, data: dict) -> Program:
    program = Program.objects.select_for_update().get(pk=program.pk)
    before = snapshot(program, PROGRAM_FIELDS)
    _assign(program, data, PROGRAM_FIELDS)
    if before["is_active"] and not program.is_active:
        _refuse_last_active(program)
    _full_clean(program)
    program.save()
    log_setup_change(
        actor=actor, obj=program, action=CHANGED, before=before,
        after=snapshot(program, PROGRAM_FIELDS), summary=_("Program edited"),
    )  # fmt: skip
    return program


@transaction.atomic
def program_set_active(*, actor, program: Program, active: bool) -> Program:
    """Archive (``active=False``) or bring back a program. An archived program takes no new
    partners; its partners, tiers and history stay."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.is_active == active:
        return program
    if not active:
        _refuse_last_active(program)
    before = snapshot(program, PROGRAM_FIELDS)
    program.is_active = active
    program.save(update_fields=["is_active"])
    log_setup_change(
        actor=actor, obj=program, action=CHANGED, before=before,
        after=snapshot(program, PROGRAM_FIELDS),
        summary=_("Program archived") if not active else _("Program brought back"),
    )  # fmt: skip
    return program


@transaction.atomic
def program_delete(*, actor, program: Program) -> None:
    """Delete a program nothing uses (no partner, tier, checklist, policy, rule or audience)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    _refuse_delete_if_referenced(program, _("The program %(name)s") % {"name": program.name})
    log_setup_change(
        actor=actor, obj=program, action=DELETED, before=snapshot(program, PROGRAM_FIELDS),
        summary=_("Program deleted"),
    )  # fmt: skip
    program.delete()


# --- Partner types -------------------------------------------------------------------------------


@transaction.atomic
def partner_type_create(*, actor, data: dict) -> PartnerType:
    partner_type = PartnerType()
    _assign(partner_type, data, PARTNER_TYPE_FIELDS)
    _full_clean(partner_type)
    partner_type.save()
    log_setup_change(
        actor=actor, obj=partner_type, action=ADDED,
        after=snapshot(partner_type, PARTNER_TYPE_FIELDS), summary=_("Partner type added"),
    )  # fmt: skip
    return partner_type


@transaction.atomic
def partner_type_update(*, actor, partner_type: PartnerType, data: dict) -> PartnerType:
    partner_type = PartnerType.objects.select_for_update().get(pk=partner_type.pk)
    before = snapshot(partner_type, PARTNER_TYPE_FIELDS)
    _assign(partner_type, data, PARTNER_TYPE_FIELDS)
    _full_clean(partner_type)
    partner_type.save()
    log_setup_change(
        actor=actor, obj=partner_type, action=CHANGED, before=before,
        after=snapshot(partner_type, PARTNER_TYPE_FIELDS), summary=_("Partner type edited"),
    )  # fmt: skip
    return partner_type


@transaction.atomic
def partner_type_delete(*, actor, partner_type: PartnerType) -> None:
    """Delete a partner type nothing uses (no partner, application, checklist or audience)."""
    partner_type = PartnerType.objects.select_for_update().get(pk=partner_type.pk)
    _refuse_delete_if_referenced(
        partner_type, _("The partner type %(name)s") % {"name": partner_type.name}
    )
    log_setup_change(
        actor=actor, obj=partner_type, action=DELETED,
        before=snapshot(partner_type, PARTNER_TYPE_FIELDS), summary=_("Partner type deleted"),
    )  # fmt: skip
    partner_type.delete()


# --- Offerings -----------------------------------------------------------------------------------


EARLIEST_LAUNCH = datetime.date(1990, 1, 1)
LATEST_LAUNCH_YEARS = 5  # a launch may be planned up to this many years ahead


def latest_launch() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year + LATEST_LAUNCH_YEARS, day=min(today.day, 28))


def _save_offering(offering: Offering, data: dict) -> None:
    launched = offering.launched_on
    if launched is not None and not EARLIEST_LAUNCH <= launched <= latest_launch():
        raise ValidationError(
            {
                "launched_on": _("Give a launch date between %(first)s and %(last)s.")
                % {"first": EARLIEST_LAUNCH.isoformat(), "last": latest_launch().isoformat()}
            }
        )
    _full_clean(offering)
    offering.save()
    for name in ("programs", "partner_types"):
        if name in data:
            getattr(offering, name).set(data[name])


@transaction.atomic
def offering_create(*, actor, data: dict) -> Offering:
    """A new offering; an empty audience means every program (every partner type)."""
    offering = Offering(is_active=True)
    _assign(offering, {k: v for k, v in data.items() if k not in ("programs", "partner_types")},
            OFFERING_FIELDS)  # fmt: skip
    _save_offering(offering, data)
    log_setup_change(
        actor=actor, obj=offering, action=ADDED, after=snapshot(offering, OFFERING_FIELDS),
        summary=_("Offering added"),
    )  # fmt: skip
    return offering


@transaction.atomic
def offering_update(*, actor, offering: Offering, data: dict) -> Offering:
    """Change an offering. Its slug stays: events and adoption history name the offering by its
    slug (``properties.offering(s)``), so a new slug would cut it off from its past."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    before = snapshot(offering, OFFERING_FIELDS)
    if "slug" in data and data["slug"] != offering.slug:
        raise ValidationError(
            {"slug": _("The slug cannot change: events and adoption history use it.")}
        )
    fields = [f for f in OFFERING_FIELDS if f not in ("slug", "programs", "partner_types")]
    _assign(offering, data, fields)
    _save_offering(offering, data)
    log_setup_change(
        actor=actor, obj=offering, action=CHANGED, before=before,
        after=snapshot(offering, OFFERING_FIELDS), summary=_("Offering edited"),
    )  # fmt: skip
    return offering


@transaction.atomic
def offering_set_active(*, actor, offering: Offering, active: bool) -> Offering:
    """Archive (``active=False``) or bring back an offering. An archived offering leaves the deal
    forms and the adoption figures; its history stays."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    if offering.is_active == active:
        return offering
    before = snapshot(offering, OFFERING_FIELDS)
    offering.is_active = active
    offering.save(update_fields=["is_active"])
    log_setup_change(
        actor=actor, obj=offering, action=CHANGED, before=before,
        after=snapshot(offering, OFFERING_FIELDS),
        summary=_("Offering archived") if not active else _("Offering brought back"),
    )  # fmt: skip
    return offering
