"""Writes of the registration-policy setup page: how long an approved registration is protected,
per program and (optionally) tier. Vendor admins only (the views check the role; every function
takes the ``actor`` for the audit trail).

Each function is one change: keyword-only, atomic, it refuses bad input with a ValidationError
keyed by field and writes the change with its before/after values through ``kernel.setup_log``.
A changed policy applies to registrations approved from now on (``deals.services.deal_approve``
reads it); its warning period also to the warnings of registrations already protected.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deals.models import RegistrationPolicy
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot

POLICY_FIELDS = ("program", "tier", "protection_days", "warning_days")
MIN_PROTECTION, MAX_PROTECTION = 1, 730
MIN_WARNING, MAX_WARNING = 1, 90


def _check(*, program, tier, protection_days, warning_days, pk=None) -> None:
    errors: dict[str, str] = {}
    if program is None:
        errors["program"] = _("Choose the program.")
    if tier is not None and program is not None and tier.program_id != program.pk:
        errors["tier"] = _("The tier %(tier)s belongs to another program.") % {"tier": tier.name}
    if not isinstance(protection_days, int) or not (
        MIN_PROTECTION <= protection_days <= MAX_PROTECTION
    ):
        errors["protection_days"] = _("Protect a registration for 1 to 730 days.")
    if not isinstance(warning_days, int) or not (MIN_WARNING <= warning_days <= MAX_WARNING):
        errors["warning_days"] = _("Warn 1 to 90 days before protection ends.")
    elif "protection_days" not in errors and warning_days >= protection_days:
        errors["warning_days"] = _(
            "Warn fewer days ahead than protection lasts (%(days)s days)."
        ) % {"days": protection_days}
    if not errors:
        clash = RegistrationPolicy.objects.filter(program=program, tier=tier).exclude(pk=pk)
        if clash.exists():
            if tier is None:
                errors["tier"] = _("%(program)s already has a policy for all its tiers.") % {
                    "program": program.name
                }
            else:
                errors["tier"] = _("%(program)s already has a policy for the tier %(tier)s.") % {
                    "program": program.name,
                    "tier": tier.name,
                }
    if errors:
        raise ValidationError(errors)


def _save(policy: RegistrationPolicy) -> None:
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:  # the same (program, tier) saved a moment ago
        raise ValidationError({"tier": _("This program and tier already have a policy.")}) from exc


@transaction.atomic
def registration_policy_create(
    *, actor, program, tier, protection_days: int, warning_days: int
) -> RegistrationPolicy:
    """A policy for ``program`` (``tier`` None: its default for every tier without one)."""
    _check(program=program, tier=tier, protection_days=protection_days, warning_days=warning_days)
    policy = RegistrationPolicy(
        program=program, tier=tier, protection_days=protection_days, warning_days=warning_days
    )
    _save(policy)
    log_setup_change(
        actor=actor, obj=policy, action=ADDED, after=snapshot(policy, POLICY_FIELDS),
        summary=_("Registration policy added"),
    )  # fmt: skip
    return policy


@transaction.atomic
def registration_policy_update(
    *, actor, policy: RegistrationPolicy, program, tier, protection_days: int, warning_days: int
) -> RegistrationPolicy:
    """Change a policy. Registrations approved before keep their protection end."""
    policy = RegistrationPolicy.objects.select_for_update().get(pk=policy.pk)
    _check(
        program=program, tier=tier, protection_days=protection_days, warning_days=warning_days,
        pk=policy.pk,
    )  # fmt: skip
    before = snapshot(policy, POLICY_FIELDS)
    policy.program, policy.tier = program, tier
    policy.protection_days, policy.warning_days = protection_days, warning_days
    _save(policy)
    log_setup_change(
        actor=actor, obj=policy, action=CHANGED, before=before,
        after=snapshot(policy, POLICY_FIELDS), summary=_("Registration policy edited"),
    )  # fmt: skip
    return policy


@transaction.atomic
def registration_policy_delete(*, actor, policy: RegistrationPolicy) -> None:
    """Remove a policy: its partners fall back to the program's default policy, else 90 days.
    Nothing references a policy (an approved registration keeps its own protection end)."""
    policy = RegistrationPolicy.objects.select_for_update().get(pk=policy.pk)
    log_setup_change(
        actor=actor, obj=policy, action=DELETED, before=snapshot(policy, POLICY_FIELDS),
        summary=_("Registration policy deleted"),
    )  # fmt: skip
    policy.delete()
