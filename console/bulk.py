"""Bulk actions of the partner list (issue 18, item 6): reassign owner, set tier, change status,
email the partners' admins, export. A composition of the single-partner paths, never a copy:

- who may act on which partner is ``partners.permissions`` (``can_reassign_owner``,
  ``can_override_tier``, ``can_change_status``, ``can_email_partner_admins``), asked per partner;
- the change itself is the single-partner service (``partners.services.partner_assign_owner``,
  ``partner_set_status``, ``tiers.overrides.tier_override``), one transaction per partner, so
  each records its own event (and audit writes its own entry from it): nothing is recorded twice
  here;
- emails go through ``kernel.outbox``.

A partner the actor may not act on, or that the action would not change, is skipped and the
result says why. The action itself (who, what, which partners, each one's value before and after)
is written once to the setup log (``kernel.setup_log``), which /manage/audit/ shows.

Selections are ids, validated against what the actor may see (``partners.selectors``); at most
``MAX_SELECTION``. This module has the selection, the plan, who is skipped and the preview;
``console.bulk_run`` records and runs an action (in the request, or as a Celery task whose
progress the result page polls).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from console.choices import BulkKind
from console.models import BulkAction
from kernel.query import parse_id
from partners import selectors as partner_selectors
from partners.choices import PARTNER_STATUS_TRANSITIONS, PartnerStatus
from partners.models import Partner, Tier
from partners.permissions import (
    can_change_status,
    can_email_partner_admins,
    can_override_tier,
    can_reassign_owner,
)

MAX_SELECTION = 1000  # partners per action
CHUNK = 50  # partners read (and progress saved) at a time


class SelectionError(Exception):
    """A selection that cannot be acted on (empty, too large, unknown ids); shown as is."""


@dataclass(frozen=True)
class Plan:
    """What one bulk action sets (validated by the form; re-read from ``params`` by the task)."""

    kind: str
    owner: User | None = None
    tier: Tier | None = None
    status: str = ""
    reason: str = ""
    subject: str = ""
    body: str = ""

    def params(self) -> dict:
        """JSON-safe parameters with the names shown (kept on the record)."""
        data = {}
        if self.owner is not None:
            data |= {"owner_id": self.owner.pk, "owner": self.owner.display_name}
        if self.tier is not None:
            data |= {"tier_id": self.tier.pk, "tier": self.tier.name}
        if self.status:
            data["status"] = self.status
        if self.reason:
            data["reason"] = self.reason
        if self.subject:
            data |= {"subject": self.subject, "body": self.body}
        return data

    @classmethod
    def from_action(cls, action: BulkAction) -> Plan:
        p = action.params
        owner = User.objects.get(pk=p["owner_id"]) if p.get("owner_id") else None
        tier = Tier.objects.get(pk=p["tier_id"]) if p.get("tier_id") else None
        return cls(
            kind=action.kind,
            owner=owner,
            tier=tier,
            status=p.get("status", ""),
            reason=p.get("reason", ""),
            subject=p.get("subject", ""),
            body=p.get("body", ""),
        )


def target(kind: str, params: dict) -> str:
    """What the action sets, by name ("Ann Lee", "Gold", "Active"); empty for email and export."""
    if kind == BulkKind.OWNER:
        return params.get("owner", "")
    if kind == BulkKind.TIER:
        return params.get("tier", "")
    if kind == BulkKind.STATUS:
        status = params.get("status", "")
        return str(PartnerStatus(status).label) if status in PartnerStatus.values else status
    return ""


def describe(kind: str, params: dict) -> str:
    """One line saying what the action sets ("to Ann Lee", "to Gold", …), for pages and the log."""
    if kind == BulkKind.EMAIL:
        return _("“%(subject)s”") % {"subject": params.get("subject", "")}
    name = target(kind, params)
    return _("to %(name)s") % {"name": name} if name else ""


# --- Selection -----------------------------------------------------------------------------------


def too_many(count: int) -> SelectionError:
    return SelectionError(
        _("%(count)s partners are selected; an action takes at most %(max)s. Narrow the filter.")
        % {"count": count, "max": MAX_SELECTION}
    )


def selection_from_ids(*, user: User, raw_ids: list[str]) -> list[int]:
    """The partner ids of a posted selection, in order and without repeats, each one a partner
    ``user`` may see; else ``SelectionError`` (nothing is done with a partly wrong selection)."""
    raw_ids = [raw.strip() for raw in raw_ids if raw.strip()]
    if not raw_ids:
        raise SelectionError(_("Select at least one partner."))
    if len(raw_ids) > MAX_SELECTION:
        raise too_many(len(raw_ids))
    ids: list[int] = []
    for raw in raw_ids:
        value = parse_id(raw)
        if value is None:
            raise SelectionError(_("The selection holds something that is not a partner id."))
        if value not in ids:
            ids.append(value)
    visible = set(
        partner_selectors.partner_list_for_user(user=user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    missing = len([i for i in ids if i not in visible])
    if missing:
        raise SelectionError(
            ngettext(
                "%(count)s selected partner does not exist (or is not yours to see). Nothing "
                "was changed.",
                "%(count)s selected partners do not exist (or are not yours to see). Nothing "
                "was changed.",
                missing,
            )
            % {"count": missing}
        )
    return ids


def selection_all_matching(
    *, user: User, mine: bool, status: str = "", params: dict[str, str] | None = None
) -> list[int]:
    """Every partner the list shows with these filters (same scope, same order; ``params``: the
    list's checked parameters, ``partners.list_query``)."""
    partners = partner_selectors.partner_list_for_manager_home(
        user=user, mine=mine, status=status, params=params
    )
    ids = list(partners.values_list("pk", flat=True)[: MAX_SELECTION + 1])
    if not ids:
        raise SelectionError(_("No partner matches the filter."))
    if len(ids) > MAX_SELECTION:
        raise too_many(partners.count())
    return ids


# --- Who is skipped, and why ---------------------------------------------------------------------


def skip_reason(plan: Plan, *, actor: User, partner: Partner, admins=None) -> str | None:
    """Why ``partner`` is left alone by ``plan`` (the actor may not, or nothing would change), or
    None when the action applies. The service checks again under its row lock when it runs."""
    if plan.kind == BulkKind.OWNER:
        if not can_reassign_owner(actor, partner):
            return _(
                "You do not own this partner: only its owner or a vendor admin can give it to "
                "someone else."
            )
        if partner.owner_id == plan.owner.pk:
            return _("Already owned by %(name)s.") % {"name": plan.owner.display_name}
    elif plan.kind == BulkKind.TIER:
        if not can_override_tier(actor, partner):
            return _(
                "You do not own this partner: only its owner or a vendor admin can override "
                "its tier."
            )
        if plan.tier.program_id != partner.program_id:
            return _("%(tier)s is a tier of another program.") % {"tier": plan.tier.name}
        if partner.tier_id == plan.tier.pk:
            return _("Already at %(tier)s.") % {"tier": plan.tier.name}
    elif plan.kind == BulkKind.STATUS:
        if not can_change_status(actor, partner):
            return _(
                "You do not own this partner: only its owner or a vendor admin can change its "
                "status."
            )
        if partner.status == plan.status:
            return _("Already %(status)s.") % {"status": partner.get_status_display()}
        if plan.status not in PARTNER_STATUS_TRANSITIONS.get(partner.status, set()):
            return _("A partner cannot go from %(from)s to %(to)s.") % {
                "from": partner.get_status_display(),
                "to": PartnerStatus(plan.status).label,
            }
    elif plan.kind == BulkKind.EMAIL:
        if not can_email_partner_admins(actor, partner):
            return _(
                "You do not own this partner: only its owner or a vendor admin can email its "
                "admins."
            )
        if not (admins or {}).get(partner.pk):
            return _("It has no active partner admin to write to.")
    return None


def chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def read_partners(chunk: list[int]) -> dict[int, Partner]:
    return Partner.objects.select_related("owner", "tier", "program").in_bulk(chunk)


def preview(plan: Plan, *, actor: User, partner_ids: list[int]) -> dict:
    """What confirming would do: how many partners change, which are skipped and why, and for
    an email how many people receive it. Two queries per ``CHUNK`` partners."""
    changing, skipped, recipients = 0, [], 0
    for chunk in chunks(partner_ids):
        partners = read_partners(chunk)
        admins = (
            partner_selectors.partner_admins_by_partner(partner_ids=chunk)
            if plan.kind == BulkKind.EMAIL
            else {}
        )
        for pk in chunk:
            partner = partners.get(pk)
            if partner is None:
                continue
            reason = skip_reason(plan, actor=actor, partner=partner, admins=admins)
            if reason:
                skipped.append({"id": pk, "name": partner.name, "reason": reason})
            else:
                changing += 1
                recipients += len(admins.get(pk, []))
    return {"changing": changing, "skipped": skipped, "recipients": recipients}


def bulk_action_get_for_user(*, user: User, pk: int) -> BulkAction:
    """An action its actor (or a vendor admin) may look at; anybody else gets 404."""
    action = BulkAction.objects.select_related("actor").filter(pk=pk).first()
    if action is None or not (action.actor_id == user.pk or user.is_vendor_admin):
        raise Http404("No such bulk action.")
    return action
