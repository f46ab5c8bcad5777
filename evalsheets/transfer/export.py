"""The year workbook: a municipality's sheets of one fiscal year, one worksheet per table.

Written by a write-only openpyxl workbook in one pass over the sheets (loaded BATCH at a
time by ``with_children()``, each worksheet streaming to its own temporary file), so the
memory does not grow with the year. Every cell goes through ``spreadsheet_safety.xlsx_cell``:
a text is never written as a formula. Japanese headers, the header row frozen, widths per
column, thousands separators on money and figures, years in 和暦 (令和5年度) as the paper
forms print them.
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.spreadsheet_safety import xlsx_cell
from core.wareki import fiscal_year_label, wareki_datetime
from evalsheets.layouts.base import YES_NO
from evalsheets.transfer import layout, rows

INFO_TITLE = "出力情報"
BOOL_LABELS = {True: "はい", False: "いいえ"}
YES_NO_BLANK = {True: "有", False: "無"}
FORMATS = {
    "money": "#,##0",
    "int": "#,##0",
    "fte": "0.00",
}


def _number_format(value) -> str:
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return "#,##0.00"
    return "#,##0"


def display(column: layout.Column, value):
    """The value as the workbook shows it (the import reads each of these back)."""
    if value is None or value == "":
        return None
    kind = column.kind
    if kind == "year":
        return fiscal_year_label(value)
    if kind == "choice":
        return dict(column.choices).get(value, value)
    if kind == "choices":
        labels = dict(column.choices)
        return "、".join(labels.get(v, v) for v in value) or None
    if kind == "bool":
        return BOOL_LABELS[bool(value)]
    if kind == "yes_no_blank":
        return YES_NO_BLANK[bool(value)]
    return value


def extra_display(field, value):
    """A value of a 様式's own field (SheetLayout.extra_fields) as written."""
    if field is None:
        return value
    if field.kind == "choice":
        return field.choice_label(value) or value
    if field.kind == "yes_no":
        return dict(field.choices or YES_NO)["yes" if value else "no"]
    return value


def _cell(ws, column: layout.Column, value):
    cell = xlsx_cell(ws, value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        if column.key.endswith(("_no", "_order")):
            cell.number_format = "0"
        else:
            cell.number_format = FORMATS.get(column.kind) or _number_format(value)
    return cell


def _open(workbook, table: layout.Table):
    ws = workbook.create_sheet(table.title)
    for index, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = xlsx_cell(ws, column.header, font=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    return ws


def _append(ws, table: layout.Table, row: dict, extra_fields=None):
    cells = []
    for column in table.columns:
        value = display(column, row.get(column.key))
        if table.name == "extra" and column.key == "value":
            value = extra_display((extra_fields or {}).get(row["name"]), row["value"])
        cells.append(_cell(ws, column, value))
    ws.append(cells)


def _info(workbook, municipality, fiscal_year: int, count: int):
    ws = workbook.create_sheet(INFO_TITLE)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 40
    now = timezone.localtime().replace(microsecond=0)
    for label, value in (
        ("団体コード", municipality.code),
        ("団体名", municipality.name),
        ("実施年度", fiscal_year_label(fiscal_year)),
        ("評価シート数", count),
        ("出力日時", wareki_datetime(now)),
        ("説明", "各シートの1行目が見出しです。この形式のまま取り込めます（docs/excel.md）。"),
    ):
        ws.append([xlsx_cell(ws, label, font=Font(bold=True)), xlsx_cell(ws, value)])


def write_year_workbook(out, municipality, fiscal_year: int) -> int:
    """Write the year workbook of ``municipality`` to the binary file ``out``; the number
    of sheets written."""
    queryset = rows.year_sheets(municipality, fiscal_year)
    count = queryset.count()
    workbook = Workbook(write_only=True)
    _info(workbook, municipality, fiscal_year, count)
    sheets = {table.name: _open(workbook, table) for table in layout.TABLES}
    for project in rows.year_projects(municipality, fiscal_year).iterator(chunk_size=500):
        _append(sheets["projects"], layout.PROJECTS, rows.project_row(project))
    for sheet in rows.sheets_in_batches(queryset):
        extra_fields = {field.name: field for field in sheet.layout.extra_fields}
        for table in layout.TABLES[1:]:
            for row in rows.rows_of_sheet(table, sheet):
                _append(sheets[table.name], table, row, extra_fields)
    workbook.save(out)
    return count


def year_workbook(municipality, fiscal_year: int) -> bytes:
    buffer = io.BytesIO()
    write_year_workbook(buffer, municipality, fiscal_year)
    return buffer.getvalue()


def file_name(municipality, fiscal_year: int) -> str:
    stamp = datetime.date.today().strftime("%Y%m%d")
    return f"{municipality.code}_{fiscal_year}_year_{stamp}.xlsx"
