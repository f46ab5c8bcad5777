"""Excel export of sheets: rows are generated, then written by a write-only openpyxl workbook.

As in pretix's ListExporter: the data is a generator of rows (one query per batch, no
row kept in memory after it is written), the workbook is in write-only mode, so the
export of thousands of sheets stays flat in memory. Every cell is written by
``spreadsheet_safety.xlsx_cell``: a text such as ``=HYPERLINK(…)`` in 事務事業名, 所管課
or 課長所見 is a quote-prefixed string cell, never a formula; figures stay numbers.
"""

import io
from collections.abc import Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.choices import CostKind
from core.spreadsheet_safety import xlsx_cell
from core.wareki import fiscal_year_label, fiscal_year_short
from evalsheets.layouts import get_layout
from evalsheets.models import EvaluationSheet

BATCH = 200

SHEET_HEADER = (
    "事務事業コード",
    "事務事業名",
    "部",
    "所管課",
    "総合計画での位置付け",
    "実施年度",
    "状態",
    "版",
    "今後の方向性",
    "課長所見",
    "更新日時",
)
EXTRA_HEADER = ("事務事業コード", "事務事業名", "実施年度", "項目", "年度", "値")
COST_HEADER = (
    "事務事業コード",
    "事務事業名",
    "実施年度",
    "年度",
    "区分",
    "国庫支出金",
    "県支出金",
    "起債",
    "その他",
    "受益者負担",
    "一般財源",
    "事業費（小計）",
    "職員人工数",
    "会計年度任用職員人工数",
    "人件費",
    "合計",
)


def _batches(queryset) -> Iterator[EvaluationSheet]:
    """Sheets with everything the rows need, fetched in batches of BATCH by primary key."""
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        sheets = (
            EvaluationSheet.objects.filter(pk__in=chunk)
            .with_related()
            .select_related("review", "project__plan_node__parent__parent__parent")
            .with_costs()
        )
        by_pk = {s.pk: s for s in sheets}
        for pk in chunk:
            if pk in by_pk:
                yield by_pk[pk]


def _review_remarks(sheet) -> str:
    try:
        return sheet.review.remarks or sheet.review.head_comment
    except EvaluationSheet.review.RelatedObjectDoesNotExist:
        return ""


def _direction(sheet) -> str:
    """今後の方向性 in the words of the sheet's 様式."""
    return sheet.layout.direction_label(sheet.direction) or sheet.get_direction_display()


def extra_rows(queryset) -> Iterator[tuple]:
    """The 様式's own fields (SheetLayout.extra_fields), one row per field and sheet: a number
    per year gives one row per year, a number stays a number."""
    for sheet in _batches(queryset):
        layout, project = sheet.layout, sheet.project
        stored = sheet.extra or {}
        for extra in layout.extra_fields:
            value = stored.get(extra.name)
            head = (project.code, project.name, fiscal_year_label(sheet.fiscal_year))
            if extra.kind == "year_numbers":
                for year, number in sorted((value or {}).items()):
                    yield (*head, extra.full_label, fiscal_year_label(int(year)), Decimal(number))
            elif extra.kind == "number" and value not in (None, ""):
                yield (*head, extra.full_label, "", Decimal(value))
            else:
                yield (*head, extra.full_label, "", extra.shown(value))


def _has_extra_fields(queryset) -> bool:
    keys = set(
        queryset.order_by()
        .values_list("project__municipality__sheet_layout", "fiscal_year")
        .distinct()
    )
    return any(get_layout(key, year).extra_fields for key, year in keys if key)


def sheet_rows(queryset) -> Iterator[tuple]:
    for sheet in _batches(queryset):
        project = sheet.project
        node = project.plan_node
        chain = " › ".join(n.label for n in node.ancestors()) if node else ""
        yield (
            project.code,
            project.name,
            project.section.department.name,
            project.section.name,
            chain,
            fiscal_year_label(sheet.fiscal_year),
            sheet.get_state_display(),
            sheet.version,
            _direction(sheet),
            _review_remarks(sheet),
            sheet.updated_at.replace(tzinfo=None) if sheet.updated_at else None,
        )


def cost_rows(queryset) -> Iterator[tuple]:
    for sheet in _batches(queryset):
        project = sheet.project
        for column in sheet.cost_columns():
            row = column.row
            year = fiscal_year_short(column.fiscal_year) if column.fiscal_year else "全体計画"
            effort = column.effort
            yield (
                project.code,
                project.name,
                fiscal_year_label(sheet.fiscal_year),
                year,
                str(CostKind(column.kind).label),
                row.national_subsidy,
                row.prefectural_subsidy,
                row.municipal_bonds,
                row.other_specific,
                row.user_charges,
                row.general_revenue,
                column.project_cost,
                float(effort.staff_fte) if effort else None,
                float(effort.part_time_fte) if effort else None,
                column.personnel_cost if effort else None,
                column.total,
            )


def _write(ws, header, rows, widths):
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = xlsx_cell(ws, title, font=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    ws.append(cells)
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "C2"
    for row in rows:
        # Every value through the one rule: a text is never written as a formula.
        ws.append([xlsx_cell(ws, value) for value in row])


def sheets_workbook(queryset) -> bytes:
    """An .xlsx with the worksheets 評価シート (one row per sheet), 事業費 (one row per
    column) and, where the 様式 adds fields of its own, 様式独自の項目 (one row per field)."""
    workbook = Workbook(write_only=True)
    sheets_ws = workbook.create_sheet("評価シート")
    _write(
        sheets_ws, SHEET_HEADER, sheet_rows(queryset), (12, 36, 14, 16, 40, 12, 10, 5, 16, 60, 18)
    )
    costs_ws = workbook.create_sheet("事業費")
    _write(
        costs_ws,
        COST_HEADER,
        cost_rows(queryset),
        (12, 36, 12, 10, 10, 11, 11, 11, 11, 11, 11, 13, 11, 11, 11, 11),
    )
    if _has_extra_fields(queryset):
        extra_ws = workbook.create_sheet("様式独自の項目")
        _write(extra_ws, EXTRA_HEADER, extra_rows(queryset), (12, 36, 12, 30, 12, 40))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
