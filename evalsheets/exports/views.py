"""Bulk export of PDFs for the 企画課 (ZIP or booklet), run in the background.

Only the 企画課 of the municipality: other roles 403; a job of another municipality
404. The job page shows a progress bar that polls ``export_job_status`` (JSON) with
``static/js/export.js``, or refreshes itself (<meta refresh>) without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.choices import BookletScope, ExportKind, ExportStatus, SheetState
from core.wareki import fiscal_year_label
from evalsheets.exports.forms import ExportForm
from evalsheets.exports.jobs import create_job
from evalsheets.exports.tasks import run_export_job
from evalsheets.models import EvaluationSheet, ExportJob
from evalsheets.models.querysets import planning_profile_or_403
from municipalities.models import Department, PlanNode

ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)
RECENT_JOBS = 20


def _job_or_404(request, pk) -> ExportJob:
    profile = planning_profile_or_403(request.user)  # other roles: 403
    return get_object_or_404(  # another municipality's job: 404
        ExportJob.objects.select_related("municipality", "requested_by"),
        pk=pk,
        municipality_id=profile.municipality_id,
    )


def describe(job: ExportJob) -> list[tuple[str, str]]:
    """The job's conditions as (label, value) rows."""
    params = job.parameters
    department = Department.objects.filter(pk=params.get("department")).first()
    node = PlanNode.objects.filter(pk=params.get("plan_node")).first()
    rows = [
        ("実施年度", fiscal_year_label(params["year"])),
        ("部", department.name if department else "すべて"),
        ("施策", f"{node.code} {node.name}" if node else "すべて"),
        ("状態", SheetState(params["state"]).label if params.get("state") else "すべて"),
        ("出力形式", ExportKind(job.kind).label),
    ]
    if job.kind == ExportKind.BOOKLET:
        rows.append(("冊子の単位", BookletScope(params.get("scope") or "year").label))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def export_index(request):
    profile = planning_profile_or_403(request.user)
    town = profile.municipality
    years = EvaluationSheet.objects.fiscal_years_for(request.user)
    form = ExportForm(request.POST or None, municipality=town, years=years)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = create_job(request.user, town, form.cleaned_data["kind"], form.parameters())
            transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
        return redirect("export_job", pk=job.pk)
    jobs = ExportJob.objects.filter(municipality=town).select_related("requested_by")[:RECENT_JOBS]
    return render(
        request,
        "evalsheets/exports/index.html",
        {"form": form, "jobs": jobs, "profile": profile},
    )


def status_payload(job: ExportJob) -> dict:
    done = job.status == ExportStatus.DONE
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": ExportStatus(job.status).label,
        "done": job.done,
        "total": job.total,
        "percent": 100 if done else job.percent,
        "step": job.step_label,
        "finished": job.status not in ACTIVE,
        "download_url": reverse("export_job_download", args=[job.pk]) if done else None,
        "file_name": job.result_name if done else "",
        "error": job.error,
    }


def job_title(job: ExportJob) -> str:
    """「玉名市 令和5年度 PDF一括出力（冊子）」: whose, which year, what (the job page's title
    and heading)."""
    kind = "PDF一括出力（冊子）" if job.kind == ExportKind.BOOKLET else "PDF一括出力（ZIP）"
    year = job.parameters.get("year")
    year_label = f" {fiscal_year_label(year)}" if isinstance(year, int) else ""
    return f"{job.municipality.name}{year_label} {kind}"


@login_required
def export_job(request, pk):
    job = _job_or_404(request, pk)
    return render(
        request,
        "evalsheets/exports/job.html",
        {
            "job": job,
            "title": job_title(job),
            "conditions": describe(job),
            "active": job.status in ACTIVE,
            "payload": status_payload(job),
        },
    )


@login_required
def export_job_status(request, pk):
    job = _job_or_404(request, pk)
    response = JsonResponse(status_payload(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_job_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != ExportStatus.DONE or not job.result:
        raise Http404
    content_type = "application/pdf" if job.result.name.endswith(".pdf") else "application/zip"
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name or job.result.name.rsplit("/", 1)[-1],
        content_type=content_type,
    )
