"""Writes of the lead routing setup: routing rules and the answer time (SLA) per program. Vendor
admins only (the views check the role; every function takes the ``actor`` for the audit trail).
Each is one change, atomic, refusing bad input with a ValidationError keyed by field, and written
with its before/after values through ``kernel.setup_log``. A changed rule applies to leads routed
from now on; offers already made keep their partner and deadline."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from leads.choices import Strategy
from leads.facts import certification_names
from leads.models import MAX_OFFER_COUNT, MAX_SLA_HOURS, MIN_SLA_HOURS, LeadSla, RoutingRule
from partners.choices import Region

RULE_FIELDS = (
    "name", "program", "position", "is_active", "regions", "countries", "offerings",
    "same_region", "partner_types", "tiers", "certification_id", "max_open_leads", "min_acceptance_rate",
    "min_adoption_score", "strategy", "offer_count",
)  # fmt: skip
SCALARS = (
    "name", "program", "position", "is_active", "regions", "countries", "same_region",
    "certification_id", "max_open_leads", "min_acceptance_rate", "min_adoption_score", "strategy",
)  # fmt: skip
SLA_FIELDS = ("program", "hours")


def _check_rule(data: dict) -> dict:
    errors: dict[str, str] = {}
    name = " ".join((data.get("name") or "").split())
    if not name:
        errors["name"] = _("Name the rule.")
    if data.get("program") is None:
        errors["program"] = _("Choose the program.")
    regions = sorted(set(data.get("regions") or ()))
    if any(r not in Region.values for r in regions):
        errors["regions"] = _("Choose known regions.")
    codes = sorted(set(data.get("countries") or ()))
    if any(c not in all_countries for c in codes):
        errors["countries"] = _("Choose known countries.")
    program = data.get("program")
    if program is not None and any(t.program_id != program.pk for t in data.get("tiers") or ()):
        errors["tiers"] = _("Choose tiers of the rule's program.")
    cert = data.get("certification_id")
    if cert is not None and cert not in certification_names():
        errors["certification_id"] = _("Choose a known certification.")
    if data.get("strategy") not in Strategy.values:
        errors["strategy"] = _("Choose a strategy.")
    count = data.get("offer_count") or 1
    if not isinstance(count, int) or not 1 <= count <= MAX_OFFER_COUNT:
        errors["offer_count"] = _("Offer a lead to 1 to %(max)s partners at once.") % {
            "max": MAX_OFFER_COUNT
        }
    cap = data.get("max_open_leads")
    if cap is not None and not 1 <= cap <= 10_000:
        errors["max_open_leads"] = _("Allow 1 to 10,000 open leads, or leave it empty.")
    for key, message in (
        ("min_acceptance_rate", _("Ask an acceptance rate of 0 to 100%, or leave it empty.")),
        ("min_adoption_score", _("Ask an adoption score of 0 to 100, or leave it empty.")),
    ):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 100):
            errors[key] = message
    if errors:
        raise ValidationError(errors)
    return data | {"name": name, "regions": regions, "countries": codes}


def _apply(rule: RoutingRule, data: dict) -> None:
    for name in SCALARS:
        setattr(rule, name, data.get(name))
    rule.position = data.get("position") or 0
    # only "offer to several" offers a lead to more than one partner
    rule.offer_count = (data.get("offer_count") or 1) if rule.strategy == Strategy.FIRST_COME else 1
    rule.is_active = bool(data.get("is_active"))
    rule.same_region = bool(data.get("same_region"))
    rule.save()
    rule.offerings.set(data.get("offerings") or ())
    rule.partner_types.set(data.get("partner_types") or ())
    rule.tiers.set(data.get("tiers") or ())


@transaction.atomic
def rule_create(*, actor, **data) -> RoutingRule:
    data = _check_rule(data)
    rule = RoutingRule()
    _apply(rule, data)
    log_setup_change(
        actor=actor, obj=rule, action=ADDED, after=snapshot(rule, RULE_FIELDS),
        summary=_("Lead routing rule added"),
    )  # fmt: skip
    return rule


@transaction.atomic
def rule_update(*, actor, rule: RoutingRule, **data) -> RoutingRule:
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    data = _check_rule(data)
    before = snapshot(rule, RULE_FIELDS)
    _apply(rule, data)
    after = snapshot(rule, RULE_FIELDS)
    if after != before:
        log_setup_change(
            actor=actor, obj=rule, action=CHANGED, before=before, after=after,
            summary=_("Lead routing rule edited"),
        )  # fmt: skip
    return rule


@transaction.atomic
def rule_delete(*, actor, rule: RoutingRule) -> None:
    """Remove a rule. Offers it made keep their why (the rule's name is in it)."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    log_setup_change(
        actor=actor, obj=rule, action=DELETED, before=snapshot(rule, RULE_FIELDS),
        summary=_("Lead routing rule deleted"),
    )  # fmt: skip
    rule.delete()


@transaction.atomic
def sla_set(*, actor, program, hours: int) -> LeadSla:
    """The answer time of ``program``'s offers (from the next offer on)."""
    if program is None:
        raise ValidationError({"program": _("Choose the program.")})
    if not isinstance(hours, int) or not MIN_SLA_HOURS <= hours <= MAX_SLA_HOURS:
        raise ValidationError(
            {
                "hours": _("Give partners %(min)s to %(max)s hours.")
                % {"min": MIN_SLA_HOURS, "max": MAX_SLA_HOURS}
            }
        )
    sla = LeadSla.objects.select_for_update().filter(program=program).first()
    if sla is None:
        sla = LeadSla.objects.create(program=program, hours=hours)
        log_setup_change(
            actor=actor, obj=sla, action=ADDED, after=snapshot(sla, SLA_FIELDS),
            summary=_("Lead answer time set"),
        )  # fmt: skip
        return sla
    before = snapshot(sla, SLA_FIELDS)
    sla.hours = hours
    sla.save(update_fields=["hours"])
    if snapshot(sla, SLA_FIELDS) != before:
        log_setup_change(
            actor=actor, obj=sla, action=CHANGED, before=before, after=snapshot(sla, SLA_FIELDS),
            summary=_("Lead answer time changed"),
        )  # fmt: skip
    return sla
