"""Checklists: starting one from a template (a snapshot), completing steps (from events, uploads or a
manager's verification), activating the partner at the last required step, and migrating a
checklist to a newer template version."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.choices import EventKind
from events.services import NewEvent, record_event, record_events
from kernel.uploads import inspect_upload
from onboarding import selectors
from onboarding.choices import STEP_KIND_EVENTS, CompletedVia, StepKind, StepStatus
from onboarding.experiments.assignment import (
    checklist_template_at_approval,
    programs_with_experiments,
)
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    ChecklistDocument,
    ChecklistStep,
    ChecklistTemplate,
    PartnerChecklist,
    StepDefinition,
)
from onboarding.services.base import OnboardingError, absolute_url, email_on_commit
from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.choices import PartnerStatus
from partners.models import PartnerMembership

# Properties every event of a kind must have for a step of that kind (beyond its subject).
KIND_DEFAULT_MATCH = {StepKind.PROFILE: {"complete": True}}


def _definition(step: StepDefinition) -> dict:
    return {name: getattr(step, name) for name in StepDefinition.DEFINITION_FIELDS}


@transaction.atomic
def template_bump_version(*, template: ChecklistTemplate) -> ChecklistTemplate:
    """Mark a template's steps as changed. Partners on the old version keep their own steps."""
    ChecklistTemplate.objects.filter(pk=template.pk).update(version=F("version") + 1)
    template.refresh_from_db(fields=["version"])
    return template


@transaction.atomic
def checklist_start(
    *, partner, actor: User | None = None, template: ChecklistTemplate | None = None, at=None
) -> PartnerChecklist | None:
    """Give the partner its checklist: a copy of the matching template's current steps, due dates
    counted from now. Returns the existing checklist if there is one, None if no template fits."""
    existing = PartnerChecklist.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    template = template or selectors.template_for_partner(partner=partner)
    if template is None:
        return None
    at = at or timezone.now()
    checklist = PartnerChecklist.objects.create(
        partner=partner,
        template=template,
        template_name=template.name,
        version=template.version,
        started_at=at,
        last_progress_at=at,
    )
    ChecklistStep.objects.bulk_create(
        ChecklistStep(
            checklist=checklist,
            template_step=step,
            due_at=at + timedelta(days=step.due_days),
            **_definition(step),
        )
        for step in template.steps.all()
    )
    record_event(
        kind=EventKind.CHECKLIST_STARTED,
        key=f"onboarding.checklist_started:{checklist.pk}",
        partner=partner,
        user=actor,
        subject=checklist,
        occurred_at=at,
        properties={"checklist": template.pk, "version": template.version},
    )
    # The team may already have colleagues (a partner set up in the admin with its people).
    colleague_steps_recount(partner_ids=[partner.pk])
    return checklist


def _step_event_properties(step: ChecklistStep, checklist: PartnerChecklist) -> dict:
    """The ``onboarding.step_completed`` contract (the metrics' activation funnel reads it)."""
    return {
        "checklist": checklist.template_id,
        "version": checklist.version,
        "step": step.template_step_id,
        "step_key": step.key,
        "step_title": step.title,
        "position": step.position,
        "required": step.required,
        "kind": step.kind,
        "via": step.completed_via,
    }


@transaction.atomic
def step_complete(
    *, step: ChecklistStep, via: str, actor: User | None = None, at=None
) -> ChecklistStep:
    """Mark a step done (once: completing a done step changes nothing). The last required step
    activates the partner."""
    step = ChecklistStep.objects.select_for_update().select_related("checklist").get(pk=step.pk)
    if step.status == StepStatus.DONE:
        return step
    at = at or timezone.now()
    step.status = StepStatus.DONE
    step.completed_at = at
    step.completed_by = actor
    step.completed_via = via
    step.progress = max(step.progress, step.target_count)
    step.save(update_fields=["status", "completed_at", "completed_by", "completed_via", "progress"])
    checklist = step.checklist
    PartnerChecklist.objects.filter(pk=checklist.pk).update(
        last_progress_at=at, stalled_reason="", stalled_since=None
    )
    record_event(
        kind=EventKind.STEP_COMPLETED,
        key=f"onboarding.step_completed:{step.pk}",
        partner=checklist.partner,
        user=actor,
        subject=step,
        occurred_at=at,
        properties=_step_event_properties(step, checklist),
    )
    _activate_if_complete(checklist=checklist, actor=actor, at=at)
    return step


def _activate_if_complete(*, checklist: PartnerChecklist, actor: User | None, at) -> bool:
    """Complete the checklist and activate the partner when no required step is left."""
    checklist = PartnerChecklist.objects.select_for_update().get(pk=checklist.pk)
    if checklist.completed_at is not None:
        return False
    steps = checklist.steps.all()
    if not steps.filter(required=True).exists():
        return False  # nothing defines "active" for this checklist: a manager decides
    if steps.filter(required=True, status=StepStatus.PENDING).exists():
        return False
    checklist.completed_at = at
    checklist.stalled_reason, checklist.stalled_since = "", None
    checklist.save(update_fields=["completed_at", "stalled_reason", "stalled_since"])
    partner = checklist.partner
    if partner.status in (PartnerStatus.APPLICANT, PartnerStatus.ONBOARDING):
        if partner.status == PartnerStatus.APPLICANT:
            partner_services.partner_set_status(
                partner=partner, status=PartnerStatus.ONBOARDING, actor=actor, at=at
            )
        partner = partner_services.partner_set_status(
            partner=partner, status=PartnerStatus.ACTIVE, actor=actor, at=at
        )
        from onboarding.services.followup import survey_send

        if partner.owner is not None:
            email_on_commit(
                key=f"onboarding.activated:{checklist.pk}",
                template="onboarding_partner_activated",
                subject=lambda: (
                    _("%(partner)s is now an active partner") % {"partner": partner.name}
                ),
                recipients=[partner.owner.email],
                context={
                    "partner": partner,
                    "url": absolute_url("partners:manager_partner", partner.pk),
                },
            )
        survey_send(partner=partner)
    return True


def _event_matches(step: ChecklistStep, event) -> bool:
    props = event.properties or {}

    def same(a, b) -> bool:
        return a == b or (a is not None and str(a) == str(b))

    if step.kind == StepKind.DOCUMENT:
        return same(props.get("step"), step.pk)
    if step.subject_id:
        prop = step.subject_property
        by_property = bool(prop) and same(props.get(prop), step.subject_id)
        by_subject = event.subject_id == step.subject_id and (
            not prop or event.subject_type.endswith(f".{prop}")
        )
        if not (by_property or by_subject):
            return False
    wanted = {**KIND_DEFAULT_MATCH.get(step.kind, {}), **(step.match_properties or {})}
    return all(same(props.get(name), value) for name, value in wanted.items())


def _counts_colleagues(step: ChecklistStep) -> bool:
    """An INVITE step waiting for its default event counts the real team, not events: people
    added by invitation, in the Django admin, by an import or before the checklist started all
    count, and a removed or deactivated person stops counting."""
    return step.kind == StepKind.INVITE and step.waits_for == EventKind.USER_JOINED


@transaction.atomic
def colleagues_step_recount(*, step: ChecklistStep, actor: User | None = None) -> bool:
    """Set an INVITE step's progress to the partner's current number of colleagues
    (partners.selectors.colleague_join_dates) and complete it once that reaches its target,
    dated when the colleague who reached it joined (not before the checklist started). A done
    step stays done. True if this call completed it."""
    step = ChecklistStep.objects.select_for_update().select_related("checklist").get(pk=step.pk)
    if step.status == StepStatus.DONE:
        return False
    joined = partner_selectors.colleague_join_dates(partner_id=step.checklist.partner_id)
    if step.progress != len(joined):
        step.progress = len(joined)
        step.save(update_fields=["progress"])
    if len(joined) < step.target_count or not joined:
        return False
    at = max(joined[max(step.target_count, 1) - 1], step.checklist.started_at)
    step_complete(step=step, via=CompletedVia.EVENT, actor=actor, at=at)
    return True


def colleague_steps_recount(*, partner_ids=None) -> int:
    """Recount every pending colleagues step (of ``partner_ids``, else of every partner), for
    data written before teams were counted this way; safe to run any number of times. Returns
    how many steps it completed."""
    steps = ChecklistStep.objects.filter(
        Q(event_kind="") | Q(event_kind=EventKind.USER_JOINED),
        kind=StepKind.INVITE,
        status=StepStatus.PENDING,
    ).order_by("pk")
    if partner_ids is not None:
        steps = steps.filter(checklist__partner_id__in=list(partner_ids))
    return sum(colleagues_step_recount(step=step) for step in steps)


def checklists_start_for_events(*, events) -> int:
    """Every partner that enters onboarding (created in that status, or moved to it) gets its
    checklist, however it got there: an approved application, the admin, an import."""
    from partners.models import Partner

    entering = {
        e.partner_id: e.occurred_at
        for e in events
        if e.partner_id is not None
        and (
            (e.kind == EventKind.PARTNER_CREATED and e.properties.get("status") == "onboarding")
            or (
                e.kind == EventKind.PARTNER_STATUS_CHANGED
                and e.properties.get("to") == PartnerStatus.ONBOARDING
            )
        )
    }
    # A partner joining the program (approved, created by staff in onboarding or moved there
    # from applicant; not imported) falls in a
    # running activation experiment of its scope: assigned once, it gets its variant's checklist;
    # after a roll-out it gets the winner's.
    joining = {
        e.partner_id
        for e in events
        if (
            e.kind == EventKind.PARTNER_CREATED
            and e.properties.get("status") == "onboarding"
            and e.properties.get("import") is None
        )
        or (
            e.kind == EventKind.PARTNER_STATUS_CHANGED
            and e.properties.get("from") == PartnerStatus.APPLICANT
            and e.properties.get("to") == PartnerStatus.ONBOARDING
        )
    }
    partners = list(Partner.objects.filter(pk__in=list(entering)).exclude(checklist__isnull=False))
    started = 0
    if joining:
        in_experiment = programs_with_experiments()
        joining = {p.pk for p in partners if p.pk in joining and p.program_id in in_experiment}
        for partner in [p for p in partners if p.pk in joining]:
            template = checklist_template_at_approval(partner=partner, at=entering[partner.pk])
            started += (
                checklist_start(partner=partner, at=entering[partner.pk], template=template)
                is not None
            )
        partners = [p for p in partners if p.pk not in joining]
    if len(partners) == 1:
        return started + int(
            checklist_start(partner=partners[0], at=entering[partners[0].pk]) is not None
        )
    return started + (checklists_start_many(partners=partners, at=entering) if partners else 0)


@transaction.atomic
def checklists_start_many(*, partners, at: dict) -> int:
    """``checklist_start`` for many partners at once (an import creates thousands in
    *onboarding*): the same checklists, steps and ``onboarding.checklist_started`` events, in a
    constant number of queries (one template read, bulk inserts, one event batch, one colleagues
    recount) instead of about ten per partner. ``partners`` have no checklist yet; ``at`` maps
    each partner id to its start. Returns how many checklists were started."""
    templates = list(ChecklistTemplate.objects.filter(is_active=True).prefetch_related("steps"))

    def template_for(partner):  # selectors.template_for_partner, on the templates read once
        fits = [
            t
            for t in templates
            if t.program_id in (None, partner.program_id)
            and t.partner_type_id in (None, partner.partner_type_id)
            and t.tier_id in (None, partner.tier_id)
        ]
        return max(fits, key=lambda t: (t.specificity, t.updated_at, t.pk), default=None)

    now = timezone.now()
    checklists = []
    for partner in partners:
        template = template_for(partner)
        if template is None:
            continue
        start = at.get(partner.pk) or now
        checklists.append(
            PartnerChecklist(
                partner=partner,
                template=template,
                template_name=template.name,
                version=template.version,
                started_at=start,
                last_progress_at=start,
            )
        )
    if not checklists:
        return 0
    PartnerChecklist.objects.bulk_create(checklists, batch_size=500)
    ChecklistStep.objects.bulk_create(
        (
            ChecklistStep(
                checklist=checklist,
                template_step=step,
                due_at=checklist.started_at + timedelta(days=step.due_days),
                **_definition(step),
            )
            for checklist in checklists
            for step in checklist.template.steps.all()
        ),
        batch_size=1000,
    )
    record_events(
        NewEvent(
            kind=EventKind.CHECKLIST_STARTED,
            key=f"onboarding.checklist_started:{checklist.pk}",
            partner_id=checklist.partner_id,
            occurred_at=checklist.started_at,
            subject_type=checklist._meta.label_lower,
            subject_id=str(checklist.pk),
            properties={"checklist": checklist.template_id, "version": checklist.version},
        )
        for checklist in checklists
    )
    # The team may already have colleagues; a partner without members has nothing to count.
    staffed = PartnerMembership.objects.filter(
        partner_id__in=[c.partner_id for c in checklists]
    ).values_list("partner_id", flat=True)
    if staffed:
        colleague_steps_recount(partner_ids=set(staffed))
    return len(checklists)


def events_apply(*, events) -> int:
    """Advance the pending steps that these newly recorded events complete. Called inside the
    recording transaction (the ``onboarding.steps`` consumer of ``events.consumers``); safe to
    call twice with the same events: a counted event is remembered on the step and a done step
    stays done."""
    by_partner = {}
    for event in events:
        if event.partner_id is not None:
            by_partner.setdefault(event.partner_id, []).append(event)
    if not by_partner:
        return 0
    kinds = {e.kind for batch in by_partner.values() for e in batch}
    default_kinds = [k for k, (event_kind, _) in STEP_KIND_EVENTS.items() if event_kind in kinds]
    if EventKind.USER_REMOVED in kinds:
        default_kinds.append(StepKind.INVITE)  # the team shrank: recount (progress goes down)
    # Steps keep following events after the checklist is complete (the partner activated):
    # activation stays a fact, optional steps still show what the partner did.
    candidates = list(
        ChecklistStep.objects.filter(
            Q(event_kind__in=kinds) | Q(event_kind="", kind__in=default_kinds),
            status=StepStatus.PENDING,
            checklist__partner_id__in=list(by_partner),
        )
        .select_related("checklist")
        .order_by("pk")
    )
    completed = 0
    for step in candidates:
        if _counts_colleagues(step):
            completed += colleagues_step_recount(step=step, actor=_joined_actor(by_partner, step))
            continue
        for event in by_partner[step.checklist.partner_id]:
            if event.kind != step.waits_for or not _event_matches(step, event):
                continue
            if _count_event(step=step, event=event):
                completed += 1
                break
    return completed


def _joined_actor(by_partner: dict, step: ChecklistStep) -> User | None:
    """Who completes a colleagues step: the last person to join in this batch of events."""
    joined = [e for e in by_partner[step.checklist.partner_id] if e.kind == EventKind.USER_JOINED]
    user_id = joined[-1].user_id if joined else None
    return User.objects.filter(pk=user_id).first() if user_id else None


@transaction.atomic
def _count_event(*, step: ChecklistStep, event) -> bool:
    """Count one matching event towards the step; complete it at its target. True if done."""
    step = ChecklistStep.objects.select_for_update().get(pk=step.pk)
    if step.status == StepStatus.DONE:
        return False
    if event.idempotency_key in step.counted:
        return False
    step.counted = [*step.counted, event.idempotency_key]
    step.progress = len(step.counted)
    step.save(update_fields=["counted", "progress"])
    if step.progress < step.target_count:
        return False
    actor = User.objects.filter(pk=event.user_id).first() if event.user_id else None
    step_complete(step=step, via=CompletedVia.EVENT, actor=actor, at=event.occurred_at)
    return True


@transaction.atomic
def step_verify(*, step: ChecklistStep, actor: User) -> ChecklistStep:
    """A channel manager confirms a custom step."""
    if not actor.is_channel_manager:
        raise OnboardingError("Only vendor staff can verify a step.")
    if step.kind != StepKind.CUSTOM:
        raise OnboardingError("This step completes itself; only custom steps are verified.")
    return step_complete(step=step, via=CompletedVia.VERIFIED, actor=actor)


@transaction.atomic
def agreement_accept(
    *, partner, agreement: Agreement, user: User, ip_address: str | None = None
) -> AgreementAcceptance:
    """The click-through: a partner admin accepts an agreement version for their company. The
    event it records completes the agreement step."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.partner_id != partner.pk or not membership.is_admin:
        raise OnboardingError("Only a partner admin of this company can accept the agreement.")
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        partner=partner,
        agreement=agreement,
        defaults={"accepted_by": user, "ip_address": ip_address},
    )
    if created:
        record_event(
            kind=EventKind.AGREEMENT_ACCEPTED,
            key=f"onboarding.agreement_accepted:{partner.pk}:{agreement.pk}",
            partner=partner,
            user=user,
            subject=agreement,
            occurred_at=acceptance.accepted_at,
            properties={"agreement": agreement.pk, "version": agreement.version},
        )
    return acceptance


# What an onboarding document may be (checked by the one upload inspector, kernel.uploads).
DOCUMENT_EXTENSIONS = frozenset({"pdf", "png", "jpg", "jpeg", "doc", "docx", "odt", "txt"})
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@transaction.atomic
def document_upload(*, step: ChecklistStep, file, user: User) -> ChecklistDocument:
    """Store a document for a document step; the event it records completes the step."""
    if step.kind != StepKind.DOCUMENT:
        raise OnboardingError("This step does not take a document.")
    name = file.name or ""
    try:
        info = inspect_upload(
            file, name=name, extensions=DOCUMENT_EXTENSIONS, max_bytes=MAX_DOCUMENT_BYTES
        )
    except ValidationError as exc:
        if exc.code == "extension":
            raise OnboardingError(
                "Upload a PDF, image, Word, OpenDocument or text file "
                f"({', '.join(f'.{ext}' for ext in sorted(DOCUMENT_EXTENSIONS))})."
            ) from exc
        raise OnboardingError(" ".join(exc.messages)) from exc
    document = ChecklistDocument.objects.create(
        step=step, file=file, original_name=info.name[:200], size=info.size, uploaded_by=user
    )
    record_event(
        kind=EventKind.DOCUMENT_UPLOADED,
        key=f"onboarding.document_uploaded:{document.pk}",
        partner=step.checklist.partner,
        user=user,
        subject=document,
        properties={"step": step.pk, "step_key": step.key, "size": document.size},
    )
    return document


@transaction.atomic
def checklist_migrate(*, checklist: PartnerChecklist, actor: User) -> PartnerChecklist:
    """Move a partner's checklist to its template's current version. Steps are matched by key:
    done steps stay done, new steps are added (due from the original start), steps the new
    version dropped are removed unless already done (those stay, as optional)."""
    checklist = (
        PartnerChecklist.objects.select_for_update(of=("self",))
        .select_related("template")
        .get(pk=checklist.pk)
    )
    template = checklist.template
    if template is None or template.version <= checklist.version:
        raise OnboardingError("This checklist already follows the current template version.")
    if checklist.completed_at is not None:
        raise OnboardingError("This checklist is complete; there is nothing to migrate.")
    current = {step.key: step for step in checklist.steps.select_for_update()}
    new_keys = set()
    for tstep in template.steps.all():
        new_keys.add(tstep.key)
        fields = _definition(tstep)
        step = current.get(tstep.key)
        if step is None:
            ChecklistStep.objects.create(
                checklist=checklist,
                template_step=tstep,
                due_at=checklist.started_at + timedelta(days=tstep.due_days),
                **fields,
            )
            continue
        for name, value in fields.items():
            setattr(step, name, value)
        step.template_step = tstep
        step.due_at = checklist.started_at + timedelta(days=tstep.due_days)
        step.save()
    for key, step in current.items():
        if key in new_keys:
            continue
        if step.status == StepStatus.DONE:
            step.required = False
            step.save(update_fields=["required"])
        else:
            step.delete()
    previous = checklist.version
    checklist.version = template.version
    checklist.template_name = template.name
    checklist.migrated_at = timezone.now()
    checklist.save(update_fields=["version", "template_name", "migrated_at"])
    record_event(
        kind=EventKind.CHECKLIST_MIGRATED,
        key=f"onboarding.checklist_migrated:{checklist.pk}:{template.version}",
        partner=checklist.partner,
        user=actor,
        subject=checklist,
        properties={"checklist": template.pk, "from": previous, "to": template.version},
    )
    _activate_if_complete(checklist=checklist, actor=actor, at=timezone.now())
    return checklist
