"""前年度との比較: a sheet against the same project's previous sheet, field by field."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from evalsheets.models import EvaluationSheet
from evalsheets.sheets.diff import compare
from evalsheets.sheets.display import load_sheet_for_display


@login_required
def sheet_diff(request, pk):
    visible = EvaluationSheet.objects.visible_to(request.user)
    # 404 for a sheet outside visible_to: outsiders learn nothing.
    sheet = load_sheet_for_display(visible, pk)
    # The previous sheet only if this user may see it too (a published sheet of
    # another 課 does not reveal that 課's unpublished earlier draft).
    previous = (
        visible.filter(project_id=sheet.project_id, fiscal_year__lt=sheet.fiscal_year)
        .order_by("-fiscal_year")
        .with_children()
        .first()
    )
    diff = compare(sheet, previous) if previous else None
    return render(
        request,
        "evalsheets/diff/sheet_diff.html",
        {"sheet": sheet, "project": sheet.project, "previous": previous, "diff": diff},
    )
