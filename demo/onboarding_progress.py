"""Onboarding for the demo data set (called by ``demo.seed.seed_demo``).

What a vendor admin configures (the agreement and the demo program's activation paths from
``demo.onboarding``) is created BEFORE the partners, so every partner entering onboarding gets its
checklist through the real receiver (``partner.created`` → ``checklist_start``, dated the day it
joined). Steps then complete the way they do live: the partners' history (agreement acceptances
from here, profile updates, courses, certifications, deals) is matched against the pending steps
with onboarding's own matching code (``_event_matches``), each step is done at the
moment of the event that completes it (kick-off calls: when the owner verified them), and gets
the service's ``onboarding.step_completed`` event (key ``onboarding.step_completed:{step id}``,
``_step_event_properties``). The caller then records all of it; the receiver, seeing these events,
finds nothing left to complete.

No surprising activation: the partners already have their final status when their history is
recorded, and the receiver only activates a partner that is still onboarding. The history never
completes such a partner's checklist (partners that never activated register no deal, and a first
deal is a required step of every path); partners that did activate met every required step before
their activation date, so their checklist is complete and dated before ``activated_at``.
"""

import random
from datetime import datetime, timedelta

from demo.onboarding import AGREEMENT_TEXT, REFERRAL_STEPS, STANDARD_STEPS, _owner_rules, _template
from events.choices import EventKind as K
from events.services import NewEvent
from onboarding.choices import CompletedVia, StepKind, StepStatus
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    ChecklistStep,
    ChecklistTemplate,
    PartnerChecklist,
)
from onboarding.services.checklists import (
    _counts_colleagues,
    _event_matches,
    _step_event_properties,
)

AGREEMENT_VERSION = "2026.1"


def ensure_paths(*, program, referral_type, since: datetime) -> Agreement:
    """The partner agreement and the program's activation paths (a standard one and a lighter one
    for referral partners), created once. Returns the agreement partners accept."""
    agreement = Agreement.objects.filter(published_at__lte=since).first()
    if agreement is None:
        agreement, _ = Agreement.objects.get_or_create(
            version=AGREEMENT_VERSION,
            defaults={
                "title": "Partner program agreement",
                "body": AGREEMENT_TEXT,
                "published_at": since,
            },
        )
    if not ChecklistTemplate.objects.filter(program=program).exists():
        _template("Standard activation path", STANDARD_STEPS, program=program)
        if referral_type is not None:
            _template(
                "Referral partner path", REFERRAL_STEPS, program=program, partner_type=referral_type
            )
    return agreement


def owner_rules() -> int:
    """New partners of a region go to the manager who owns most of its demo partners."""
    return _owner_rules()


def build_onboarding(
    partners, *, seed: int, now: datetime, agreement: Agreement
) -> tuple[list[NewEvent], list[tuple[int, int, datetime]]]:
    """Agreement acceptances of ``partners`` (``demo.history.DomainPartner``) with their events,
    and the kick-off calls to verify once the history is recorded: (partner id, manager id, at)."""
    acceptances, events, kickoffs = [], [], []
    for partner in partners:
        if not partner.phases or partner.phases[0][2] != "onboarding" or not partner.members:
            continue  # applicants never got a checklist
        rng = random.Random(f"prm-demo-onboarding:{seed}:{partner.key}")
        end = partner.ended_at or now
        if partner.activated_at is not None:
            span = partner.activated_at - partner.joined_at
            accepted = partner.joined_at + span * rng.uniform(0.02, 0.3)
            kickoff = partner.joined_at + span * rng.uniform(0.1, 0.5)
        else:
            accepted = partner.joined_at + timedelta(days=rng.uniform(0.5, 9))
            accepted = accepted if rng.random() < 0.75 and accepted < end else None
            kickoff = partner.joined_at + timedelta(days=rng.uniform(3, 16))
            kickoff = kickoff if rng.random() < 0.4 and kickoff < end else None
        admin = partner.members[0][0]
        if accepted is not None:
            accepted = accepted.replace(microsecond=0)
            acceptances.append(
                AgreementAcceptance(
                    partner_id=partner.partner_id,
                    agreement=agreement,
                    accepted_by_id=admin,
                    accepted_at=accepted,
                )
            )
            events.append(
                NewEvent(
                    kind=K.AGREEMENT_ACCEPTED,
                    key=f"onboarding.agreement_accepted:{partner.partner_id}:{agreement.pk}",
                    partner_id=partner.partner_id,
                    user_id=admin,
                    occurred_at=accepted,
                    subject_type="onboarding.agreement",
                    subject_id=str(agreement.pk),
                    properties={"agreement": agreement.pk, "version": agreement.version},
                )
            )
        if kickoff is not None and partner.owner_id is not None:
            kickoffs.append((partner.partner_id, partner.owner_id, kickoff.replace(microsecond=0)))
    AgreementAcceptance.objects.bulk_create(acceptances, batch_size=500, ignore_conflicts=True)
    return events, kickoffs


def complete_steps(
    partners, *, events: list[NewEvent], kickoffs: list[tuple[int, int, datetime]]
) -> list[NewEvent]:
    """Complete the checklist steps that the partners' history (``events``, in time order)
    completes, as the receiver would, and the kick-off calls their owners verified; returns the
    ``onboarding.step_completed`` events (the service's key and properties).

    The same matching code as live (``_event_matches``) is run over the history in
    memory and the rows are written in bulk: going through ``events_apply`` event by event costs
    a dozen queries a step. A checklist that completes here must belong to a partner that was
    activated after its last required step (an onboarding partner would be activated live)."""
    activated = {p.partner_id: p.activated_at for p in partners}
    by_partner: dict[int, list[NewEvent]] = {}
    for event in events:
        by_partner.setdefault(event.partner_id, []).append(event)
    verified = {partner_id: (manager, at) for partner_id, manager, at in kickoffs}
    checklists = PartnerChecklist.objects.filter(
        partner_id__in=list(activated), completed_at__isnull=True
    ).prefetch_related("steps")
    done_steps, touched, out, just_done = [], [], [], set()

    def done(step: ChecklistStep, *, at: datetime, via: str, actor: int | None) -> None:
        step.status, step.completed_at, step.completed_via = StepStatus.DONE, at, via
        step.completed_by_id = actor
        step.progress = max(step.progress, step.target_count)
        just_done.add(step.pk)

    for checklist in checklists:
        history = [
            e
            for e in by_partner.get(checklist.partner_id, [])
            if e.occurred_at >= checklist.started_at
        ]
        steps = list(checklist.steps.all())
        for step in steps:
            if step.status != StepStatus.PENDING:
                continue
            if step.kind == StepKind.CUSTOM and step.key == "kickoff":
                manager, at = verified.get(checklist.partner_id, (None, None))
                if at is not None and at >= checklist.started_at:
                    done(step, at=at, via=CompletedVia.VERIFIED, actor=manager)
                continue
            if not step.waits_for or _counts_colleagues(step):
                continue  # colleagues steps count the team: colleague_steps_recount, after
            counted = list(step.counted)
            for event in history:
                if event.kind != step.waits_for or event.key in counted:
                    continue
                if not _event_matches(step, event):
                    continue
                counted.append(event.key)
                if len(counted) >= step.target_count:
                    done(step, at=event.occurred_at, via=CompletedVia.EVENT, actor=event.user_id)
                    break
            step.counted, step.progress = counted, max(step.progress, len(counted))
        finished = [s for s in steps if s.status == StepStatus.DONE and s.completed_at]
        if not finished:
            continue
        checklist.last_progress_at = max(s.completed_at for s in finished)
        required = [s for s in steps if s.required]
        if required and all(s.status == StepStatus.DONE for s in required):
            checklist.completed_at = max(s.completed_at for s in required)
            active_since = activated.get(checklist.partner_id)
            if active_since is None or checklist.completed_at > active_since:
                raise RuntimeError(
                    f"Demo history would activate partner {checklist.partner_id} at "
                    f"{checklist.completed_at} (activated at {active_since})."
                )
        touched.append(checklist)
        for step in steps:
            if step.status == StepStatus.DONE and step.pk in just_done:
                done_steps.append(step)
                out.append(
                    NewEvent(
                        kind=K.STEP_COMPLETED,
                        key=f"onboarding.step_completed:{step.pk}",
                        partner_id=checklist.partner_id,
                        user_id=step.completed_by_id,
                        occurred_at=step.completed_at,
                        subject_type="onboarding.checkliststep",
                        subject_id=str(step.pk),
                        properties=_step_event_properties(step, checklist),
                    )
                )
    ChecklistStep.objects.bulk_update(
        done_steps,
        ["status", "completed_at", "completed_by", "completed_via", "progress", "counted"],
        batch_size=500,
    )
    PartnerChecklist.objects.bulk_update(
        touched, ["last_progress_at", "completed_at"], batch_size=500
    )
    return out


def flag_stalls(*, now: datetime) -> int:
    """Flag the onboarding partners that stalled as of ``now`` (no alert emails: demo data)."""
    from onboarding.services.followup import stalls_flag

    return stalls_flag(now=now, notify=False)["flagged"]
