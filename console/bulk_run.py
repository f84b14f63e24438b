"""Running a bulk action of the partner list (console.bulk has the selection, the plan and who
is skipped): record it, run it here or in a worker, apply each partner through its
single-partner service, and write the action to the setup log."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from console.bulk import (
    MAX_SELECTION,
    Plan,
    SelectionError,
    chunks,
    describe,
    read_partners,
    skip_reason,
    target,
    too_many,
)
from console.choices import BulkKind, BulkState
from console.models import BulkAction
from events.choices import EventKind
from events.services import record_event
from kernel import enqueue
from kernel.outbox import Email, emails_queue
from kernel.setup_log import ADDED, CHANGED, log_setup_change
from partners import selectors as partner_selectors
from partners.models import Partner
from partners.services import PartnerError, partner_assign_owner, partner_set_status
from tiers.overrides import TierError, tier_override

logger = logging.getLogger(__name__)

INLINE_LIMIT = 200  # more than this runs as a Celery task
RUN_TASK = "console.tasks.run_bulk_action"  # by name: tasks imports this module
REQUEUE_AFTER = timedelta(minutes=2)  # a pending action this old lost its task


@transaction.atomic
def bulk_action_create(
    *, actor: User, plan: Plan, partner_ids: list[int], state: str = BulkState.PENDING
) -> BulkAction:
    """Record the action (its selection and parameters); ``bulk_action_start`` runs it."""
    if not partner_ids:
        raise SelectionError(_("Select at least one partner."))
    if len(partner_ids) > MAX_SELECTION:
        raise too_many(len(partner_ids))
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
        for chunk in chunks(action.partner_ids):
            partners = read_partners(chunk)
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
