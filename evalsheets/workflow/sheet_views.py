"""The read-only sheet page. Home and the sheet list: views/home.py."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from evalsheets.models import EvaluationSheet
from evalsheets.sheets.display import load_sheet_for_display, sheet_context
from evalsheets.workflow.views import workflow_context


@login_required
def sheet_detail(request, pk):
    sheet = load_sheet_for_display(EvaluationSheet.objects.visible_to(request.user), pk)
    # load_sheet_for_display raises 404 for a sheet outside visible_to: outsiders learn nothing.
    context = sheet_context(sheet)
    context.update(workflow_context(request, sheet))
    return render(request, "evalsheets/sheet_detail.html", context)
