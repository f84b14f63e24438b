"""The life of a partner import: upload (checked at once: type, size, header), the dry run,
the real run on request. Both runs are ``run`` in the Celery task ``partners.tasks.
partner_import_run``, enqueued by name after commit (``kernel.enqueue``).

Audit: each partner the import *changes* gets a setup change-log line (``kernel.setup_log``:
every changed field before and after, by the person who applied the import); its status, tier
and owner changes also record their usual events. Partners the import *creates* carry the
import's id on their ``partner.created`` event, and the applied import as a whole gets one
"added" setup line (file, counts). A run that changed nothing writes no audit line.
"""

import logging
from datetime import timedelta
from itertools import islice
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import enqueue
from kernel.setup_log import ADDED, log_setup_change
from kernel.uploads import inspect_upload
from partners.choices import ImportStage
from partners.imports import parse
from partners.imports.apply import apply_chunk
from partners.imports.plan import CHUNK, ChunkPlan, Planner
from partners.models import PartnerImport

logger = logging.getLogger(__name__)

TASK = "partners.tasks.partner_import_run"
EXTENSIONS = ("csv", "xlsx")
# A run whose worker died (acks_late redelivers the message) may be taken over after this.
STALE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def max_bytes() -> int:
    return int(settings.PRM_PARTNER_IMPORT_MAX_MB) * 1024 * 1024


def _require_admin(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_vendor_admin):
        raise ValidationError(_("Only vendor admins import partners."))


@transaction.atomic
def partner_import_create(*, actor, file) -> PartnerImport:
    """Store an uploaded CSV or XLSX file and queue its dry run. Refused (ValidationError on
    ``file``) when it is not a CSV/XLSX file, too big, empty, or lacks a required column."""
    _require_admin(actor)
    if file is None:
        raise ValidationError({"file": _("Choose a CSV or XLSX file.")})
    try:
        info = inspect_upload(file, extensions=EXTENSIONS, max_bytes=max_bytes())
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    file_format = PurePosixPath(info.name).suffix.lower().lstrip(".")
    try:
        parse.check_header(file, file_format)
    except parse.FileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    job = PartnerImport(created_by=actor, file_name=info.name, file_format=file_format)
    job.file.save(f"import.{file_format}", file, save=False)
    job.save()
    enqueue.send_on_commit(TASK, job.pk)
    _forget_stale_files()
    return job


KEEP_UNAPPLIED = timedelta(days=7)


def _forget_stale_files(*, now=None) -> int:
    """Delete the stored files of imports checked but not applied within ``KEEP_UNAPPLIED``
    (they hold people's addresses): such an import can no longer be applied; uploading the file
    again checks it again. Runs at each upload, so no schedule entry is needed."""
    now = now or timezone.now()
    stale = list(
        PartnerImport.objects.filter(created_at__lt=now - KEEP_UNAPPLIED)
        .exclude(file="")
        .exclude(stage__in=[ImportStage.APPLY_QUEUED, ImportStage.APPLYING])[:100]
    )
    for job in stale:
        job.file.delete(save=False)
        PartnerImport.objects.filter(pk=job.pk).update(file="")
    return len(stale)


@transaction.atomic
def partner_import_apply(*, actor, job: PartnerImport) -> PartnerImport:
    """Queue the real run of a checked import (rows with errors are skipped, as the dry run
    listed them). Refused unless the dry run has finished and the import was not applied."""
    _require_admin(actor)
    job = PartnerImport.objects.select_for_update().get(pk=job.pk)
    if job.stage != ImportStage.CHECKED:
        raise ValidationError(_("Only a checked import that was not applied can be imported."))
    if not job.file:
        raise ValidationError(_("The file of this import is gone; upload it again."))
    job.stage = ImportStage.APPLY_QUEUED
    job.applied_by = actor
    job.save(update_fields=["stage", "applied_by"])
    enqueue.send_on_commit(TASK, job.pk)
    return job


_COUNTERS = ("created", "updated", "unchanged", "users_invited", "users_unchanged", "error_rows")


def _claim(job_id: int) -> tuple[PartnerImport, bool] | None:
    """Take the job for this run: queued → checking (dry run) or apply-queued → applying, by a
    conditional UPDATE, so a redelivered message runs it once. A run left behind by a dead
    worker (older than ``STALE``) is taken over."""
    job = PartnerImport.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("partner import %s is gone", job_id)
        return None
    now = timezone.now()
    stale = job.started_at is not None and job.started_at < now - STALE
    moves = {
        ImportStage.QUEUED: ImportStage.CHECKING,
        ImportStage.APPLY_QUEUED: ImportStage.APPLYING,
    }
    if stale:
        moves.update({ImportStage.CHECKING: ImportStage.CHECKING,
                      ImportStage.APPLYING: ImportStage.APPLYING})  # fmt: skip
    target = moves.get(job.stage)
    if target is None:
        return None
    won = PartnerImport.objects.filter(pk=job.pk, stage=job.stage).update(
        stage=target, started_at=now, finished_at=None, processed_rows=0, total_rows=0,
        errors=[], changes=[], message="", **dict.fromkeys(_COUNTERS, 0),
    )  # fmt: skip
    if not won:
        return None
    job.refresh_from_db()
    return job, target == ImportStage.APPLYING


def _chunks(rows, size: int):
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _change_lines(plan: ChunkPlan) -> list[dict]:
    lines = [
        {"row": c.row, "domain": c.fields["domain"], "name": c.fields["name"], "action": "create",
         "fields": []}
        for c in plan.creates
    ]  # fmt: skip
    lines += [
        {"row": u.row, "domain": u.partner.domain, "name": u.partner.name, "action": "update",
         "fields": sorted(u.changes)}
        for u in plan.updates
    ]  # fmt: skip
    return sorted(lines, key=lambda line: line["row"])


def run(*, import_id: int, chunk_size: int = CHUNK) -> PartnerImport | None:
    """One run of the import (the dry run or the real one, as the job's stage says). Streams the
    file chunk by chunk; counts progress on the job after each chunk."""
    claimed = _claim(import_id)
    if claimed is None:
        return None
    job, applying = claimed
    actor = job.applied_by if applying else job.created_by
    counts = dict.fromkeys(_COUNTERS, 0)
    errors, changes, processed = [], [], 0
    try:
        total = parse.count_rows(job.file, job.file_format)
        if total > settings.PRM_PARTNER_IMPORT_MAX_ROWS:
            raise parse.FileError(
                _("The file has %(rows)s rows; an import takes at most %(max)s.")
                % {"rows": f"{total:,}", "max": f"{settings.PRM_PARTNER_IMPORT_MAX_ROWS:,}"}
            )
        PartnerImport.objects.filter(pk=job.pk).update(total_rows=total)
        planner = Planner()
        with parse.open_rows(job.file, job.file_format) as rows:
            for chunk in _chunks(rows, chunk_size):
                plan = planner.plan(chunk)
                if applying:
                    apply_chunk(plan=plan, job=job, actor=actor)
                processed += plan.rows
                counts["created"] += len(plan.creates)
                counts["updated"] += len(plan.updates)
                counts["unchanged"] += plan.unchanged
                counts["users_invited"] += len(plan.invitations)
                counts["users_unchanged"] += plan.users_unchanged
                counts["error_rows"] += plan.error_rows
                errors.extend(plan.errors[: max(PartnerImport.MAX_ERRORS - len(errors), 0)])
                if len(changes) < PartnerImport.MAX_CHANGES:
                    changes.extend(_change_lines(plan)[: PartnerImport.MAX_CHANGES - len(changes)])
                PartnerImport.objects.filter(pk=job.pk).update(processed_rows=processed, **counts)
    except parse.FileError as exc:
        _finish(job, ImportStage.FAILED, counts, errors, changes, processed, message=str(exc))
        return job
    except Exception:
        logger.exception("partner import %s failed", job.pk)
        _finish(
            job, ImportStage.FAILED, counts, errors, changes, processed,
            message=_("The import stopped on an unexpected error after %(rows)s rows; what was "
                      "imported stays, and running the file again continues where it stopped.")
            % {"rows": processed},
        )  # fmt: skip
        raise
    stage = ImportStage.APPLIED if applying else ImportStage.CHECKED
    _finish(job, stage, counts, errors, changes, processed)
    if applying:
        _after_apply(job, actor)
    return job


def _finish(job, stage, counts, errors, changes, processed, message="") -> None:
    job.stage = stage
    job.processed_rows = processed
    job.errors, job.changes, job.message = errors, changes, str(message)[:500]
    job.finished_at = timezone.now()
    for name, value in counts.items():
        setattr(job, name, value)
    job.save(
        update_fields=[
            "stage", "processed_rows", "errors", "changes", "message", "finished_at", *counts,
        ]
    )  # fmt: skip


def _after_apply(job: PartnerImport, actor) -> None:
    """The import as a whole in the audit trail (when it changed anything), and the stored file
    deleted: it holds people's addresses, and the counts and row errors stay on the job."""
    if actor is not None and (job.created or job.updated or job.users_invited):
        with transaction.atomic():
            log_setup_change(
                actor=actor,
                obj=job,
                action=ADDED,
                after={
                    "file": job.file_name,
                    "created": job.created,
                    "updated": job.updated,
                    "unchanged": job.unchanged,
                    "users_invited": job.users_invited,
                    "error_rows": job.error_rows,
                },
                summary=f"Partners imported from {job.file_name}",
            )
    if job.file:
        job.file.delete(save=False)
        PartnerImport.objects.filter(pk=job.pk).update(file="")
