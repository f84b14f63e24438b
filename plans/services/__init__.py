"""Writes of business plans: keyword-only, atomic, refusing bad input with ValidationError keyed
by field and a move the plan's status does not allow with ``PlanError``. Who may act is checked
here too (``plans.permissions``), so every door (page, future API, task) gets the same rules.

Lifecycle: draft → submitted → approved (or sent back to draft). An approved plan is locked; a
change to it starts a new draft version (``plan_revise``) and the approved one stays in force
until the new one is approved, when it becomes superseded. Goal changes are written to the audit
trail (``kernel.setup_log``) and recorded as ``plan.goal_changed`` events; the other side hears
of submissions, approvals, send-backs and comments by email (``kernel.outbox``, which
notifications turns into notices).
"""

from plans.services._common import PlanError, clean_goal
from plans.services.contents import (
    commitment_add,
    commitment_remove,
    goal_add,
    goal_remove,
    goal_set_done,
    goal_update,
    initiative_add,
    initiative_remove,
    initiative_set_status,
)
from plans.services.lifecycle import (
    comment_add,
    plan_approve,
    plan_create,
    plan_revise,
    plan_send_back,
    plan_submit,
    plan_update,
)
from plans.services.reviews import (
    action_item_add,
    action_item_to_initiative,
    action_item_to_task,
    eligible_attendees,
    review_cancel,
    review_comment_add,
    review_hold,
    review_save_notes,
    review_schedule,
    review_update,
)

__all__ = [
    "PlanError",
    "action_item_add",
    "action_item_to_initiative",
    "action_item_to_task",
    "clean_goal",
    "comment_add",
    "commitment_add",
    "commitment_remove",
    "eligible_attendees",
    "goal_add",
    "goal_remove",
    "goal_set_done",
    "goal_update",
    "initiative_add",
    "initiative_remove",
    "initiative_set_status",
    "plan_approve",
    "plan_create",
    "plan_revise",
    "plan_send_back",
    "plan_submit",
    "plan_update",
    "review_cancel",
    "review_comment_add",
    "review_hold",
    "review_save_notes",
    "review_schedule",
    "review_update",
]  # fmt: skip
