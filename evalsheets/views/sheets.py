from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from ..choices import SheetState
from ..display import load_sheet_for_display, sheet_context
from ..models import EvaluationSheet
from ..querysets import profile_of
from .workflow import workflow_context


@login_required
def home(request):
    return redirect("sheet_list")


@login_required
def sheet_list(request):
    sheets = EvaluationSheet.objects.visible_to(request.user).order_by(
        "-fiscal_year", "project__code"
    )
    years = sorted(set(sheets.values_list("fiscal_year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        sheets = sheets.filter(fiscal_year=int(year))
    state = request.GET.get("state", "")
    if state in SheetState.values:
        sheets = sheets.filter(state=state)
    query = request.GET.get("q", "").strip()
    if query:
        sheets = sheets.filter(
            Q(project__code__icontains=query) | Q(project__name__icontains=query)
        )
    page = Paginator(sheets, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evalsheets/sheet_list.html",
        {
            "page": page,
            "years": years,
            "year": year,
            "state": state,
            "states": SheetState.choices,
            "q": query,
            "profile": profile_of(request.user),
        },
    )


@login_required
def sheet_detail(request, pk):
    sheet = load_sheet_for_display(EvaluationSheet.objects.visible_to(request.user), pk)
    # load_sheet_for_display raises 404 for a sheet outside visible_to: outsiders learn nothing.
    context = sheet_context(sheet)
    context.update(workflow_context(request, sheet))
    return render(request, "evalsheets/sheet_detail.html", context)
