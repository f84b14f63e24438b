"""Templates and the draft of their steps, and publishing it as one new version (see the
package's docstring)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from events.choices import EventKind
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from onboarding.choices import STEP_KIND_EVENTS, StepKind
from onboarding.models import (
    ChecklistTemplate,
    StepDefinition,
    TemplateDraftStep,
    TemplateStep,
)

TEMPLATE_FIELDS = ("name", "description", "program", "partner_type", "tier", "is_active")
STEP_FIELDS = StepDefinition.DEFINITION_FIELDS
# What a step form may set (the key is made from the title once and never changes: migrating
# partners matches steps by key; the position is set by reordering).
STEP_INPUT_FIELDS = ("title", "why", "kind", "required", "due_days", "event_kind", "subject_id",
                     "match_properties", "target_count", "link_url", "translations")  # fmt: skip
MIN_DUE_DAYS, MAX_DUE_DAYS = 0, 365
MIN_TARGET, MAX_TARGET = 1, 100
MAX_MATCH_PROPERTIES = 10
MAX_STEPS = 50
# Kinds whose completing event the admin chooses (the others wait for their kind's own event).
EVENT_CHOOSABLE_KINDS = frozenset([StepKind.EVENT, StepKind.CUSTOM])


def lock_template(template: ChecklistTemplate) -> ChecklistTemplate:
    return ChecklistTemplate.objects.select_for_update().get(pk=template.pk)


def _check_targeting(data: dict) -> None:
    program, tier = data.get("program"), data.get("tier")
    if tier is not None and program is not None and tier.program_id != program.pk:
        raise ValidationError(
            {
                "tier": _("The tier %(tier)s belongs to another program than %(program)s.")
                % {"tier": tier.name, "program": program.name}
            }
        )


# --- Templates ------------------------------------------------------------------------------------


@transaction.atomic
def template_create(*, actor: User, data: dict) -> ChecklistTemplate:
    """A new template with no steps yet (add them, then publish). Version 1 until a partner gets
    it and the steps change."""
    _check_targeting(data)
    template = ChecklistTemplate(**{name: data[name] for name in TEMPLATE_FIELDS if name in data})
    template.full_clean()
    template.save()
    log_setup_change(
        actor=actor,
        obj=template,
        action=ADDED,
        after=snapshot(template, TEMPLATE_FIELDS),
        summary=_("Checklist template added"),
    )
    return template


@transaction.atomic
def template_update(*, actor: User, template: ChecklistTemplate, data: dict) -> ChecklistTemplate:
    """Name, description, targeting and whether it is active; they apply at once (to partners who
    get a checklist from now on; nobody's checklist changes)."""
    _check_targeting(data)
    template = lock_template(template)
    before = snapshot(template, TEMPLATE_FIELDS)
    for name in TEMPLATE_FIELDS:
        if name in data:
            setattr(template, name, data[name])
    template.full_clean()
    template.save()
    log_setup_change(
        actor=actor,
        obj=template,
        action=CHANGED,
        before=before,
        after=snapshot(template, TEMPLATE_FIELDS),
        summary=_("Checklist template changed"),
    )
    return template


# --- The draft ------------------------------------------------------------------------------------


def _definition(step) -> dict:
    return {name: getattr(step, name) for name in STEP_FIELDS}


def _open_draft(template: ChecklistTemplate) -> ChecklistTemplate:
    """Lock the template and make sure its draft exists (a copy of the published steps)."""
    template = lock_template(template)
    if template.draft_changed_at is None:
        TemplateDraftStep.objects.filter(template=template).delete()  # a leftover, if any
        TemplateDraftStep.objects.bulk_create(
            TemplateDraftStep(template=template, **_definition(step))
            for step in template.steps.all()
        )
    template.draft_changed_at = timezone.now()
    template.save(update_fields=["draft_changed_at"])
    return template


def _unique_key(template: ChecklistTemplate, title: str) -> str:
    base = slugify(title)[:50].strip("-") or "step"
    taken = set(TemplateDraftStep.objects.filter(template=template).values_list("key", flat=True))
    taken |= set(template.steps.values_list("key", flat=True))  # never reuse a published key
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _check_step(step: StepDefinition) -> None:
    """The builder's rules on top of the model's: sane ranges, an event from the kinds registry
    and only where the kind lets the admin choose it, then ``StepDefinition.clean`` (the subject
    exists, is published and open to the template's partners; the link is safe) and the field
    rules. Errors are keyed by field."""
    errors: dict[str, list[str]] = {}
    step.event_kind = (step.event_kind or "").strip()
    if step.due_days is None or not MIN_DUE_DAYS <= step.due_days <= MAX_DUE_DAYS:
        errors["due_days"] = [
            _("Give a number of days from %(min)d to %(max)d.")
            % {"min": MIN_DUE_DAYS, "max": MAX_DUE_DAYS}
        ]
    if step.target_count is None or not MIN_TARGET <= step.target_count <= MAX_TARGET:
        errors["target_count"] = [
            _("Give a count from %(min)d to %(max)d.") % {"min": MIN_TARGET, "max": MAX_TARGET}
        ]
    if step.event_kind:
        if step.event_kind not in EventKind.values:
            errors["event_kind"] = [_("Choose an event from the list of recorded events.")]
        elif step.kind not in EVENT_CHOOSABLE_KINDS:
            usual = STEP_KIND_EVENTS.get(step.kind, ("", ""))[0]
            if step.event_kind == usual:
                step.event_kind = ""  # the usual one: stored blank, as the model documents
            else:
                errors["event_kind"] = [
                    _(
                        "This kind of step completes on its own event; choose “Any recorded "
                        "event” to wait for another one."
                    )
                ]
    props = step.match_properties
    if isinstance(props, dict) and len(props) > MAX_MATCH_PROPERTIES:
        errors["match_properties"] = [
            _("At most %(n)d extra properties.") % {"n": MAX_MATCH_PROPERTIES}
        ]
    try:
        step.full_clean(exclude=["template"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors[field])
    if errors:
        raise ValidationError(errors)


def _assign_step(step: StepDefinition, data: dict) -> None:
    for name in STEP_INPUT_FIELDS:
        if name in data:
            setattr(step, name, data[name])
    if step.match_properties is None:
        step.match_properties = {}


@transaction.atomic
def draft_step_add(*, actor: User, template: ChecklistTemplate, data: dict) -> TemplateDraftStep:
    """A step at the end of the draft; its key is made from its title (stable from then on)."""
    template = _open_draft(template)
    count = TemplateDraftStep.objects.filter(template=template).count()
    if count >= MAX_STEPS:
        raise ValidationError(_("A checklist has at most %(n)d steps.") % {"n": MAX_STEPS})
    last = TemplateDraftStep.objects.filter(template=template).aggregate(m=Max("position"))["m"]
    step = TemplateDraftStep(template=template, position=0 if last is None else last + 1)
    _assign_step(step, data)
    step.key = _unique_key(template, step.title or "")
    _check_step(step)
    step.save()
    log_setup_change(
        actor=actor,
        obj=step,
        action=ADDED,
        after=snapshot(step, STEP_FIELDS),
        summary=_("Step added to the draft of checklist “%(name)s”") % {"name": template.name},
    )
    return step


@transaction.atomic
def draft_step_update(
    *, actor: User, template: ChecklistTemplate, key: str, data: dict
) -> TemplateDraftStep:
    template = _open_draft(template)
    step = TemplateDraftStep.objects.select_for_update().filter(template=template, key=key).first()
    if step is None:
        raise ValidationError(_("The draft has no such step."))
    before = snapshot(step, STEP_FIELDS)
    _assign_step(step, data)
    _check_step(step)
    step.save()
    log_setup_change(
        actor=actor,
        obj=step,
        action=CHANGED,
        before=before,
        after=snapshot(step, STEP_FIELDS),
        summary=_("Step changed in the draft of checklist “%(name)s”") % {"name": template.name},
    )
    return step


@transaction.atomic
def draft_step_remove(*, actor: User, template: ChecklistTemplate, key: str) -> None:
    """Take a step out of the draft (partners lose it only when the draft is published and they
    are migrated; a step they already did stays on their checklist, as optional)."""
    template = _open_draft(template)
    step = TemplateDraftStep.objects.filter(template=template, key=key).first()
    if step is None:
        raise ValidationError(_("The draft has no such step."))
    log_setup_change(
        actor=actor,
        obj=step,
        action=DELETED,
        before=snapshot(step, STEP_FIELDS),
        summary=_("Step removed from the draft of checklist “%(name)s”") % {"name": template.name},
    )
    step.delete()
    _renumber(template, list(_draft_keys(template)))


def _draft_keys(template: ChecklistTemplate):
    return (
        TemplateDraftStep.objects.filter(template=template)
        .order_by("position", "pk")
        .values_list("key", flat=True)
    )


def _renumber(template: ChecklistTemplate, keys: list[str]) -> None:
    steps = {s.key: s for s in TemplateDraftStep.objects.filter(template=template)}
    changed = []
    for position, key in enumerate(keys):
        step = steps[key]
        if step.position != position:
            step.position = position
            changed.append(step)
    TemplateDraftStep.objects.bulk_update(changed, ["position"])


@transaction.atomic
def draft_reorder(*, actor: User, template: ChecklistTemplate, keys: list[str]) -> list[str]:
    """Put the draft's steps in the order of ``keys`` (every step's key exactly once)."""
    template = _open_draft(template)
    before = list(_draft_keys(template))
    if len(keys) != len(set(keys)) or set(keys) != set(before):
        raise ValidationError(
            _("The order must name every step of the draft once; reload the page and try again.")
        )
    _renumber(template, keys)
    log_setup_change(
        actor=actor,
        obj=template,
        action=CHANGED,
        before={"draft_order": ", ".join(before)},
        after={"draft_order": ", ".join(keys)},
        summary=_("Steps reordered in the draft"),
    )
    return list(keys)


@transaction.atomic
def draft_step_move(
    *, actor: User, template: ChecklistTemplate, key: str, offset: int
) -> list[str]:
    """Move one step up (``offset`` -1) or down (+1); refused at either end."""
    template = _open_draft(template)
    keys = list(_draft_keys(template))
    if key not in keys:
        raise ValidationError(_("The draft has no such step."))
    index = keys.index(key)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(keys):
        raise ValidationError(_("The step cannot move further that way."))
    keys[index], keys[target] = keys[target], keys[index]
    return draft_reorder(actor=actor, template=template, keys=keys)


@transaction.atomic
def draft_discard(*, actor: User, template: ChecklistTemplate) -> ChecklistTemplate:
    """Throw the draft away: the published steps stay as they are."""
    template = lock_template(template)
    if template.draft_changed_at is None:
        raise ValidationError(_("There is no draft to discard."))
    before = [f"{s.key}: {s.title}" for s in template.draft_steps.order_by("position", "pk")]
    TemplateDraftStep.objects.filter(template=template).delete()
    template.draft_changed_at = None
    template.save(update_fields=["draft_changed_at"])
    log_setup_change(
        actor=actor,
        obj=template,
        action=CHANGED,
        before={"draft_steps": "; ".join(before)},
        after={"draft_steps": ""},
        summary=_("Draft discarded"),
    )
    return template


# --- Publishing -----------------------------------------------------------------------------------


@transaction.atomic
def template_publish(*, actor: User, template: ChecklistTemplate) -> ChecklistTemplate:
    """Make the draft the steps partners get, as one new version. Every draft step is checked
    again (the template's targeting may have changed since it was written); a refusal lists the
    steps at fault and publishes nothing. Partners keep their snapshot until migrated."""
    template = lock_template(template)
    if template.draft_changed_at is None:
        raise ValidationError(_("There is no draft to publish."))
    drafts = list(template.draft_steps.order_by("position", "pk"))
    if not drafts:
        raise ValidationError(_("The draft has no steps: add one before publishing."))
    problems = []
    for step in drafts:
        step.template = template
        try:
            _check_step(step)
        except ValidationError as exc:
            problems.append(
                _("“%(title)s”: %(errors)s")
                % {"title": step.title, "errors": " ".join(exc.messages)}
            )
    if problems:
        raise ValidationError([_("Fix these steps before publishing:"), *problems])
    published = {s.key: s for s in template.steps.all()}
    before = {
        "version": template.version,
        "steps": "; ".join(f"{k}: {s.title}" for k, s in published.items()),
    }
    for position, draft in enumerate(drafts):
        fields = {**_definition(draft), "position": position}
        step = published.pop(draft.key, None)
        if step is None:
            TemplateStep.objects.create(template=template, **fields)
        else:
            for name, value in fields.items():
                setattr(step, name, value)
            step.save()
    TemplateStep.objects.filter(pk__in=[s.pk for s in published.values()]).delete()
    # A template nobody has a checklist of yet keeps its number the first time; afterwards each
    # publish is one new version, however many edits the draft had.
    first = template.published_at is None and not template.checklists.exists()
    if not first:
        template.version += 1
    template.published_at = timezone.now()
    template.draft_changed_at = None
    template.save(update_fields=["version", "published_at", "draft_changed_at", "updated_at"])
    TemplateDraftStep.objects.filter(template=template).delete()
    log_setup_change(
        actor=actor,
        obj=template,
        action=CHANGED,
        before=before,
        after={
            "version": template.version,
            "steps": "; ".join(f"{d.key}: {d.title}" for d in drafts),
        },
        summary=_("Checklist published as version %(version)d") % {"version": template.version},
    )
    return template
