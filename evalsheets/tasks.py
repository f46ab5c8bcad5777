"""Background work through the Django tasks API (django_tasks; DatabaseBackend in
production, ImmediateBackend in tests)."""

from django_tasks import task


@task()
def render_sheet_pdf_task(sheet_id: int) -> dict | None:
    """Render and store a sheet's PDF if its content changed (evalsheets.pdf.ensure_pdf)."""
    from .models import EvaluationSheet
    from .pdf import ensure_pdf

    sheet = EvaluationSheet.objects.filter(pk=sheet_id).first()
    if sheet is None:  # deleted meanwhile: nothing to do
        return None
    stored = ensure_pdf(sheet)
    return {"pdf_id": stored.pk, "sha256": stored.sha256, "pages": stored.pages}


@task()
def run_export_job(job_id: int) -> dict | None:
    """Build the ZIP or booklet of an ExportJob (evalsheets.bulk_export.run_job)."""
    from .bulk_export import run_job

    return run_job(job_id)
