import re
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy


class EventKind(models.TextChoices):
    """Every event kind the portal records. Kinds are ``<area>.<verb>``; external systems may send
    other kinds through the ingestion API as long as they follow the same shape."""

    LOGIN = "auth.login", gettext_lazy("Logged in")
    USER_INVITED = "user.invited", gettext_lazy("Colleague invited")
    STAFF_INVITED = "staff.invited", gettext_lazy("Vendor staff invited")
    USER_JOINED = "user.joined", gettext_lazy("Joined the team")
    USER_REMOVED = "user.removed", gettext_lazy("Removed from the team")
    USER_ROLE_CHANGED = "user.role_changed", gettext_lazy("Team role changed")
    PARTNER_CREATED = "partner.created", gettext_lazy("Partner created")
    PARTNER_STATUS_CHANGED = "partner.status_changed", gettext_lazy("Partner status changed")
    PARTNER_ACTIVATED = "partner.activated", gettext_lazy("Partner activated")
    PARTNER_OWNER_CHANGED = "partner.owner_changed", gettext_lazy("Owner changed")
    PARTNER_EMAILED = "partner.emailed", gettext_lazy("Partner admins emailed by the vendor")
    TIER_CHANGED = "tier.changed", gettext_lazy("Tier changed")
    PROFILE_UPDATED = "partner.profile_updated", gettext_lazy("Company profile updated")
    STEP_COMPLETED = "onboarding.step_completed", gettext_lazy("Checklist step completed")
    AGREEMENT_ACCEPTED = "onboarding.agreement_accepted", gettext_lazy("Partner agreement accepted")
    COURSE_STARTED = "course.started", gettext_lazy("Course started")
    LESSON_VIEWED = "lesson.viewed", gettext_lazy("Lesson viewed")
    COURSE_COMPLETED = "course.completed", gettext_lazy("Course completed")
    QUIZ_PASSED = "quiz.passed", gettext_lazy("Quiz passed")
    QUIZ_FAILED = "quiz.failed", gettext_lazy("Quiz failed")
    CERTIFICATION_EARNED = "certification.earned", gettext_lazy("Certification earned")
    CERTIFICATION_RENEWED = "certification.renewed", gettext_lazy("Certification renewed")
    CERTIFICATION_EXPIRED = "certification.expired", gettext_lazy("Certification expired")
    RESOURCE_VIEWED = "resource.viewed", gettext_lazy("Resource viewed")
    RESOURCE_DOWNLOADED = "resource.downloaded", gettext_lazy("Resource downloaded")
    DEAL_SUBMITTED = "deal.submitted", gettext_lazy("Deal registered")
    DEAL_APPROVED = "deal.approved", gettext_lazy("Deal approved")
    DEAL_REJECTED = "deal.rejected", gettext_lazy("Deal rejected")
    DEAL_WON = "deal.won", gettext_lazy("Deal won")
    DEAL_LOST = "deal.lost", gettext_lazy("Deal lost")
    OFFERING_USED = "offering.used", gettext_lazy("Offering used")
    APPLICATION_SUBMITTED = "application.submitted", gettext_lazy("Partner application submitted")
    APPLICATION_APPROVED = "application.approved", gettext_lazy("Partner application approved")
    APPLICATION_REJECTED = "application.rejected", gettext_lazy("Partner application rejected")
    CHECKLIST_STARTED = "onboarding.checklist_started", gettext_lazy("Onboarding checklist started")
    CHECKLIST_MIGRATED = (
        "onboarding.checklist_migrated",
        gettext_lazy("Checklist moved to a new version"),
    )
    DOCUMENT_UPLOADED = "onboarding.document_uploaded", gettext_lazy("Onboarding document uploaded")
    REMINDER_SENT = "onboarding.reminder_sent", gettext_lazy("Onboarding reminder sent")
    PARTNER_STALLED = "onboarding.stalled", gettext_lazy("Onboarding stalled")
    SURVEY_ANSWERED = "onboarding.survey_answered", gettext_lazy("Onboarding survey answered")
    EXPERIMENT_ASSIGNED = (
        "onboarding.experiment_assigned",
        gettext_lazy("Partner assigned to an activation experiment's variant"),
    )
    DEAL_EXPIRED = "deal.expired", gettext_lazy("Deal protection expired")
    DEAL_EXTENSION_REQUESTED = "deal.extension_requested", gettext_lazy("Deal extension requested")
    DEAL_EXTENDED = "deal.extended", gettext_lazy("Deal protection extended")
    DEAL_HELP_REQUESTED = "deal.help_requested", gettext_lazy("Vendor help requested on a deal")
    DEAL_HELP_ASSIGNED = (
        "deal.help_assigned",
        gettext_lazy("Vendor person assigned to a deal's help request"),
    )
    DEAL_HELP_NOTE_ADDED = (
        "deal.help_note_added",
        gettext_lazy("Note added to a deal's help request"),
    )
    MDF_ALLOCATED = "mdf.allocated", gettext_lazy("Marketing funds allocated")
    MDF_REQUESTED = "mdf.requested", gettext_lazy("Marketing funds requested")
    MDF_UPDATED = "mdf.updated", gettext_lazy("Marketing funds request edited")
    MDF_WITHDRAWN = "mdf.withdrawn", gettext_lazy("Marketing funds request withdrawn")
    MDF_APPROVED = "mdf.approved", gettext_lazy("Marketing funds request approved")
    MDF_REJECTED = "mdf.rejected", gettext_lazy("Marketing funds request rejected")
    MDF_CLAIMED = "mdf.claimed", gettext_lazy("Marketing funds claimed")
    MDF_CLAIM_APPROVED = "mdf.claim_approved", gettext_lazy("Marketing funds claim approved")
    MDF_CLAIM_REJECTED = "mdf.claim_rejected", gettext_lazy("Marketing funds claim rejected")
    POINTS_AWARDED = "points.awarded", gettext_lazy("Points awarded")
    BADGE_EARNED = "badge.earned", gettext_lazy("Badge earned")
    TIER_DEMOTION_WARNED = "tier.demotion_warned", gettext_lazy("Tier demotion warning")
    TIER_RECOVERED = "tier.recovered", gettext_lazy("Tier requirements met again")
    TIER_OVERRIDDEN = "tier.overridden", gettext_lazy("Tier overridden by the vendor")
    CUSTOMER_ACCOUNT_CREATED = "customer.account_created", gettext_lazy("Customer account created")
    CUSTOMER_ACCOUNT_UPDATED = "customer.account_updated", gettext_lazy("Customer account updated")
    CUSTOMER_SEATS_CHANGED = "customer.seats_changed", gettext_lazy("Customer seats changed")
    PARTNER_NOTE_ADDED = "partner.note_added", gettext_lazy("Staff note added to a partner")
    TASK_CREATED = "task.created", gettext_lazy("Staff task on a partner created")
    TASK_COMPLETED = "task.completed", gettext_lazy("Staff task on a partner completed")
    TASK_REOPENED = "task.reopened", gettext_lazy("Staff task on a partner reopened")
    PARTNER_AT_RISK = "partner.at_risk", gettext_lazy("Partner turned at risk")
    LEAD_CREATED = "lead.created", gettext_lazy("Lead entered by the vendor")
    LEAD_OFFERED = "lead.offered", gettext_lazy("Lead offered to a partner")
    LEAD_ACCEPTED = "lead.accepted", gettext_lazy("Lead accepted")
    LEAD_DECLINED = "lead.declined", gettext_lazy("Lead declined")
    LEAD_OFFER_EXPIRED = "lead.offer_expired", gettext_lazy("Lead offer not answered in time")
    LEAD_UNROUTED = "lead.unrouted", gettext_lazy("No partner found for a lead")
    LEAD_STATUS_CHANGED = "lead.status_changed", gettext_lazy("Lead status updated by the partner")
    LEAD_CONVERTED = "lead.converted", gettext_lazy("Lead converted to a deal registration")
    # Joint business plans (issue 21)
    PLAN_CREATED = "plan.created", gettext_lazy("Business plan drafted")
    PLAN_SUBMITTED = "plan.submitted", gettext_lazy("Business plan submitted for approval")
    PLAN_APPROVED = "plan.approved", gettext_lazy("Business plan approved")
    PLAN_GOAL_CHANGED = (
        "plan.goal_changed",
        gettext_lazy("Business plan goal added, changed or removed"),
    )
    PLAN_REVISED = "plan.revised", gettext_lazy("New version of an approved business plan started")
    PLAN_SENT_BACK = "plan.sent_back", gettext_lazy("Submitted business plan sent back to draft")
    QBR_SCHEDULED = "qbr.scheduled", gettext_lazy("Quarterly business review scheduled")
    QBR_RESCHEDULED = (
        "qbr.rescheduled",
        gettext_lazy("Quarterly business review changed (time, place, people)"),
    )
    QBR_HELD = "qbr.held", gettext_lazy("Quarterly business review held, scorecard snapshot frozen")
    QBR_CANCELLED = "qbr.cancelled", gettext_lazy("Quarterly business review cancelled")
    QBR_ACTION_ADDED = (
        "qbr.action_added",
        gettext_lazy("Action item added to a quarterly business review"),
    )
    QBR_ACTION_CONVERTED = (
        "qbr.action_converted",
        gettext_lazy("QBR action item made an initiative or a task"),
    )


# The namespaces (the ``area`` of ``area.verb``) of every kind PRM records itself, derived from the
# registry above so a new kind reserves its namespace without a second list. Ingestion refuses any
# kind in them (``ingestion.services``): a client could otherwise invent ``deal.*`` or ``course.*``
# events and feed the feature areas of the adoption score, tiers and at-risk.
PRM_NAMESPACES = frozenset(kind.split(".", 1)[0] for kind in EventKind.values)

# Kinds of the registry that PRM never records itself: the vendor's own systems report them
# through ingestion (product usage per offering, which the default offering rule "Product usage
# reported in the last 30 days" counts). They are vendor-trusted signals: only vendor staff's
# tokens may send them, never a partner's (not even with PRM_INGEST_PARTNER_EVENTS), so a partner
# cannot report its own offering adoption.
VENDOR_REPORTED_KINDS = frozenset({EventKind.OFFERING_USED.value})


# --- Payloads ------------------------------------------------------------------------------------
# What each kind's ``properties`` hold: field → type. Types: ``int``, ``str``, ``bool``,
# ``decimal`` (an amount as a string, "1200.00"), ``datetime`` (ISO 8601 string), ``list[str]``;
# ``|null`` allows None; a trailing ``?`` marks a field that may be absent. A field not declared
# here is a mismatch. ``events.services.record_events`` checks every event of a PRM kind against
# this (``payload_errors``); ``manage.py event_catalogue`` and docs/events.md show it.
_DEAL = {"deal": "int", "amount": "decimal", "currency": "str", "offerings": "list[str]"}
_HELP = {"deal": "int", "request": "int", "kind": "str"}  # co-selling: a deal's help request
_MDF = {
    "request": "int", "allocation": "int", "period": "str", "amount": "decimal", "currency": "str",
}  # fmt: skip
_COURSE = {"course": "int", "offerings": "list[str]"}
_CERTIFICATION = {"certification": "int", "offerings": "list[str]"}
_RESOURCE = {
    "resource": "int", "category": "str", "marketing_asset": "bool", "offerings": "list[str]",
}  # fmt: skip
_AWARD = {"rule": "int", "event": "int", "event_kind": "str"}
_QBR = {"qbr": "int", "plan": "int|null", "starts_at": "datetime", "attendees": "int"}
_TIER_MOVE = {"from": "str|null", "to": "str|null", "cause": "str"}

PAYLOADS: dict[str, dict[str, str]] = {
    EventKind.LOGIN: {"method": "str"},
    EventKind.USER_INVITED: {"role": "str"},
    EventKind.STAFF_INVITED: {"role": "str", "resent": "bool"},
    EventKind.USER_JOINED: {"role": "str", "invited_by": "int|null", "via": "str"},
    EventKind.USER_REMOVED: {},
    EventKind.USER_ROLE_CHANGED: {"from": "str", "to": "str"},
    EventKind.PARTNER_CREATED: {"status": "str", "import": "int?"},
    EventKind.PARTNER_STATUS_CHANGED: {"from": "str", "to": "str"},
    EventKind.PARTNER_ACTIVATED: {"days_to_activation": "int"},
    EventKind.PARTNER_OWNER_CHANGED: {"owner_id": "int|null", "from_owner_id": "int|null"},
    # a channel manager's email to the partner's admins (the partner list's bulk email)
    EventKind.PARTNER_EMAILED: {"subject": "str", "recipients": "int"},
    # ``cause`` and ``pinned_until``: set by the evaluation and by an override, not by tier_set.
    EventKind.TIER_CHANGED: {
        "from": "str|null",
        "to": "str",
        "direction": "str",
        "cause": "str?",
        "pinned_until": "datetime|null?",
    },
    EventKind.PROFILE_UPDATED: {"fields": "list[str]", "complete": "bool"},
    EventKind.STEP_COMPLETED: {
        "checklist": "int",
        "version": "int",
        "step": "int|null",
        "step_key": "str",
        "step_title": "str",
        "position": "int",
        "required": "bool",
        "kind": "str",
        "via": "str",
    },
    EventKind.AGREEMENT_ACCEPTED: {"agreement": "int", "version": "str"},
    EventKind.COURSE_STARTED: _COURSE,
    EventKind.LESSON_VIEWED: _COURSE | {"lesson": "int"},
    EventKind.COURSE_COMPLETED: _COURSE,
    EventKind.QUIZ_PASSED: _COURSE | {"score": "int", "attempt": "int"},
    EventKind.QUIZ_FAILED: _COURSE | {"score": "int", "attempt": "int"},
    EventKind.CERTIFICATION_EARNED: _CERTIFICATION,
    EventKind.CERTIFICATION_RENEWED: _CERTIFICATION,
    EventKind.CERTIFICATION_EXPIRED: _CERTIFICATION,
    EventKind.RESOURCE_VIEWED: _RESOURCE,
    EventKind.RESOURCE_DOWNLOADED: _RESOURCE,
    EventKind.DEAL_SUBMITTED: _DEAL,
    EventKind.DEAL_APPROVED: _DEAL,
    EventKind.DEAL_REJECTED: _DEAL,
    EventKind.DEAL_WON: _DEAL,
    EventKind.DEAL_LOST: _DEAL,
    EventKind.DEAL_HELP_REQUESTED: _HELP,
    EventKind.DEAL_HELP_ASSIGNED: _HELP | {"assignee": "int"},
    EventKind.DEAL_HELP_NOTE_ADDED: _HELP | {"note": "int", "by_vendor": "bool"},
    EventKind.OFFERING_USED: {"offering": "str"},
    EventKind.APPLICATION_SUBMITTED: {
        "application": "int",
        "partner_type": "str",
        "country": "str",
        "heard_from": "str",
        "duplicate": "bool",
    },
    EventKind.APPLICATION_APPROVED: {"application": "int", "days_to_review": "int"},
    EventKind.APPLICATION_REJECTED: {"application": "int", "duplicate": "bool"},
    EventKind.CHECKLIST_STARTED: {"checklist": "int", "version": "int"},
    EventKind.CHECKLIST_MIGRATED: {"checklist": "int", "from": "int", "to": "int"},
    EventKind.DOCUMENT_UPLOADED: {"step": "int", "step_key": "str", "size": "int"},
    EventKind.REMINDER_SENT: {"reminder": "str", "step": "int|null"},
    EventKind.PARTNER_STALLED: {"reason": "str"},
    EventKind.SURVEY_ANSWERED: {"csat": "int|null", "nps": "int|null", "has_comment": "bool"},
    EventKind.EXPERIMENT_ASSIGNED: {
        "experiment": "int",
        "variant": "int",
        "checklist": "int",
        "version": "int",
        "stratum": "str",
    },
    EventKind.DEAL_EXPIRED: _DEAL,
    EventKind.DEAL_EXTENSION_REQUESTED: _DEAL | {"days": "int"},
    EventKind.DEAL_EXTENDED: _DEAL | {"days": "int"},
    EventKind.MDF_ALLOCATED: {
        "allocation": "int",
        "period": "str",
        "amount": "decimal",
        "currency": "str",
    },
    EventKind.MDF_REQUESTED: _MDF,
    EventKind.MDF_UPDATED: _MDF,
    EventKind.MDF_WITHDRAWN: _MDF,
    EventKind.MDF_APPROVED: _MDF,
    EventKind.MDF_REJECTED: _MDF,
    EventKind.MDF_CLAIMED: _MDF,
    EventKind.MDF_CLAIM_APPROVED: _MDF,
    EventKind.MDF_CLAIM_REJECTED: _MDF,
    EventKind.POINTS_AWARDED: _AWARD | {"points": "int"},
    EventKind.BADGE_EARNED: _AWARD | {"badge": "str"},
    EventKind.TIER_DEMOTION_WARNED: _TIER_MOVE | {"demote_after": "datetime"},
    EventKind.TIER_RECOVERED: _TIER_MOVE,
    EventKind.TIER_OVERRIDDEN: _TIER_MOVE | {"to": "str", "pinned_until": "datetime|null"},
    EventKind.CUSTOMER_ACCOUNT_CREATED: {"external_id": "str"},
    EventKind.CUSTOMER_ACCOUNT_UPDATED: {"name": "str?", "is_active": "bool?"},
    EventKind.CUSTOMER_SEATS_CHANGED: {
        "license": "int",
        "offering": "str|null?",
        "before": "int|null",
        "seats": "int",
    },
    # vendor staff's own follow-up on a partner (followup): never shown to the partner
    EventKind.PARTNER_NOTE_ADDED: {"pinned": "bool"},
    EventKind.TASK_CREATED: {"due_on": "str", "assignee_id": "int"},
    EventKind.TASK_COMPLETED: {},
    EventKind.TASK_REOPENED: {},
    # metrics.at_risk_store, after the rollup: the partner is at risk on ``day`` (a scores day)
    # and was not the day before. Recorded with no partner (the partner is the subject and
    # ``partner``), so it is neither the partner's activity (the rollups fold only events with a
    # partner: at-risk would feed the rules that raised it) nor in any partner's own lists.
    EventKind.PARTNER_AT_RISK: {"partner": "int", "day": "str", "reasons": "list[str]"},
    # vendor leads routed to partners (leads); ``via``: form, import or api
    EventKind.LEAD_CREATED: {"lead": "int", "source": "str", "via": "str"},
    EventKind.LEAD_OFFERED: {"lead": "int", "offer": "int", "rule": "int", "deadline": "datetime"},
    EventKind.LEAD_ACCEPTED: {"lead": "int", "offer": "int", "hours_to_accept": "int"},
    EventKind.LEAD_DECLINED: {"lead": "int", "offer": "int"},
    EventKind.LEAD_OFFER_EXPIRED: {"lead": "int", "offer": "int"},
    EventKind.LEAD_UNROUTED: {"lead": "int", "tried": "int"},
    EventKind.LEAD_STATUS_CHANGED: {"lead": "int", "from": "str", "to": "str"},
    EventKind.LEAD_CONVERTED: {"lead": "int", "deal": "int"},
    EventKind.PLAN_CREATED: {"fiscal_year": "int", "quarter": "int", "version": "int"},
    EventKind.PLAN_SUBMITTED: {"version": "int", "side": "str"},
    EventKind.PLAN_APPROVED: {"version": "int", "goals": "int"},
    EventKind.PLAN_GOAL_CHANGED: {"goal_id": "int", "change": "str", "measure": "str"},
    EventKind.PLAN_REVISED: {"previous": "int", "version": "int"},
    EventKind.PLAN_SENT_BACK: {"version": "int", "side": "str"},
    EventKind.QBR_SCHEDULED: _QBR,
    EventKind.QBR_RESCHEDULED: _QBR | {"changed": "list[str]"},
    EventKind.QBR_HELD: {"qbr": "int", "plan": "int|null", "snapshot_at": "datetime"},
    EventKind.QBR_CANCELLED: {"qbr": "int", "starts_at": "datetime"},
    EventKind.QBR_ACTION_ADDED: {"qbr": "int", "action_item": "int", "owner_side": "str"},
    EventKind.QBR_ACTION_CONVERTED: {
        "qbr": "int",
        "action_item": "int",
        "into": "str",
        "initiative": "int|null",
        "task": "int|null",
    },
}

# Kinds about a partner that only vendor staff may see (their notes and tasks): the partner's
# own activity list (``events.selectors.event_list_for_partner``) leaves them out.
STAFF_ONLY_KINDS = frozenset(
    {
        EventKind.PARTNER_NOTE_ADDED,
        EventKind.TASK_CREATED,
        EventKind.TASK_COMPLETED,
        EventKind.TASK_REOPENED,
        EventKind.PARTNER_AT_RISK,
        EventKind.EXPERIMENT_ASSIGNED,
    }
)

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def _is(value, type_: str) -> bool:
    if type_ == "null":
        return value is None
    if type_ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "str":
        return isinstance(value, str)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "decimal":
        return isinstance(value, str) and bool(_DECIMAL.match(value))
    if type_ == "datetime":
        try:
            datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    if type_ == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise ValueError(f"Unknown payload type {type_!r}")


def is_prm_kind(kind: str) -> bool:
    """Whether ``kind`` is in a namespace PRM records itself (the others are ingested, free-form)."""
    return kind.split(".", 1)[0] in PRM_NAMESPACES


def payload_errors(kind: str, properties) -> list[str]:
    """What is wrong with an event of ``kind`` carrying ``properties``, against ``PAYLOADS``
    (empty when nothing is). Kinds outside PRM's namespaces are ingested and free-form: none."""
    if not is_prm_kind(kind):
        return []
    declared = PAYLOADS.get(kind)
    if declared is None:
        return [f"{kind!r} is not a declared event kind (events.choices.EventKind)."]
    if not isinstance(properties, dict):
        return [f"{kind}: properties must be an object."]
    errors = []
    for name, spec in declared.items():
        optional = spec.endswith("?")
        if name not in properties:
            if not optional:
                errors.append(f"{kind}: {name!r} is missing.")
            continue
        value = properties[name]
        if not any(_is(value, t) for t in spec.rstrip("?").split("|")):
            errors.append(
                f"{kind}: {name!r} must be {spec.rstrip('?')}, not {type(value).__name__}."
            )
    errors.extend(
        f"{kind}: {name!r} is not a declared field." for name in properties if name not in declared
    )
    return errors
