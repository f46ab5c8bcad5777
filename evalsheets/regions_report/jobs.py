"""Report jobs: a ``regions.ReportJob`` made from the round page and run by the worker
(``tasks.run_report_job``), its progress committed step by step, its file stored on it."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from evalsheets.regions_report.report import build_pdf, build_xlsx, file_name, load_round
from regions.choices import ReportKind, ReportStatus
from regions.models import ReportJob

logger = logging.getLogger(__name__)
STEPS = 2  # the tables, then the file


def create_job(user, round_, kind: str) -> ReportJob:
    return ReportJob.objects.create(round=round_, kind=kind, requested_by=user, total=STEPS)


def run_job(job_id: int) -> dict | None:
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, done=0
    )
    if not claimed:
        return None
    job = ReportJob.objects.select_related("round__region").get(pk=job_id)
    try:
        round_ = load_round(job.round_id)
        ReportJob.objects.filter(pk=job.pk).update(done=1)
        if job.kind == ReportKind.PDF:
            content, _pages = build_pdf(round_)
        else:
            content = build_xlsx(round_)
        name = file_name(round_, job.kind)
        job.result.save(f"{round_.region_id}/{job.pk}.{job.kind}", ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("region report job %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.FAILED,
            error=_("作成できませんでした：%(error)s") % {"error": exc},
            finished_at=timezone.now(),
        )
        raise
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.DONE,
        done=STEPS,
        result=job.result.name,
        result_name=name,
        finished_at=timezone.now(),
    )
    return {"job": job.pk, "file": job.result.name}
