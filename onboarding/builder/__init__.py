"""Writes of the checklist builder (``/manage/setup/checklists/``): vendor admins create
checklist templates, edit a **draft** of a template's steps and publish it as a new version, and
move partners on an older version to the published one.

The draft: the first edit copies the published steps (``TemplateStep``) into
``TemplateDraftStep`` and stamps ``ChecklistTemplate.draft_changed_at``; every later edit changes
the draft only, so partners starting a checklist meanwhile still get the published steps. Publishing
copies the draft over the published steps (matched by ``key``) and bumps ``version`` once,
whatever the number of edits; partners keep their snapshot until they are migrated
(``onboarding.services.checklist_migrate``, reused here per partner).

Every function is keyword-only and atomic, refuses bad input with a ValidationError keyed by the
step form's field names (``StepDefinition.clean`` included), and logs the change with
``kernel.setup_log`` (who, what, each field before and after; audit shows it).
"""

from onboarding.builder.drafts import (
    EVENT_CHOOSABLE_KINDS,
    MAX_DUE_DAYS,
    MAX_MATCH_PROPERTIES,
    MAX_STEPS,
    MAX_TARGET,
    MIN_DUE_DAYS,
    MIN_TARGET,
    STEP_FIELDS,
    TEMPLATE_FIELDS,
    draft_discard,
    draft_reorder,
    draft_step_add,
    draft_step_move,
    draft_step_remove,
    draft_step_update,
    template_create,
    template_publish,
    template_update,
)
from onboarding.builder.migrate import (
    MIGRATE_INLINE_MAX,
    checklists_migrate,
    migrate_candidates,
    template_migrate_partners,
)

__all__ = [
    "EVENT_CHOOSABLE_KINDS",
    "MAX_DUE_DAYS",
    "MAX_MATCH_PROPERTIES",
    "MAX_STEPS",
    "MAX_TARGET",
    "MIGRATE_INLINE_MAX",
    "MIN_DUE_DAYS",
    "MIN_TARGET",
    "STEP_FIELDS",
    "TEMPLATE_FIELDS",
    "checklists_migrate",
    "draft_discard",
    "draft_reorder",
    "draft_step_add",
    "draft_step_move",
    "draft_step_remove",
    "draft_step_update",
    "migrate_candidates",
    "template_create",
    "template_migrate_partners",
    "template_publish",
    "template_update",
]
