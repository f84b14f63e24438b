"""Writes of metrics' own setup: the adoption rules of an offering (how a partner counts as having
adopted it). Vendor admins only (the views check; every function takes the ``actor``).

Keyword-only, atomic, refusing bad input with a ValidationError keyed by field, audited through
``kernel.setup_log`` in the same transaction. Recomputation needs no extra step: the adoption
spans of an offering carry the fingerprint of the rules they were computed with
(``OfferingSpanRules``); a changed rule set changes the fingerprint, so the readers stop trusting
the stored spans at once (they compute from ``PartnerDayOffering``) and the next
``scores_refresh`` rebuilds that offering's spans for every partner (``metrics.summaries``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from events.choices import PAYLOADS, EventKind
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from metrics.models import OfferingAdoptionRule
from partners.models import Offering

RULE_FIELDS = ("description", "kinds", "window_days", "min_events")
MAX_WINDOW_DAYS = 3650
MAX_MIN_EVENTS = 10_000


def offering_event_kinds() -> list[tuple[str, str]]:
    """The kinds of the registry whose events name offerings (``offering`` or ``offerings`` in
    their payload): only those can count towards an offering's adoption."""
    return [
        (kind.value, kind.label)
        for kind in EventKind
        if {"offering", "offerings"} & set(PAYLOADS.get(kind.value, {}))
    ]


def _clean(data: dict, *, keep: tuple[str, ...] = ()) -> dict:
    """Check a rule's fields; ``keep`` are kinds the rule already had (kept even when the
    registry no longer offers them, so editing the wording does not drop them)."""
    allowed = {value for value, _label in offering_event_kinds()} | set(keep)
    kinds = list(dict.fromkeys(data.get("kinds") or []))
    errors = {}
    if not (data.get("description") or "").strip():
        errors["description"] = _("Say in a few words what the rule counts.")
    if not kinds:
        errors["kinds"] = _("Pick at least one kind of event.")
    elif unknown := [k for k in kinds if k not in allowed]:
        errors["kinds"] = _("These kinds do not name offerings: %(kinds)s.") % {
            "kinds": ", ".join(unknown)
        }
    window = data.get("window_days")
    if window is not None and not 1 <= window <= MAX_WINDOW_DAYS:
        errors["window_days"] = _(
            "Give between 1 and %(max)d days, or leave it empty for ever."
        ) % {"max": MAX_WINDOW_DAYS}
    minimum = data.get("min_events")
    if minimum is None or not 1 <= minimum <= MAX_MIN_EVENTS:
        errors["min_events"] = _("Give between 1 and %(max)d events.") % {"max": MAX_MIN_EVENTS}
    if errors:
        raise ValidationError(errors)
    return {
        "description": data["description"].strip(),
        "kinds": kinds,
        "window_days": window,
        "min_events": minimum,
    }


@transaction.atomic
def adoption_rule_create(*, actor, offering: Offering, data: dict) -> OfferingAdoptionRule:
    """A new rule. The offering's first rule replaces the default rules for it."""
    values = _clean(data)
    rule = OfferingAdoptionRule(offering=offering, **values)
    rule.full_clean()
    rule.save()
    log_setup_change(
        actor=actor, obj=rule, action=ADDED, after=snapshot(rule, RULE_FIELDS),
        summary=_("Adoption rule of %(offering)s added") % {"offering": offering.name},
    )  # fmt: skip
    return rule


@transaction.atomic
def adoption_rule_update(*, actor, rule: OfferingAdoptionRule, data: dict) -> OfferingAdoptionRule:
    rule = (
        OfferingAdoptionRule.objects.select_for_update().select_related("offering").get(pk=rule.pk)
    )
    before = snapshot(rule, RULE_FIELDS)
    values = _clean(data, keep=tuple(rule.kinds or ()))
    for name, value in values.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    log_setup_change(
        actor=actor, obj=rule, action=CHANGED, before=before, after=snapshot(rule, RULE_FIELDS),
        summary=_("Adoption rule of %(offering)s edited") % {"offering": rule.offering.name},
    )  # fmt: skip
    return rule


@transaction.atomic
def adoption_rule_delete(*, actor, rule: OfferingAdoptionRule) -> None:
    """Remove a rule. When it was the offering's last, the default rules apply again."""
    rule = (
        OfferingAdoptionRule.objects.select_for_update().select_related("offering").get(pk=rule.pk)
    )
    log_setup_change(
        actor=actor, obj=rule, action=DELETED, before=snapshot(rule, RULE_FIELDS),
        summary=_("Adoption rule of %(offering)s removed") % {"offering": rule.offering.name},
    )  # fmt: skip
    rule.delete()
