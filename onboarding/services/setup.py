"""Writes of onboarding's setup pages: agreement versions and owner rules. Vendor admins only
(the views check the role; every function takes the ``actor`` for the audit trail).

Each function is one change: keyword-only, atomic, it refuses bad input with a ValidationError
keyed by field (``None`` for the whole form) and writes the change with its before/after values
through ``kernel.setup_log`` (the audit log's "Changed in setup" entries). No event is recorded:
the kinds registry (events.choices) declares none for setup changes.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import VendorRole
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from onboarding.choices import StepKind
from onboarding.models import Agreement, AgreementAcceptance, OwnerRule, TemplateStep
from partners.choices import Region

AGREEMENT_FIELDS = ("program", "version", "title", "body", "published_at")
OWNER_RULE_FIELDS = ("region", "manager")
MAX_BODY = 100_000  # characters: a long contract fits; a pasted novel does not
SCHEDULE_AHEAD = timedelta(days=366)  # a version is scheduled at most a year ahead
PAST_GRACE = timedelta(minutes=5)  # "publish now" sent from a form a moment ago is still now


# --- Agreements ---------------------------------------------------------------------------------


def _check_agreement(*, program, version: str, title: str, body: str, published_at, pk=None):
    """The cleaned (version, title, body) or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    version, title, body = (version or "").strip(), (title or "").strip(), (body or "").strip()
    if not version:
        errors["version"] = _("Name the version, e.g. 2027.1.")
    elif len(version) > 20:
        errors["version"] = _("A version label has at most 20 characters.")
    else:
        same = Agreement.objects.filter(version=version)
        same = same.filter(program=program) if program is not None else same.filter(program=None)
        if same.exclude(pk=pk).exists():
            errors["version"] = (
                _("Version %(version)s of this program's agreement already exists.")
                if program is not None
                else _("Version %(version)s of the every-program agreement already exists.")
            ) % {"version": version}
    if not title:
        errors["title"] = _("Give the agreement a title.")
    elif len(title) > 200:
        errors["title"] = _("A title has at most 200 characters.")
    if not body:
        errors["body"] = _("Write the agreement's text.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("The text is too long (at most %(n)s characters).") % {"n": MAX_BODY}
    if published_at is not None:
        now = timezone.now()
        if not isinstance(published_at, datetime) or timezone.is_naive(published_at):
            errors["published_at"] = _("Give the publish date and time.")
        elif published_at < now - PAST_GRACE:
            errors["published_at"] = _(
                "The publish time is in the past: publish now, or pick a later time."
            )
        elif published_at > now + SCHEDULE_AHEAD:
            errors["published_at"] = _("Schedule a version at most a year ahead.")
    if errors:
        raise ValidationError(errors)
    return version, title, body


def _save_agreement(agreement: Agreement) -> None:
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:  # a version added by someone else a moment ago
        raise ValidationError(
            {"version": _("This version already exists for this program.")}
        ) from exc


@transaction.atomic
def agreement_create(
    *, actor, program, version: str, title: str, body: str, published_at: datetime | None
) -> Agreement:
    """A new version of the agreement of ``program`` (None: every program). ``published_at``
    None keeps it a draft; now publishes it; a later time schedules it (at most a year ahead).
    Partners accepted older versions: their acceptances stay with those versions."""
    version, title, body = _check_agreement(
        program=program, version=version, title=title, body=body, published_at=published_at
    )
    agreement = Agreement(
        program=program, version=version, title=title, body=body, published_at=published_at
    )
    _save_agreement(agreement)
    log_setup_change(
        actor=actor, obj=agreement, action=ADDED,
        after=snapshot(agreement, AGREEMENT_FIELDS), summary=_("Agreement version added"),
    )  # fmt: skip
    return agreement


def _lock_unpublished(agreement: Agreement) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.is_published:
        raise ValidationError(
            _(
                "Version %(version)s is published: what partners accept never changes. "
                "Write a new version instead."
            )
            % {"version": agreement.version}
        )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor, agreement: Agreement, program, version: str, title: str, body: str,
    published_at: datetime | None,
) -> Agreement:  # fmt: skip
    """Change a draft or scheduled version (a published one is immutable)."""
    agreement = _lock_unpublished(agreement)
    version, title, body = _check_agreement(
        program=program, version=version, title=title, body=body, published_at=published_at,
        pk=agreement.pk,
    )  # fmt: skip
    before = snapshot(agreement, AGREEMENT_FIELDS)
    agreement.program, agreement.version, agreement.title = program, version, title
    agreement.body, agreement.published_at = body, published_at
    _save_agreement(agreement)
    log_setup_change(
        actor=actor, obj=agreement, action=CHANGED, before=before,
        after=snapshot(agreement, AGREEMENT_FIELDS), summary=_("Agreement version edited"),
    )  # fmt: skip
    return agreement


@transaction.atomic
def agreement_publish(*, actor, agreement: Agreement) -> Agreement:
    """Publish a draft or scheduled version now: partners of its program accept it from now on."""
    agreement = _lock_unpublished(agreement)
    before = snapshot(agreement, AGREEMENT_FIELDS)
    agreement.published_at = timezone.now()
    agreement.save(update_fields=["published_at"])
    log_setup_change(
        actor=actor, obj=agreement, action=CHANGED, before=before,
        after=snapshot(agreement, AGREEMENT_FIELDS), summary=_("Agreement version published"),
    )  # fmt: skip
    return agreement


def agreement_references(*, agreement: Agreement) -> list[str]:
    """What keeps a version from being deleted: partners' acceptances (the record of what they
    signed) and activation-path steps that name it. One readable line each."""
    lines = []
    accepted = AgreementAcceptance.objects.filter(agreement=agreement).count()
    if accepted:
        lines.append(
            ngettext(
                "accepted by %(n)s partner", "accepted by %(n)s partners", accepted
            ) % {"n": accepted}
        )  # fmt: skip
    steps = TemplateStep.objects.filter(
        kind=StepKind.AGREEMENT, subject_id=str(agreement.pk)
    ).select_related("template")
    for step in steps[:10]:
        lines.append(
            _("the step “%(step)s” of the activation path “%(path)s”")
            % {"step": step.title, "path": step.template.name}
        )
    return lines


@transaction.atomic
def agreement_delete(*, actor, agreement: Agreement) -> None:
    """Delete a version nobody accepted and no step names (a draft written by mistake, or one
    published by mistake before anyone accepted it)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    references = agreement_references(agreement=agreement)
    if references:
        raise ValidationError(
            _("Version %(version)s cannot be deleted: %(references)s.")
            % {"version": agreement.version, "references": "; ".join(references)}
        )
    log_setup_change(
        actor=actor, obj=agreement, action=DELETED,
        before=snapshot(agreement, AGREEMENT_FIELDS), summary=_("Agreement version deleted"),
    )  # fmt: skip
    agreement.delete()


# --- Owner rules --------------------------------------------------------------------------------


@transaction.atomic
def owner_rule_create(*, actor, region: str, manager) -> OwnerRule:
    """New partners of ``region`` go to ``manager`` too (least recently assigned first among the
    region's managers). Only an active channel manager is picked for new partners
    (``onboarding.services.owner_pick``), so nobody else can be named."""
    errors = {}
    if region not in Region.values:
        errors["region"] = _("Choose a region.")
    if manager is None:
        errors["manager"] = _("Choose a channel manager.")
    elif not manager.is_active:
        errors["manager"] = _("%(name)s is deactivated and gets no new partners.") % {
            "name": manager.display_name
        }
    elif manager.vendor_role != VendorRole.CHANNEL_MANAGER:
        errors["manager"] = _(
            "%(name)s is not a channel manager: only channel managers are given new partners."
        ) % {"name": manager.display_name}
    if not errors and OwnerRule.objects.filter(region=region, manager=manager).exists():
        errors["manager"] = _("%(name)s already gets new partners of %(region)s.") % {
            "name": manager.display_name,
            "region": Region(region).label,
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rule = OwnerRule.objects.create(region=region, manager=manager)
    except IntegrityError as exc:  # the same rule added a moment ago
        raise ValidationError(
            {"manager": _("This manager already gets new partners of this region.")}
        ) from exc
    log_setup_change(
        actor=actor, obj=rule, action=ADDED,
        after=snapshot(rule, OWNER_RULE_FIELDS), summary=_("Owner rule added"),
    )  # fmt: skip
    return rule


@transaction.atomic
def owner_rule_delete(*, actor, rule: OwnerRule) -> None:
    """New partners of the region no longer go to this manager; the partners they own stay
    theirs (reassign them on the partner page)."""
    rule = OwnerRule.objects.select_for_update().select_related("manager").get(pk=rule.pk)
    log_setup_change(
        actor=actor, obj=rule, action=DELETED,
        before=snapshot(rule, OWNER_RULE_FIELDS), summary=_("Owner rule removed"),
    )  # fmt: skip
    rule.delete()
