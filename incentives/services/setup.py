"""Writes of incentives' setup pages: award rules and MDF allocations. Vendor admins only (the
views check the role; every function takes the ``actor`` for the audit trail).

Each function is one change: keyword-only, atomic, it refuses bad input with a ValidationError
keyed by field and writes the change with its before/after values through ``kernel.setup_log``.
A new or changed award rule applies to events from now on (``manage.py incentives_backfill``
evaluates history again).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.choices import EventKind
from incentives.choices import AWARD_EVENT_KINDS, AwardScope
from incentives.models import AwardRule, MdfAllocation, MdfRequest
from incentives.services.mdf import ALLOCATION_LOG, MAX_AMOUNT
from kernel.money import format_money
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot

RULE_FIELDS = ("name", "event_kind", "points", "badge", "scope", "first_only", "cap", "program",
               "is_active")  # fmt: skip
MAX_POINTS = 100_000  # points for one event; a typo of three extra zeros is refused
MAX_CAP = 10_000  # awards per partner or user


def award_event_kinds() -> list[tuple[str, str]]:
    """The event kinds a rule may listen to: every kind in the registry but the ones awards
    record themselves (a rule on them would feed itself)."""
    return [(k, label) for k, label in EventKind.choices if k not in AWARD_EVENT_KINDS]


# --- Award rules --------------------------------------------------------------------------------


def _check_rule(data: dict) -> dict:
    """The cleaned rule fields, or a ValidationError naming each bad one."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the rule a name.")
    elif len(name) > 120:
        errors["name"] = _("A name has at most 120 characters.")
    kind = data.get("event_kind") or ""
    if kind in AWARD_EVENT_KINDS:
        errors["event_kind"] = _("Awards record this event: a rule on it would feed itself.")
    elif kind not in {k for k, _label in award_event_kinds()}:
        errors["event_kind"] = _("Choose an event from the list.")
    points = data.get("points")
    if points is None:
        points = 0
    if not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        errors["points"] = _("Points are 0 to %(max)s.") % {"max": f"{MAX_POINTS:,}"}
    elif points == 0 and data.get("badge") is None:
        errors["points"] = _("A rule gives points, a badge, or both.")
    scope = data.get("scope") or AwardScope.PARTNER
    if scope not in AwardScope.values:
        errors["scope"] = _("Choose whom the limit counts against.")
    first_only, cap = bool(data.get("first_only")), data.get("cap")
    if cap is not None:
        if not isinstance(cap, int) or not 1 <= cap <= MAX_CAP:
            errors["cap"] = _("A limit is 1 to %(max)s awards.") % {"max": f"{MAX_CAP:,}"}
        elif first_only:
            errors["cap"] = _(
                "“First only” already limits the rule to one award: leave this empty."
            )
    if errors:
        raise ValidationError(errors)
    return {
        "name": name, "event_kind": kind, "points": points, "badge": data.get("badge"),
        "scope": scope, "first_only": first_only, "cap": cap, "program": data.get("program"),
    }  # fmt: skip


@transaction.atomic
def award_rule_create(*, actor, data: dict) -> AwardRule:
    """A new active rule: points and/or a badge for each event of ``data["event_kind"]``."""
    rule = AwardRule(is_active=True, **_check_rule(data))
    rule.save()
    log_setup_change(
        actor=actor, obj=rule, action=ADDED, after=snapshot(rule, RULE_FIELDS),
        summary=_("Award rule added"),
    )  # fmt: skip
    return rule


@transaction.atomic
def award_rule_update(*, actor, rule: AwardRule, data: dict) -> AwardRule:
    """Change a rule; awards already given stay as they were."""
    rule = AwardRule.objects.select_for_update().get(pk=rule.pk)
    cleaned = _check_rule(data)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in cleaned.items():
        setattr(rule, name, value)
    rule.save()
    log_setup_change(
        actor=actor, obj=rule, action=CHANGED, before=before, after=snapshot(rule, RULE_FIELDS),
        summary=_("Award rule edited"),
    )  # fmt: skip
    return rule


@transaction.atomic
def award_rule_set_active(*, actor, rule: AwardRule, active: bool) -> AwardRule:
    """Deactivate a rule (no new awards; given ones stay) or activate it again. Rules are not
    deleted: their awards are partners' history."""
    rule = AwardRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_active == active:
        return rule
    before = snapshot(rule, RULE_FIELDS)
    rule.is_active = active
    rule.save(update_fields=["is_active"])
    log_setup_change(
        actor=actor, obj=rule, action=CHANGED, before=before, after=snapshot(rule, RULE_FIELDS),
        summary=_("Award rule activated") if active else _("Award rule deactivated"),
    )  # fmt: skip
    return rule


# --- MDF allocations ----------------------------------------------------------------------------


def _money(value: Decimal, currency: str) -> str:
    return format_money(value, currency, symbol=False)


@transaction.atomic
def allocation_amount_set(*, actor, allocation: MdfAllocation, amount) -> MdfAllocation:
    """Change what a partner may request in the allocation's period. Never below what is
    already approved for activities (the funds are promised): that is refused with the amount."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError({"amount": _("Enter the amount.")})
    if amount < 0 or amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            {"amount": _("The amount is zero or more, below 10¹², with at most two decimals.")}
        )
    # The row lock orders this change with approvals (they update ``committed`` under the same
    # row); the CHECK constraint committed <= amount backs it.
    allocation = MdfAllocation.objects.select_for_update(of=("self",)).select_related(
        "partner"
    ).get(pk=allocation.pk)  # fmt: skip
    if amount < allocation.committed:
        raise ValidationError(
            {
                "amount": _(
                    "%(committed)s %(currency)s of this allocation is already approved for "
                    "activities: it cannot be lowered below that."
                )
                % {
                    "committed": _money(allocation.committed, allocation.currency),
                    "currency": allocation.currency,
                }
            }
        )
    before = snapshot(allocation, ALLOCATION_LOG)
    allocation.amount = amount
    allocation.save(update_fields=["amount"])
    log_setup_change(
        actor=actor, obj=allocation, action=CHANGED, before=before,
        after=snapshot(allocation, ALLOCATION_LOG), summary=_("MDF allocation amount changed"),
    )  # fmt: skip
    return allocation


def allocation_references(*, allocation: MdfAllocation) -> list[str]:
    """The fund requests made from an allocation (they keep it from being deleted)."""
    requests = MdfRequest.objects.filter(allocation=allocation).order_by("requested_at", "pk")
    count = requests.count()
    if not count:
        return []
    titles = [f"“{title}”" for title in requests.values_list("title", flat=True)[:5]]
    line = ngettext(
        "%(n)s fund request is made from it: %(titles)s",
        "%(n)s fund requests are made from it: %(titles)s",
        count,
    ) % {"n": count, "titles": ", ".join(titles) + (", …" if count > len(titles) else "")}
    return [line]


@transaction.atomic
def allocation_delete(*, actor, allocation: MdfAllocation) -> None:
    """Delete an allocation nobody requested funds from (one made by mistake)."""
    allocation = MdfAllocation.objects.select_for_update(of=("self",)).select_related(
        "partner"
    ).get(pk=allocation.pk)  # fmt: skip
    references = allocation_references(allocation=allocation)
    if references:
        raise ValidationError(
            _("The %(period)s allocation cannot be deleted: %(references)s.")
            % {"period": allocation.period, "references": "; ".join(references)}
        )
    log_setup_change(
        actor=actor, obj=allocation, action=DELETED, before=snapshot(allocation, ALLOCATION_LOG),
        summary=_("MDF allocation deleted"),
    )  # fmt: skip
    try:
        with transaction.atomic():
            allocation.delete()
    except ProtectedError as exc:  # a request made from it a moment ago
        raise ValidationError(
            _("A fund request was just made from this allocation: it cannot be deleted.")
        ) from exc
