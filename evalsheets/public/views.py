"""Public pages (no login): published sheets per municipality and fiscal year.

Every view here starts from ``public.rows.public_sheets()`` (= ``published()``),
never from ``visible_to``: a logged-in user sees exactly what a citizen sees, and
a sheet in any other state is a 404 whatever its URL.
"""

import base64

from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.choices import SheetState
from evalsheets.pdf.storage import ensure_pdf, pdf_filename
from evalsheets.public.filters import PublicSheetFilter
from evalsheets.public.rows import (
    build_rows,
    csv_header,
    csv_rows,
    public_sheets,
    with_cost_data,
    write_csv,
)
from evalsheets.sheets.display import sheet_context
from municipalities.models import Municipality, PlanNode


def public_pdf_url(sheet):
    """URL of the frozen PDF of a published sheet, or None for any other state.

    No query: the download view serves the frozen ``SheetPDF`` of the published
    version (rendered and frozen on the first request if the background task has not
    done it yet)."""
    if sheet.state != SheetState.PUBLISHED:
        return None
    return reverse(
        "public:sheet_pdf",
        args=[sheet.project.municipality.code, sheet.fiscal_year, sheet.project.code],
    )


def sheet_url(sheet) -> str:
    return reverse(
        "public:sheet",
        args=[sheet.project.municipality.code, sheet.fiscal_year, sheet.project.code],
    )


def _municipality_with_published(code: str) -> Municipality:
    """A municipality that has published sheets; 404 otherwise (nothing public there)."""
    municipality = get_object_or_404(Municipality, code=code)
    if not public_sheets().filter(project__municipality=municipality).exists():
        raise Http404
    return municipality


def index(request):
    municipalities = (
        Municipality.objects.filter(projects__sheets__in=public_sheets())
        .annotate(
            sheet_count=Count("projects__sheets"), latest_year=Max("projects__sheets__fiscal_year")
        )
        .order_by("code")
    )
    return render(request, "public/index.html", {"municipalities": municipalities})


def municipality(request, code):
    town = _municipality_with_published(code)
    years = (
        public_sheets()
        .filter(project__municipality=town)
        .order_by()
        .values("fiscal_year")
        .annotate(sheet_count=Count("pk"))
        .order_by("-fiscal_year")
    )
    regions = town.regions.order_by("kind", "name")
    return render(
        request,
        "public/municipality.html",
        {"municipality": town, "years": years, "regions": regions},
    )


def _year_listing(request, code, year):
    """The municipality, the filter set and the rows of one fiscal year's published sheets."""
    town = get_object_or_404(Municipality, code=code)
    sheets = public_sheets().filter(project__municipality=town, fiscal_year=year)
    if not sheets.exists():
        raise Http404
    filterset = PublicSheetFilter(request.GET or None, queryset=sheets, municipality=town)
    ordered = with_cost_data(filterset.qs).order_by("project__code")
    rows = build_rows(ordered, PlanNode.objects.filter(plan__municipality=town))
    return town, filterset, rows


def year_list(request, code, year):
    town, filterset, rows = _year_listing(request, code, year)
    for row in rows:
        row.url = sheet_url(row.sheet)
        row.pdf_url = public_pdf_url(row.sheet)
    query = request.GET.urlencode()
    return render(
        request,
        "public/year_list.html",
        {
            "municipality": town,
            "year": year,
            "results_year": year - 1,
            "filter": filterset,
            "rows": rows,
            "csv_query": f"?{query}" if query else "",
        },
    )


def year_csv(request, code, year):
    town, _filterset, rows = _year_listing(request, code, year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evalsheets-{town.code}-{year}.csv"'
    write_csv(
        response,
        csv_header(year),
        csv_rows(rows, lambda sheet: request.build_absolute_uri(sheet_url(sheet))),
    )
    return response


def sheet_detail(request, code, year, project_code):
    sheet = get_object_or_404(
        public_sheets().with_children(),
        project__municipality__code=code,
        fiscal_year=year,
        project__code=project_code,
    )
    context = sheet_context(sheet)
    context["pdf_url"] = public_pdf_url(sheet)
    return render(request, "public/sheet_detail.html", context)


def sheet_pdf(request, code, year, project_code):
    """The frozen PDF of a published sheet (its bytes and SHA-256 never change)."""
    sheet = get_object_or_404(
        public_sheets().select_related("project__municipality"),
        project__municipality__code=code,
        fiscal_year=year,
        project__code=project_code,
    )
    stored = ensure_pdf(sheet)  # published: the frozen copy of this version
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=pdf_filename(sheet),
        content_type="application/pdf",
    )
    response["ETag"] = f'"{stored.sha256}"'
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(stored.sha256)).decode()}:"
    response["Cache-Control"] = "public, max-age=300"
    return response
