"""Moving partners on an older version of a template to the published one, reusing the
per-partner ``onboarding.services.checklist_migrate``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from kernel import enqueue
from kernel.setup_log import CHANGED, log_setup_change
from onboarding.builder.drafts import lock_template
from onboarding.models import ChecklistTemplate, PartnerChecklist
from onboarding.services.base import OnboardingError
from onboarding.services.checklists import checklist_migrate

# Migrating more partners than this runs in a Celery task, not in the request.
MIGRATE_INLINE_MAX = 25


def migrate_candidates(*, template: ChecklistTemplate):
    """The checklists that can move to the template's version: on an older one, not complete."""
    return PartnerChecklist.objects.filter(
        template=template, version__lt=template.version, completed_at__isnull=True
    )


def checklists_migrate(*, actor: User, template_id: int, checklist_ids: list[int]) -> int:
    """Migrate each checklist (its own transaction: one refusal does not undo the others). A
    checklist already on the version or completed meanwhile is skipped, so running this twice
    changes nothing. Returns how many moved."""
    moved = 0
    checklists = PartnerChecklist.objects.filter(template_id=template_id, pk__in=checklist_ids)
    for checklist in checklists.order_by("pk"):
        try:
            checklist_migrate(checklist=checklist, actor=actor)
        except OnboardingError:
            continue
        moved += 1
    return moved


@transaction.atomic
def template_migrate_partners(
    *, actor: User, template: ChecklistTemplate, version: int
) -> tuple[int, bool]:
    """Move every partner on an older version of ``template`` to ``version`` (the version the
    admin previewed: refused when it was published again since). Few partners move at once; many
    are moved by a Celery task after commit. Returns (how many, whether queued)."""
    template = lock_template(template)
    if template.version != version:
        raise ValidationError(
            _("The checklist was published again since you looked: review who moves again.")
        )
    ids = list(migrate_candidates(template=template).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("No partner is on an older version of this checklist."))
    log_setup_change(
        actor=actor,
        obj=template,
        action=CHANGED,
        before={"partners_to_move": len(ids)},
        after={"partners_to_move": 0, "moved_to_version": version},
        summary=_("Partners moved to version %(version)d") % {"version": version},
    )
    if len(ids) > MIGRATE_INLINE_MAX:
        enqueue.send_on_commit("onboarding.tasks.migrate_checklists", template.pk, ids, actor.pk)
        return len(ids), True
    return checklists_migrate(actor=actor, template_id=template.pk, checklist_ids=ids), False
