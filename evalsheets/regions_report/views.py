"""The 懇談会 report's pages: start a job (POST), its page with progress, its status
(JSON), its file. Only the region's central city's 企画課 (``Region.objects.managed_by``):
members 403, anybody else 404."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.permissions import require
from evalsheets.regions_report.jobs import create_job
from evalsheets.regions_report.tasks import run_report_job
from regions.choices import ReportKind, ReportStatus
from regions.models import ProgressRound, Region, ReportJob
from regions.querysets import get_or_404

ACTIVE = (ReportStatus.QUEUED, ReportStatus.RUNNING)
CONTENT_TYPES = {
    ReportKind.PDF: "application/pdf",
    ReportKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _region(user, pk) -> Region:
    region = get_or_404(Region.objects.visible_to(user), pk=pk)
    return require(Region.objects.managed_by(user), region)


def _job(user, pk, job_pk) -> ReportJob:
    region = _region(user, pk)
    return get_or_404(
        ReportJob.objects.select_related("round__region", "requested_by"),
        pk=job_pk,
        round__region=region,
    )


@require_POST
@login_required
def report_new(request, pk, round_pk):
    region = _region(request.user, pk)
    round_ = get_or_404(ProgressRound.objects.filter(region=region), pk=round_pk)
    kind = request.POST.get("kind")
    if kind not in ReportKind.values:
        kind = ReportKind.PDF
    with transaction.atomic():
        job = create_job(request.user, round_, kind)
        transaction.on_commit(lambda: run_report_job.enqueue(job.pk))
    return redirect("region_reports:job", pk=region.pk, job_pk=job.pk)


def status_payload(job: ReportJob) -> dict:
    done = job.status == ReportStatus.DONE
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": ReportStatus(job.status).label,
        "done": job.done,
        "total": job.total,
        "percent": 100 if done else job.percent,
        "finished": job.status not in ACTIVE,
        "download_url": reverse("region_reports:download", args=[job.round.region_id, job.pk])
        if done
        else None,
        "file_name": job.result_name if done else "",
        "error": job.error,
    }


@login_required
def report_job(request, pk, job_pk):
    job = _job(request.user, pk, job_pk)
    return render(
        request,
        "regions_report/job.html",
        {"job": job, "active": job.status in ACTIVE, "payload": status_payload(job)},
    )


@login_required
def report_job_status(request, pk, job_pk):
    response = JsonResponse(status_payload(_job(request.user, pk, job_pk)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_download(request, pk, job_pk):
    job = _job(request.user, pk, job_pk)
    if job.status != ReportStatus.DONE or not job.result:
        raise Http404
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name,
        content_type=CONTENT_TYPES[job.kind],
    )
