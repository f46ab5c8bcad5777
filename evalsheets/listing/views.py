"""Home page per role, and the sheet list with filters (every role)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from core.choices import SheetState
from evalsheets.exports.excel import sheets_workbook
from evalsheets.listing.filters import ORDERINGS, SheetFilter
from evalsheets.listing.overview import last_transitions, returned_sheets, section_progress
from evalsheets.models import NARRATIVE_FIELDS, EvaluationSheet, Project
from evalsheets.models.querysets import profile_of
from municipalities.choices import Role
from municipalities.models import Section

PAGE_SIZE = 50
# The list shows none of the narrative: leave those columns in the database.
LIST_DEFERRED = NARRATIVE_FIELDS


def favicon(request):
    """/favicon.ico: the icon under /static/ (its hashed name in production)."""
    return redirect(static("favicon.ico"))


def selected_year(request, years: list[int]) -> int | None:
    """?year= when it names a year with sheets, else the current (latest) fiscal year."""
    value = request.GET.get("year", "")
    if value.isdigit() and int(value) in years:
        return int(value)
    return years[0] if years else None


@login_required
def home(request):
    user = request.user
    profile = profile_of(user)
    if profile is None:  # a superuser without a municipality: the list shows everything
        return redirect("sheet_list")
    years = EvaluationSheet.objects.fiscal_years_for(user)
    year = selected_year(request, years)
    context = {"profile": profile, "years": years, "year": year, "role": profile.role}
    if profile.role == Role.STAFF:
        context.update(_staff_context(user, year))
    elif profile.role == Role.CHIEF:
        context.update(_chief_context(user, year))
    else:
        context.update(_planning_context(user, profile, year))
    return render(request, "evalsheets/home/home.html", context)


def _own_section_sheets(user, year):
    if year is None:
        return []
    return list(
        EvaluationSheet.objects.of_own_section(user)
        .filter(fiscal_year=year)
        .order_by("project__code")
    )


def _state_counts(sheets):
    counts = {value: 0 for value in SheetState.values}
    for sheet in sheets:
        counts[sheet.state] += 1
    return [(value, label, counts[value]) for value, label in SheetState.choices]


def _staff_context(user, year):
    sheets = _own_section_sheets(user, year)
    drafts = [s for s in sheets if s.state == SheetState.DRAFT]
    returned = returned_sheets(drafts)
    returned_ids = {sheet.pk for sheet, _entry in returned}
    return {
        "sheets": sheets,
        "state_counts": _state_counts(sheets),
        "returned": returned,
        "returned_ids": returned_ids,
        "to_finish": [s for s in drafts if s.pk not in returned_ids],
    }


def _chief_context(user, year):
    queue = list(
        EvaluationSheet.objects.reviewable_by(user).order_by("fiscal_year", "project__code")
    )
    submitted = last_transitions([s.pk for s in queue], to_state=SheetState.SUBMITTED)
    sheets = _own_section_sheets(user, year)
    return {
        "queue": [(sheet, submitted.get(sheet.pk)) for sheet in queue],
        "sheets": sheets,
        "state_counts": _state_counts(sheets),
    }


def _planning_context(user, profile, year):
    if year is None:
        return {"departments": [], "total": None, "not_submitted": []}
    sections = Section.objects.filter(municipality_id=profile.municipality_id).select_related(
        "department"
    )
    departments, total = section_progress(
        EvaluationSheet.objects.visible_to(user),
        Project.objects.visible_to(user),
        sections,
        year,
    )
    not_submitted = [
        (dept.department, row)
        for dept in departments
        for row in dept.sections
        if row.progress.drafts or row.progress.missing
    ]
    return {
        "departments": departments,
        "total": total,
        "not_submitted": not_submitted,
        "can_open_year": profile.role == Role.PLANNING,
    }


def _list_years(user, visible) -> list[int]:
    """The year choices of the list: the municipality's years, as on the home page (one
    join without the visibility OR, a few ms less on PostgreSQL); everything for a
    superuser without a municipality."""
    if profile_of(user) is not None:
        return EvaluationSheet.objects.fiscal_years_for(user)
    return sorted(
        set(visible.order_by().values_list("fiscal_year", flat=True).distinct()), reverse=True
    )


@login_required
def sheet_list(request):
    user = request.user
    visible = EvaluationSheet.objects.visible_to(user)
    years = _list_years(user, visible)
    sheet_filter = SheetFilter(
        request.GET or None,
        queryset=visible.defer(*LIST_DEFERRED).order_by("-fiscal_year", "project__code", "pk"),
        request=request,
        years=years,
    )
    page = Paginator(sheet_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    current_sort = sort_params.pop("sort", [""])[0]
    return render(
        request,
        "evalsheets/home/sheet_list.html",
        {
            "filter": sheet_filter,
            "page": page,
            "profile": profile_of(user),
            "querystring": params.urlencode(),
            "sort_querystring": sort_params.urlencode(),
            "current_sort": current_sort,
            "sort_keys": {key: key for key, _field, _label in ORDERINGS},
        },
    )


@login_required
def sheet_list_xlsx(request):
    """The list as Excel, with the same filters; 企画課 and 閲覧者 (municipality-wide readers)."""
    profile = profile_of(request.user)
    if not request.user.is_superuser and (
        profile is None or profile.role not in (Role.PLANNING, Role.VIEWER)
    ):
        raise PermissionDenied
    visible = EvaluationSheet.objects.visible_to(request.user)
    years = _list_years(request.user, visible)
    sheet_filter = SheetFilter(
        request.GET or None,
        queryset=visible.order_by("-fiscal_year", "project__code", "pk"),
        request=request,
        years=years,
    )
    response = HttpResponse(
        sheets_workbook(sheet_filter.qs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename=\"evalsheets.xlsx\"; filename*=UTF-8''"
        "%E8%A9%95%E4%BE%A1%E3%82%B7%E3%83%BC%E3%83%88%E4%B8%80%E8%A6%A7.xlsx"
    )
    return response
