"""The official sheet as PDF: serves the stored file (rendered on demand if missing)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from evalsheets.models import EvaluationSheet
from evalsheets.pdf.storage import ensure_pdf, pdf_filename


@login_required
def sheet_pdf(request, pk):
    # Outside visible_to → 404: an outsider learns nothing about the sheet.
    sheet = get_object_or_404(EvaluationSheet.objects.visible_to(request.user), pk=pk)
    stored = ensure_pdf(sheet)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=pdf_filename(sheet),
        content_type="application/pdf",
    )
    response["ETag"] = f'"{stored.sha256}"'
    response["Cache-Control"] = "private, no-cache"
    return response
