"""Quarterly business reviews (QBRs): scheduling, changes, holding (the scorecard frozen),
cancelling, agenda points and comments, action items and their conversion (see ``plans.services``).

Who may act (``plans.permissions``): the partner's owning channel manager and vendor admins manage
a review; the partner's admins propose agenda points, comment and add action items for their own
side; everybody else who may see the partner reads. Every step is an event (``qbr.*``, recorded
idempotently) and attendees hear of scheduling, changes and cancellation by email (which
notifications turns into an in-app notice), with the review's .ics link.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from kernel import outbox
from kernel.bounds import validate_business_date
from partners.models import PartnerMembership
from plans import snapshot as snapshots
from plans.choices import ActionConversion, PlanStatus, ReviewStatus, Side
from plans.models import (
    COMMENT_MAX,
    NOTE_MAX,
    OPEN_STATUSES,
    REVIEW_DURATION_MAX,
    REVIEW_NOTES_MAX,
    TEXT_MAX,
    ActionItem,
    BusinessPlan,
    QuarterlyReview,
    ReviewComment,
)
from plans.permissions import (
    action_sides_for,
    can_discuss_review,
    can_manage_review,
    check,
    side_of,
)
from plans.services._common import PlanError, _text
from plans.services.contents import initiative_add
from plans.services.lifecycle import plan_revise

ATTENDEES_MAX = 30
CHANGE_FIELDS = ("title", "starts_at", "duration_minutes", "location", "meeting_url", "agenda")


# --- Validation -----------------------------------------------------------------------------------
def eligible_attendees(partner, *, partner_side_only: bool = False):
    """Who may attend a review of ``partner`` (or own its action items): active vendor staff and
    the partner's active members, by name; only the members with ``partner_side_only``."""
    from accounts.choices import VendorRole

    members = Q(pk__in=PartnerMembership.objects.filter(partner=partner).values("user_id"))
    staff = Q(vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]) | Q(is_superuser=True)
    match = members if partner_side_only else (staff | members)
    return get_user_model().objects.filter(match, is_active=True).order_by("full_name", "email")


def _clean(*, partner, title, starts_at, duration_minutes, location, meeting_url, agenda,
           attendees, plan) -> tuple[dict, dict]:  # fmt: skip
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["title"] = _text(title, field="title", maximum=TEXT_MAX, required=True)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not isinstance(starts_at, datetime.datetime):
        errors["starts_at"] = _("Give the date and time.")
    else:
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        try:
            validate_business_date(starts_at.astimezone(datetime.UTC).date())
        except ValidationError as exc:
            errors["starts_at"] = exc.messages[0]
        values["starts_at"] = starts_at.astimezone(datetime.UTC)
    try:
        duration = int(duration_minutes)
    except (TypeError, ValueError):
        duration = 0
    if not 15 <= duration <= REVIEW_DURATION_MAX:
        errors["duration_minutes"] = _("Between 15 minutes and 8 hours.")
    values["duration_minutes"] = duration
    for field, value, maximum in (("location", location, TEXT_MAX), ("agenda", agenda, NOTE_MAX)):
        try:
            values[field] = _text(value, field=field, maximum=maximum)
        except ValidationError as exc:
            errors[field] = exc.messages[0]
    meeting_url = (meeting_url or "").strip()
    if meeting_url:
        try:
            URLValidator(schemes=["https", "http"])(meeting_url)
        except ValidationError:
            errors["meeting_url"] = _("Give a web address starting with https://.")
        if len(meeting_url) > 500:
            errors["meeting_url"] = _("Keep it under %(max)s characters.") % {"max": 500}
    values["meeting_url"] = meeting_url
    people = list(attendees or [])
    if len(people) > ATTENDEES_MAX:
        errors["attendees"] = _("At most %(max)s attendees.") % {"max": ATTENDEES_MAX}
    elif any(side_of(u, partner.pk) is None for u in people):
        errors["attendees"] = _("Attendees are vendor staff and members of this partner only.")
    if plan is not None and plan.partner_id != partner.pk:
        errors["plan"] = _("Pick a plan of this partner.")
    if errors:
        raise ValidationError(errors)
    values["plan"] = plan
    return values, {u.pk: u for u in people}


def _locked(review_id: int) -> QuarterlyReview:
    return (
        QuarterlyReview.objects.select_for_update(of=("self",))
        .select_related("partner__owner")
        .get(pk=review_id)
    )


def _event(kind: str, *, review: QuarterlyReview, actor, key: str, at, properties: dict) -> None:
    record_event(kind=kind, key=key, partner=review.partner, user=actor, subject=review,
                 occurred_at=at, properties=properties)  # fmt: skip


def _qbr_props(review: QuarterlyReview) -> dict:
    return {
        "qbr": review.pk,
        "plan": review.plan_id,
        "starts_at": review.starts_at.isoformat(),
        "attendees": review.attendees.count(),
    }


# --- Notices to the attendees ---------------------------------------------------------------------
def _tell_attendees(*, review: QuarterlyReview, actor, what: str) -> None:
    """Email every attendee but ``actor``: the vendor's people link to the manager's page, the
    partner's to the portal's; both carry the .ics link. Once per review, change and side."""
    subjects = {
        "scheduled": _("Business review scheduled: %(title)s (%(partner)s)"),
        "changed": _("Business review changed: %(title)s (%(partner)s)"),
        "cancelled": _("Business review cancelled: %(title)s (%(partner)s)"),
    }
    people = [u for u in review.attendees.all() if u.pk != actor.pk and u.is_active]
    for side, url_name, ics_name in (
        (Side.VENDOR, "plans:manage_review", "plans:review_ics"),
        (Side.PARTNER, "plans:portal_review", "plans:review_ics"),
    ):
        to = [u.email for u in people if side_of(u, review.partner_id) == side]
        outbox.email_queue(
            key=f"plans.review:{review.pk}:{what}:{review.sequence}:{side}",
            to=to,
            subject=subjects[what] % {"title": review.title, "partner": review.partner.name},
            template="plans_review_update",
            context={
                "what": what,
                "actor_name": actor.display_name,
                "title": review.title,
                "partner_name": review.partner.name,
                "starts_at_utc": review.starts_at.strftime("%Y-%m-%d %H:%M UTC"),
                "duration": review.duration_minutes,
                "location": review.location,
                "meeting_url": review.meeting_url,
                "url": reverse(url_name, args=[review.pk]),
                "ics_url": reverse(ics_name, args=[review.pk]),
            },
        )


# --- Scheduling, changing, cancelling -------------------------------------------------------------
@transaction.atomic
def review_schedule(*, actor, partner, title: str, starts_at, duration_minutes=60,
                    location: str = "", meeting_url: str = "", agenda: str = "",
                    attendees=(), plan: BusinessPlan | None = None) -> QuarterlyReview:  # fmt: skip
    check(can_manage_review(actor, partner),
          _("The partner's channel manager or a vendor admin schedules reviews."))  # fmt: skip
    values, people = _clean(partner=partner, title=title, starts_at=starts_at,
                            duration_minutes=duration_minutes, location=location,
                            meeting_url=meeting_url, agenda=agenda, attendees=attendees,
                            plan=plan)  # fmt: skip
    review = QuarterlyReview.objects.create(partner=partner, created_by=actor, **values)
    review.attendees.set(people.values())
    _event(EventKind.QBR_SCHEDULED, review=review, actor=actor, key=f"qbr.scheduled:{review.pk}",
           at=review.created_at, properties=_qbr_props(review))  # fmt: skip
    _tell_attendees(review=review, actor=actor, what="scheduled")
    return review


@transaction.atomic
def review_update(*, actor, review: QuarterlyReview, title: str, starts_at, duration_minutes,
                  location: str = "", meeting_url: str = "", agenda: str = "", attendees=(),
                  plan: BusinessPlan | None = None) -> QuarterlyReview:  # fmt: skip
    review = _locked(review.pk)
    check(can_manage_review(actor, review.partner))
    if review.status != ReviewStatus.SCHEDULED:
        raise PlanError(_("Only a scheduled review can be changed."))
    values, people = _clean(partner=review.partner, title=title, starts_at=starts_at,
                            duration_minutes=duration_minutes, location=location,
                            meeting_url=meeting_url, agenda=agenda, attendees=attendees,
                            plan=plan)  # fmt: skip
    changed = [f for f in CHANGE_FIELDS if getattr(review, f) != values[f]]
    if review.plan_id != getattr(values["plan"], "pk", None):
        changed.append("plan")
    before_people = set(review.attendees.values_list("pk", flat=True))
    if before_people != set(people):
        changed.append("attendees")
    if not changed:
        return review
    for name, value in values.items():
        setattr(review, name, value)
    review.sequence += 1
    review.updated_at = timezone.now()
    review.save()
    review.attendees.set(people.values())
    _event(EventKind.QBR_RESCHEDULED, review=review, actor=actor,
           key=f"qbr.rescheduled:{review.pk}:{review.sequence}", at=review.updated_at,
           properties=_qbr_props(review) | {"changed": changed})  # fmt: skip
    _tell_attendees(review=review, actor=actor, what="changed")
    return review


@transaction.atomic
def review_cancel(*, actor, review: QuarterlyReview) -> QuarterlyReview:
    review = _locked(review.pk)
    check(can_manage_review(actor, review.partner))
    if review.status != ReviewStatus.SCHEDULED:
        raise PlanError(_("Only a scheduled review can be cancelled."))
    review.status = ReviewStatus.CANCELLED
    review.cancelled_at = review.updated_at = timezone.now()
    review.sequence += 1
    review.save(update_fields=["status", "cancelled_at", "updated_at", "sequence"])
    _event(EventKind.QBR_CANCELLED, review=review, actor=actor, key=f"qbr.cancelled:{review.pk}",
           at=review.cancelled_at,
           properties={"qbr": review.pk, "starts_at": review.starts_at.isoformat()})  # fmt: skip
    _tell_attendees(review=review, actor=actor, what="cancelled")
    return review


# --- Holding: the scorecard frozen ----------------------------------------------------------------
def _hold(review: QuarterlyReview, *, actor, now) -> None:
    """Freeze the scorecard into the (locked, scheduled) review and mark it held. Once only: the
    snapshot is never written again."""
    review.snapshot = snapshots.freeze(review.partner, now=now)
    review.snapshot_at = review.held_at = now
    review.status = ReviewStatus.HELD
    review.updated_at = now
    review.save(update_fields=["snapshot", "snapshot_at", "held_at", "status", "updated_at"])
    _event(EventKind.QBR_HELD, review=review, actor=actor, key=f"qbr.held:{review.pk}", at=now,
           properties={"qbr": review.pk, "plan": review.plan_id,
                       "snapshot_at": now.isoformat()})  # fmt: skip


@transaction.atomic
def review_hold(*, actor, review: QuarterlyReview, now=None) -> QuarterlyReview:
    review = _locked(review.pk)
    check(can_manage_review(actor, review.partner))
    if review.status != ReviewStatus.SCHEDULED:
        raise PlanError(_("Only a scheduled review can be marked held."))
    _hold(review, actor=actor, now=now or timezone.now())
    return review


@transaction.atomic
def review_save_notes(*, actor, review: QuarterlyReview, notes: str, now=None) -> QuarterlyReview:
    """Save the meeting notes. Notes first taken at or after the start hold the review (the
    scorecard is frozen then); a cancelled review takes none."""
    now = now or timezone.now()
    review = _locked(review.pk)
    check(can_manage_review(actor, review.partner))
    if review.status == ReviewStatus.CANCELLED:
        raise PlanError(_("A cancelled review takes no notes."))
    review.notes = _text(notes, field="notes", maximum=REVIEW_NOTES_MAX)
    review.updated_at = now
    review.save(update_fields=["notes", "updated_at"])
    if review.notes and review.status == ReviewStatus.SCHEDULED and now >= review.starts_at:
        _hold(review, actor=actor, now=now)
    return review


# --- Agenda points, comments, action items --------------------------------------------------------
@transaction.atomic
def review_comment_add(*, actor, review: QuarterlyReview, body: str,
                       is_agenda_point: bool = False) -> ReviewComment:  # fmt: skip
    check(can_discuss_review(actor, review.partner_id),
          _("Partner admins and vendor staff comment on reviews."))  # fmt: skip
    if review.status == ReviewStatus.CANCELLED:
        raise PlanError(_("The review was cancelled."))
    body = _text(body, field="body", maximum=COMMENT_MAX, required=True)
    return ReviewComment.objects.create(review=review, author=actor, body=body,
                                        is_agenda_point=bool(is_agenda_point))  # fmt: skip


@transaction.atomic
def action_item_add(*, actor, review: QuarterlyReview, text: str, owner_side: str, owner=None,
                    due_on: datetime.date | None = None) -> ActionItem:  # fmt: skip
    review = _locked(review.pk)
    sides = action_sides_for(actor, review.partner)
    check(bool(sides), _("You may not add action items to this review."))
    if review.status == ReviewStatus.CANCELLED:
        raise PlanError(_("The review was cancelled."))
    errors = {}
    text = _text(text, field="text", maximum=TEXT_MAX, required=True)
    if owner_side not in sides:
        errors["owner_side"] = _("Pick a side you may add action items for.")
    elif owner is not None and side_of(owner, review.partner_id) != owner_side:
        errors["owner"] = _("The owner must be on the side chosen.")
    if due_on is not None:
        try:
            validate_business_date(due_on)
        except ValidationError as exc:
            errors["due_on"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    item = ActionItem.objects.create(review=review, text=text, owner_side=owner_side, owner=owner,
                                     due_on=due_on, created_by=actor)  # fmt: skip
    _event(EventKind.QBR_ACTION_ADDED, review=review, actor=actor,
           key=f"qbr.action_added:{item.pk}", at=item.created_at,
           properties={"qbr": review.pk, "action_item": item.pk,
                       "owner_side": owner_side})  # fmt: skip
    return item


def _claim(actor, item: ActionItem) -> tuple[ActionItem, QuarterlyReview]:
    item = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    review = QuarterlyReview.objects.select_related("partner__owner", "plan").get(pk=item.review_id)
    check(can_manage_review(actor, review.partner),
          _("The partner's channel manager or a vendor admin converts action items."))  # fmt: skip
    if item.converted_to:
        raise PlanError(_("This action item was converted already."))
    return item, review


def _converted(item, review, *, actor, into: str) -> None:
    item.converted_to, item.converted_by = into, actor
    item.converted_at = timezone.now()
    item.save(update_fields=["converted_to", "converted_by", "converted_at", "initiative",
                             "task_id"])  # fmt: skip
    _event(EventKind.QBR_ACTION_CONVERTED, review=review, actor=actor,
           key=f"qbr.action_converted:{item.pk}", at=item.converted_at,
           properties={"qbr": review.pk, "action_item": item.pk, "into": into,
                       "initiative": item.initiative_id, "task": item.task_id})  # fmt: skip


def _draft_for(plan: BusinessPlan, actor) -> BusinessPlan:
    """The version of ``plan``'s period an initiative goes into: the draft in the works, or a new
    version of the approved plan (a change to an approved plan makes a new version)."""
    same = BusinessPlan.objects.filter(
        partner_id=plan.partner_id, fiscal_year=plan.fiscal_year, quarter=plan.quarter
    )
    open_version = same.filter(status__in=OPEN_STATUSES).first()
    if open_version is not None:
        if open_version.status != PlanStatus.DRAFT:
            raise PlanError(_("The plan awaits approval; convert the item once it is decided."))
        return open_version
    approved = same.filter(status=PlanStatus.APPROVED).first()
    if approved is None:
        raise PlanError(_("The review's plan has no version to add the initiative to."))
    return plan_revise(actor=actor, plan=approved)


@transaction.atomic
def action_item_to_initiative(*, actor, item: ActionItem) -> ActionItem:
    """Make the action item an initiative of the review's plan (its draft, or a new version of
    the approved plan). Once: a second conversion is refused."""
    item, review = _claim(actor, item)
    if review.plan is None:
        raise PlanError(_("Tie the review to a plan first."))
    plan = _draft_for(review.plan, actor)
    item.initiative = initiative_add(actor=actor, plan=plan, title=item.text,
                                     owner_side=item.owner_side, owner=item.owner,
                                     due_on=item.due_on)  # fmt: skip
    _converted(item, review, actor=actor, into=ActionConversion.INITIATIVE)
    return item


@transaction.atomic
def action_item_to_task(*, actor, item: ActionItem, create_task: Callable[..., int]) -> ActionItem:
    """Make the action item a vendor staff task. The task belongs to followup, which plans does
    not import: the caller (console) passes ``create_task(partner=, title=, due_on=, assignee=)``
    returning the task's id, run inside this transaction after the item is locked, so the task is
    made once. The task goes to the item's vendor owner, else to whoever converts it."""
    item, review = _claim(actor, item)
    assignee = item.owner if item.owner_side == Side.VENDOR and item.owner else actor
    due_on = item.due_on or (timezone.localdate() + datetime.timedelta(days=7))
    item.task_id = create_task(partner=review.partner, title=item.text, due_on=due_on,
                               assignee=assignee,
                               description=_("From the business review “%(title)s”.")
                               % {"title": review.title})  # fmt: skip
    _converted(item, review, actor=actor, into=ActionConversion.TASK)
    return item
