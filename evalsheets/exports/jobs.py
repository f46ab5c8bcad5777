"""Export jobs: an ``ExportJob`` made by the 企画課's form and run by a worker
(``exports.tasks.run_export_job``), its progress committed as it goes, its file stored on it.
The command line (``export_pdfs``) runs the same steps without a job.
"""

from __future__ import annotations

import logging
import tempfile
import time
import zipfile
from pathlib import Path

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import BookletScope, ExportKind, ExportStatus
from core.wareki import fiscal_year_label
from evalsheets.exports.booklet import booklet_title, write_booklet, write_policy_booklets
from evalsheets.exports.selection import ProgressFn, plan_groups, select_sheets
from evalsheets.exports.zip import write_zip
from evalsheets.models import ExportJob

logger = logging.getLogger(__name__)


class Progress:
    """Commits ``done`` of a job at most every ``interval`` seconds (and at the end), each
    in its own small transaction (autocommit): the job page polls it."""

    def __init__(self, job: ExportJob, interval: float = 0.5):
        self.job = job
        self.interval = interval
        self.last = 0.0

    def __call__(self, done: int, *, force: bool = False):
        now = time.monotonic()
        if force or now - self.last >= self.interval or done >= self.job.total:
            ExportJob.objects.filter(pk=self.job.pk).update(done=min(done, self.job.total))
            self.job.done = done
            self.last = now


def result_name(job: ExportJob) -> str:
    town, year = job.municipality, job.parameters["year"]
    stem = f"{town.name}_{fiscal_year_label(year)}_評価シート"
    if job.kind == ExportKind.ZIP:
        return f"{stem}_PDF.zip"
    if job.parameters.get("scope") == BookletScope.POLICY:
        return f"{stem}_施策別冊子.zip"
    return f"{stem}_冊子.pdf"


def produce(job: ExportJob, workdir: Path, progress: ProgressFn | None = None) -> Path:
    """Write the job's file into ``workdir`` and return its path."""
    town, year = job.municipality, job.parameters["year"]
    sheets = select_sheets(town, job.parameters)
    if job.kind == ExportKind.ZIP:
        ids = [g_entry.sheet_id for group in plan_groups(sheets) for g_entry in group.entries]
        target = workdir / "export.zip"
        write_zip(ids, target, progress)
        return target
    groups = plan_groups(sheets)
    if job.parameters.get("scope") == BookletScope.POLICY:
        target = workdir / "booklets.zip"
        paths = write_policy_booklets(town, year, groups, workdir, progress)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            for path in paths:
                archive.write(path, path.name)
        return target
    target = workdir / "booklet.pdf"
    write_booklet(booklet_title(town, year), groups, target, progress=progress)
    return target


def create_job(user, municipality, kind: str, parameters: dict) -> ExportJob:
    total = select_sheets(municipality, parameters).count()
    return ExportJob.objects.create(
        municipality=municipality,
        requested_by=user,
        kind=kind,
        parameters=parameters,
        total=total,
    )


def run_job(job_id: int) -> dict | None:
    """Run a queued job (the task calls this): progress committed as it goes, the file
    stored on the job, or the error recorded."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), done=0
    )
    if not claimed:  # unknown, or another worker has it
        return None
    job = ExportJob.objects.select_related("municipality").get(pk=job_id)
    job.total = select_sheets(job.municipality, job.parameters).count()
    ExportJob.objects.filter(pk=job.pk).update(total=job.total)
    try:
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            path = produce(job, Path(tmp), Progress(job))
            suffix = path.suffix
            with path.open("rb") as handle:
                job.result.save(
                    f"{job.municipality.code}/{job.pk}-{job.kind}{suffix}", File(handle), save=False
                )
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED,
            error=_("作成できませんでした：%(error)s") % {"error": exc},
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        done=job.total,
        result=job.result.name,
        result_name=result_name(job),
        finished_at=timezone.now(),
    )
    return {"job": job.pk, "file": job.result.name, "sheets": job.total}
