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
result says why. The action itself (who, what, which partners, how many changed and skipped) is
written once to the setup log (``kernel.setup_log``), which /manage/audit/ shows.

Selections are ids, validated against what the actor may see (``partners.selectors``); at most
``MAX_SELECTION``. Up to ``INLINE_LIMIT`` partners run in the request; more run as a Celery task
(``console.tasks.run_bulk_action``) whose progress the result page polls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from console.choices import BulkKind, BulkState
from console.models import BulkAction
from events.choices import EventKind
from events.services import record_event
from kernel import enqueue
from kernel.outbox import Email, emails_queue
from kernel.query import parse_id
from kernel.setup_log import ADDED, CHANGED, log_setup_change
from partners import selectors as partner_selectors
from partners.choices import PARTNER_STATUS_TRANSITIONS, PartnerStatus
from partners.models import Partner, Tier
from partners.permissions import (
    can_change_status,
    can_email_partner_admins,
    can_override_tier,
    can_reassign_owner,
)
from partners.services import PartnerError, partner_assign_owner, partner_set_status
from tiers.overrides import TierError, tier_override

logger = logging.getLogger(__name__)

MAX_SELECTION = 1000  # partners per action
INLINE_LIMIT = 200  # more than this runs as a Celery task
CHUNK = 50  # partners read (and progress saved) at a time
RUN_TASK = "console.tasks.run_bulk_action"  # by name: tasks imports this module
REQUEUE_AFTER = timedelta(minutes=2)  # a pending action this old lost its task


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


def _too_many(count: int) -> SelectionError:
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
        raise _too_many(len(raw_ids))
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


def selection_all_matching(*, user: User, mine: bool, status: str) -> list[int]:
    """Every partner the list shows with these filters (same scope, same order)."""
    ids = list(
        partner_selectors.partner_list_for_manager_home(
            user=user, mine=mine, status=status
        ).values_list("pk", flat=True)[: MAX_SELECTION + 1]
    )
    if not ids:
        raise SelectionError(_("No partner matches the filter."))
    if len(ids) > MAX_SELECTION:
        count = partner_selectors.partner_list_for_manager_home(
            user=user, mine=mine, status=status
        ).count()
        raise _too_many(count)
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


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _read(chunk: list[int]) -> dict[int, Partner]:
    return Partner.objects.select_related("owner", "tier", "program").in_bulk(chunk)


def preview(plan: Plan, *, actor: User, partner_ids: list[int]) -> dict:
    """What confirming would do: how many partners change, which are skipped and why, and for
    an email how many people receive it. Two queries per ``CHUNK`` partners."""
    changing, skipped, recipients = 0, [], 0
    for chunk in _chunks(partner_ids):
        partners = _read(chunk)
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


# --- Running -------------------------------------------------------------------------------------


@transaction.atomic
def bulk_action_create(
    *, actor: User, plan: Plan, partner_ids: list[int], state: str = BulkState.PENDING
) -> BulkAction:
    """Record the action (its selection and parameters); ``bulk_action_start`` runs it."""
    if not partner_ids:
        raise SelectionError(_("Select at least one partner."))
    if len(partner_ids) > MAX_SELECTION:
        raise _too_many(len(partner_ids))
    return BulkAction.objects.create(
        actor=actor,
        kind=plan.kind,
        params=plan.params(),
        partner_ids=list(partner_ids),
        total=len(partner_ids),
        state=state,
    )


def bulk_action_start(*, action: BulkAction) -> bool:
    """Run ``action`` now (up to ``INLINE_LIMIT`` partners) or queue it for a worker. Returns
    True when it ran here."""
    if action.total <= INLINE_LIMIT:
        bulk_action_run(action_id=action.pk)
        return True
    enqueue.send_on_commit(RUN_TASK, action.pk)
    return False


def bulk_actions_requeue(*, older_than: timedelta = REQUEUE_AFTER) -> int:
    """Queue the run of every action still pending ``older_than`` after it was recorded (its
    task was lost: broker down at commit time). Returns how many were queued."""
    waiting = list(
        BulkAction.objects.filter(
            state=BulkState.PENDING, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:100]
    )
    for pk in waiting:
        enqueue.send(RUN_TASK, pk)
    return len(waiting)


def _apply(plan: Plan, *, action: BulkAction, partner: Partner, admins) -> int:
    """Apply ``plan`` to one partner through its single-partner service; returns the emails
    queued. Each service is its own transaction and records its own event."""
    actor = action.actor
    if plan.kind == BulkKind.OWNER:
        partner_assign_owner(partner=partner, owner=plan.owner, actor=actor)
    elif plan.kind == BulkKind.TIER:
        tier_override(partner=partner, tier=plan.tier, reason=plan.reason, actor=actor)
    elif plan.kind == BulkKind.STATUS:
        partner_set_status(partner=partner, status=plan.status, actor=actor)
    elif plan.kind == BulkKind.EMAIL:
        return _email(plan, action=action, partner=partner, people=admins.get(partner.pk, []))
    return 0


@transaction.atomic
def _email(plan: Plan, *, action: BulkAction, partner: Partner, people: list[User]) -> int:
    """One email to each of ``partner``'s admins (greeted by name, signed by the actor) and the
    partner's ``partner.emailed`` event; keyed per action, so a re-run sends nothing twice."""
    queued = emails_queue(
        Email(
            key=f"console.bulk_email:{action.pk}:{partner.pk}:{person.pk}",
            to=[person.email],
            subject=plan.subject,
            template="partner_message",
            context={
                "recipient_name": person.display_name,
                "partner_name": partner.name,
                "sender_name": action.actor.display_name,
                "body": plan.body,
            },
        )
        for person in people
    )
    if queued:
        record_event(
            kind=EventKind.PARTNER_EMAILED,
            key=f"partner.emailed:{action.pk}:{partner.pk}",
            partner=partner,
            user=action.actor,
            subject=partner,
            properties={"subject": plan.subject[:150], "recipients": len(queued)},
        )
    return len(queued)


def bulk_action_run(*, action_id: int) -> BulkAction | None:
    """Run a pending action: each selected partner through ``skip_reason`` and the service,
    progress saved every ``CHUNK`` partners. Claimed by a conditional UPDATE, so a second
    delivery of the task does nothing; emails are keyed per action, partner and person."""
    claimed = BulkAction.objects.filter(pk=action_id, state=BulkState.PENDING).update(
        state=BulkState.RUNNING
    )
    if not claimed:
        logger.info("bulk action %s is not pending; left alone", action_id)
        return None
    action = BulkAction.objects.select_related("actor").get(pk=action_id)
    try:
        plan = Plan.from_action(action)
        for chunk in _chunks(action.partner_ids):
            partners = _read(chunk)
            admins = (
                partner_selectors.partner_admins_by_partner(partner_ids=chunk)
                if plan.kind == BulkKind.EMAIL
                else {}
            )
            for pk in chunk:
                _run_one(plan, action=action, pk=pk, partner=partners.get(pk), admins=admins)
            action.done += len(chunk)
            action.save(update_fields=["done", "changed_ids", "changes", "skipped", "recipients"])
    except Exception as exc:
        action.state, action.error = BulkState.FAILED, str(exc)[:300]
        action.finished_at = timezone.now()
        action.save()
        _log(action)
        raise
    action.state, action.finished_at = BulkState.DONE, timezone.now()
    action.save()
    _log(action)
    return action


def _value(kind: str, partner: Partner) -> str | None:
    """What the action changes on ``partner``, as a reader of the log knows it (a name)."""
    if kind == BulkKind.OWNER:
        return partner.owner.display_name if partner.owner else None
    if kind == BulkKind.TIER:
        return partner.tier.name if partner.tier else None
    if kind == BulkKind.STATUS:
        return str(partner.get_status_display())
    return None


def _run_one(plan: Plan, *, action: BulkAction, pk: int, partner: Partner | None, admins) -> None:
    if partner is None:
        action.skipped.append({"id": pk, "name": f"#{pk}", "reason": _("No longer exists.")})
        return
    reason = skip_reason(plan, actor=action.actor, partner=partner, admins=admins)
    before = _value(plan.kind, partner)
    if reason is None:
        try:
            action.recipients += _apply(plan, action=action, partner=partner, admins=admins)
        except (PartnerError, TierError) as exc:  # refused under the service's lock
            reason = str(exc)
    if reason:
        action.skipped.append({"id": pk, "name": partner.name, "reason": reason})
        return
    action.changed_ids.append(pk)
    if plan.kind in (BulkKind.OWNER, BulkKind.TIER, BulkKind.STATUS):
        action.changes.append(
            {
                "id": pk,
                "name": partner.name,
                "before": before,
                "after": target(plan.kind, action.params),
            }
        )


def bulk_export_record(*, actor: User, partner_ids: list[int]) -> BulkAction:
    """An export has nothing to change: it is recorded done at once (the download itself is
    audited as a data export by audit's middleware)."""
    action = bulk_action_create(
        actor=actor, plan=Plan(kind=BulkKind.EXPORT), partner_ids=partner_ids,
        state=BulkState.DONE,
    )  # fmt: skip
    action.done, action.changed_ids, action.finished_at = action.total, partner_ids, timezone.now()
    action.save(update_fields=["done", "changed_ids", "finished_at"])
    _log(action)
    return action


LOGGED_CHANGES = 100  # partners whose before/after the log line spells out (the rest: counted)


def _log(action: BulkAction) -> None:
    """The action in the setup log (so the audit log): who, what, how many, and each changed
    partner's value before and after (owner, tier or status; the first ``LOGGED_CHANGES``)."""
    summary = _(
        "Bulk action on the partner list: %(action)s %(to)s · %(selected)s selected, "
        "%(changed)s changed, %(skipped)s skipped"
    ) % {
        "action": action.get_kind_display(),
        "to": describe(action.kind, action.params),
        "selected": action.total,
        "changed": len(action.changed_ids),
        "skipped": len(action.skipped),
    }
    if action.state == BulkState.FAILED:
        summary += " · " + _("stopped by an error: %(error)s") % {"error": action.error}
    if action.changes:
        shown = action.changes[:LOGGED_CHANGES]
        before, after = {}, {}
        for change in shown:  # two partners may share a name: the id tells them apart
            key = (
                change["name"]
                if change["name"] not in before
                else f"{change['name']} #{change['id']}"
            )
            before[key], after[key] = change["before"], change["after"]
        if len(action.changes) > len(shown):
            more = _("and more")
            before[more], after[more] = (
                "",
                _("%(count)s more partners") % {"count": len(action.changes) - len(shown)},
            )
        if action.kind == BulkKind.TIER:
            before[_("Reason")], after[_("Reason")] = "", action.params.get("reason", "")
        log_setup_change(
            actor=action.actor, obj=action, action=CHANGED, before=before, after=after,
            summary=summary,
        )  # fmt: skip
        return
    names = list(
        Partner.objects.filter(pk__in=action.changed_ids[:LOGGED_CHANGES])
        .order_by("name")
        .values_list("name", flat=True)
    )
    after = {_("Partners"): ", ".join(names)}
    if action.kind == BulkKind.EMAIL:
        after[_("Subject")] = action.params.get("subject", "")
        after[_("Emails")] = action.recipients
    # ADDED keeps every field, also an empty list (nothing changed, everything skipped)
    log_setup_change(actor=action.actor, obj=action, action=ADDED, after=after, summary=summary)


def bulk_action_get_for_user(*, user: User, pk: int) -> BulkAction:
    """An action its actor (or a vendor admin) may look at; anybody else gets 404."""
    action = BulkAction.objects.select_related("actor").filter(pk=pk).first()
    if action is None or not (action.actor_id == user.pk or user.is_vendor_admin):
        raise Http404("No such bulk action.")
    return action
