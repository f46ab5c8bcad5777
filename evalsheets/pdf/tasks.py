"""The PDF's background work (Django tasks API: the database backend in production, the
immediate one in tests): a sheet's PDF is rendered by a worker after each save."""

from django.db import transaction
from django_tasks import task

from evalsheets.models import EvaluationSheet
from evalsheets.pdf.storage import ensure_pdf


@task()
def render_sheet_pdf_task(sheet_id: int) -> dict | None:
    """Render and store a sheet's PDF if its content changed (``ensure_pdf``)."""
    sheet = EvaluationSheet.objects.filter(pk=sheet_id).first()
    if sheet is None:  # deleted meanwhile: nothing to do
        return None
    stored = ensure_pdf(sheet)
    return {"pdf_id": stored.pk, "sha256": stored.sha256, "pages": stored.pages}


def schedule_pdf(sheet: EvaluationSheet):
    """Render the sheet's PDF in the background once the current transaction commits."""
    sheet_id = sheet.pk
    # robust: a queue that is down must not turn a committed save into an error page.
    transaction.on_commit(lambda: render_sheet_pdf_task.enqueue(sheet_id), robust=True)
