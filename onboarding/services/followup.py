"""Follow-up: due-soon / overdue reminders, 30/60/90-day check-ins, stalled partners, and the
survey after activation. The jobs that call these can run any number of times: each reminder
is claimed by inserting a ``SentReminder`` with a unique key before anything is sent."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.choices import EventKind
from events.services import record_event
from onboarding import selectors
from onboarding.choices import CHECKIN_DAYS, ReminderKind, StepStatus
from onboarding.models import ChecklistStep, OnboardingSurvey, PartnerChecklist, SentReminder
from onboarding.services.base import OnboardingError, absolute_url, email_on_commit
from partners.choices import PartnerStatus


def _recipients(partner) -> list[str]:
    """Partner admins; before anyone joined, the contact from the application."""
    emails = selectors.partner_admin_emails(partner=partner)
    if not emails:
        application = getattr(partner, "application", None)
        emails = [application.contact_email] if application is not None else []
    return emails


def _claim(*, key: str, kind: str, checklist, step=None, recipients: list[str], now) -> bool:
    """Insert the reminder's record; False when it was already sent (the job ran before)."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(
                key=key,
                kind=kind,
                checklist=checklist,
                step=step,
                recipients=recipients,
                sent_at=now,
            )
    except IntegrityError:
        return False
    record_event(
        kind=EventKind.REMINDER_SENT,
        key=f"onboarding.reminder_sent:{key}",
        partner=checklist.partner,
        subject=checklist,
        occurred_at=now,
        properties={"reminder": kind, "step": step.template_step_id if step else None},
    )
    return True


@transaction.atomic
def _remind_step(*, step: ChecklistStep, kind: str, now) -> bool:
    checklist = step.checklist
    partner = checklist.partner
    recipients = _recipients(partner)
    if not recipients or not _claim(
        key=f"{kind}:{step.pk}",
        kind=kind,
        checklist=checklist,
        step=step,
        recipients=recipients,
        now=now,
    ):
        return False
    overdue = kind == ReminderKind.OVERDUE
    email_on_commit(
        key=f"onboarding.reminder:{kind}:{step.pk}",
        template="onboarding_step_reminder",
        subject=lambda: (
            (_("Overdue: %(step)s") if overdue else _("Due soon: %(step)s")) % {"step": step.title}
        ),
        recipients=recipients + ([partner.owner.email] if overdue and partner.owner else []),
        context={
            "partner": partner,
            "step": step,
            "overdue": overdue,
            "url": absolute_url("onboarding:checklist"),
        },
    )
    return True


@transaction.atomic
def _check_in(*, checklist: PartnerChecklist, days: int, now) -> bool:
    partner = checklist.partner
    kind = CHECKIN_DAYS[days]
    recipients = _recipients(partner)
    if not recipients or not _claim(
        key=f"{kind}:{checklist.pk}", kind=kind, checklist=checklist, recipients=recipients, now=now
    ):
        return False
    summary = selectors.checklist_summary(
        PartnerChecklist.objects.prefetch_related("steps").get(pk=checklist.pk), now=now
    )
    email_on_commit(
        key=f"onboarding.reminder:{kind}:{checklist.pk}",
        template="onboarding_checkin",
        subject=lambda: (
            _("Day %(days)s with %(partner)s: how is it going?")
            % {"days": days, "partner": partner.name}
        ),
        recipients=recipients + ([partner.owner.email] if partner.owner else []),
        context={
            "partner": partner,
            "days": days,
            "summary": summary,
            "url": absolute_url("onboarding:checklist"),
        },
    )
    return True


def reminders_send(*, now=None) -> dict[str, int]:
    """Send what is due now and was never sent: due-soon (within ``PRM_ONBOARDING_DUE_SOON_DAYS``)
    and overdue reminders for pending steps of onboarding partners, and the 30/60/90-day check-ins
    (within a week of the day, so a late first run does not flood old partners)."""
    now = now or timezone.now()
    soon = now + timedelta(days=int(settings.PRM_ONBOARDING_DUE_SOON_DAYS))
    sent = {"due_soon": 0, "overdue": 0, "checkin": 0}
    open_steps = ChecklistStep.objects.filter(
        status=StepStatus.PENDING,
        checklist__completed_at__isnull=True,
        checklist__partner__status=PartnerStatus.ONBOARDING,
    ).select_related("checklist__partner__owner", "checklist__partner__application")
    for step in open_steps.filter(due_at__gt=now, due_at__lte=soon).exclude(
        reminders__kind=ReminderKind.DUE_SOON
    ):
        sent["due_soon"] += _remind_step(step=step, kind=ReminderKind.DUE_SOON, now=now)
    for step in open_steps.filter(due_at__lte=now).exclude(reminders__kind=ReminderKind.OVERDUE):
        sent["overdue"] += _remind_step(step=step, kind=ReminderKind.OVERDUE, now=now)
    for days, kind in CHECKIN_DAYS.items():
        window_start = now - timedelta(days=days + 7)
        due = (
            PartnerChecklist.objects.filter(
                started_at__lte=now - timedelta(days=days), started_at__gt=window_start
            )
            .exclude(reminders__kind=kind)
            .select_related("partner__owner", "partner__application")
        )
        for checklist in due:
            sent["checkin"] += _check_in(checklist=checklist, days=days, now=now)
    return sent


def _stall_reason(checklist: PartnerChecklist, now) -> str:
    steps = list(checklist.steps.all())
    overdue = [s for s in steps if s.required and s.status == StepStatus.PENDING and s.due_at < now]
    idle_days = (now - checklist.last_progress_at).days
    reasons = []
    if overdue:
        names = ", ".join(s.title for s in overdue[:3]) + ("…" if len(overdue) > 3 else "")
        count = len(overdue)
        reasons.append(f"{count} required step{'s' if count > 1 else ''} overdue: {names}")
    if idle_days >= int(settings.PRM_ONBOARDING_STALL_DAYS):
        reasons.append(f"no progress for {idle_days} days")
    text = "; ".join(reasons)
    return (text[:1].upper() + text[1:])[:300]


def stalls_flag(*, now=None, notify: bool = True) -> dict[str, int]:
    """Flag onboarding partners with no progress for ``PRM_ONBOARDING_STALL_DAYS`` (14) or with
    overdue required steps, with the reason; clear the flag of those back on track. The owner is
    alerted once per stall (``notify=False``: flag only, e.g. when loading demo data)."""
    now = now or timezone.now()
    counts = {"flagged": 0, "cleared": 0}
    checklists = (
        PartnerChecklist.objects.filter(
            completed_at__isnull=True, partner__status=PartnerStatus.ONBOARDING
        )
        .select_related("partner__owner")
        .prefetch_related("steps")
    )
    for checklist in checklists.iterator(chunk_size=500):
        reason = _stall_reason(checklist, now)
        if reason and checklist.stalled_since is None:
            counts["flagged"] += _flag(checklist=checklist, reason=reason, now=now, notify=notify)
        elif reason and reason != checklist.stalled_reason:
            PartnerChecklist.objects.filter(pk=checklist.pk).update(stalled_reason=reason)
        elif not reason and checklist.stalled_since is not None:
            PartnerChecklist.objects.filter(pk=checklist.pk).update(
                stalled_reason="", stalled_since=None
            )
            counts["cleared"] += 1
    return counts


@transaction.atomic
def _flag(*, checklist: PartnerChecklist, reason: str, now, notify: bool) -> bool:
    # Conditional update: of two overlapping runs only one flags (and alerts).
    won = PartnerChecklist.objects.filter(pk=checklist.pk, stalled_since__isnull=True).update(
        stalled_reason=reason, stalled_since=now
    )
    if not won:
        return False
    partner = checklist.partner
    record_event(
        kind=EventKind.PARTNER_STALLED,
        key=f"onboarding.stalled:{checklist.pk}:{now.isoformat()}",
        partner=partner,
        subject=checklist,
        occurred_at=now,
        properties={"reason": reason},
    )
    owner = partner.owner
    if (
        notify
        and owner is not None
        and _claim(
            key=f"{ReminderKind.STALLED}:{checklist.pk}:{now.date().isoformat()}",
            kind=ReminderKind.STALLED,
            checklist=checklist,
            recipients=[owner.email],
            now=now,
        )
    ):
        email_on_commit(
            key=f"onboarding.reminder:stalled:{checklist.pk}:{now.date().isoformat()}",
            template="onboarding_stalled",
            subject=lambda: _("Onboarding stalled: %(partner)s") % {"partner": partner.name},
            recipients=[owner.email],
            context={
                "partner": partner,
                "reason": reason,
                "url": absolute_url("partners:manager_partner", partner.pk),
            },
        )
    return True


# --- Survey -----------------------------------------------------------------------------------


@transaction.atomic
def survey_send(*, partner) -> OnboardingSurvey:
    """Ask the partner admins about their onboarding (once per partner)."""
    survey, created = OnboardingSurvey.objects.get_or_create(partner=partner)
    if created:
        email_on_commit(
            key=f"onboarding.survey:{survey.pk}",
            template="onboarding_survey",
            subject=lambda: _("How was your onboarding?"),
            recipients=_recipients(partner),
            context={"partner": partner, "url": absolute_url("onboarding:survey")},
        )
    return survey


@transaction.atomic
def survey_answer(
    *, survey: OnboardingSurvey, user: User, csat: int, nps: int, comment: str = ""
) -> OnboardingSurvey:
    survey = (
        OnboardingSurvey.objects.select_for_update().select_related("partner").get(pk=survey.pk)
    )
    if survey.answered_at is not None:
        raise OnboardingError("This survey was already answered. Thank you!")
    if not (1 <= csat <= 5 and 0 <= nps <= 10):
        raise OnboardingError("Satisfaction is 1 to 5 and recommendation 0 to 10.")
    survey.csat, survey.nps, survey.comment = csat, nps, comment.strip()
    survey.answered_at, survey.answered_by = timezone.now(), user
    survey.save(update_fields=["csat", "nps", "comment", "answered_at", "answered_by"])
    record_event(
        kind=EventKind.SURVEY_ANSWERED,
        key=f"onboarding.survey_answered:{survey.pk}",
        partner=survey.partner,
        user=user,
        subject=survey,
        occurred_at=survey.answered_at,
        properties={"csat": csat, "nps": nps, "has_comment": bool(survey.comment)},
    )
    return survey
