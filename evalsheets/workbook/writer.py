"""The official sheet as a workbook: the entry form laid out on an A4 page, the input cells
unlocked and everything else protected, the sheet's identity, version and the place of
every input in a hidden worksheet (``reader`` brings it back)."""

import io
import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from core.spreadsheet_safety import set_value_safely
from core.wareki import fiscal_year_label
from evalsheets.entry.bundle import SheetEntry
from evalsheets.workbook.layout import IDENTITY_SHEET, Input, sections

FONT = "IPAexゴシック"
WIDTH = 8  # columns A (labels) … H
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")


def _shown(item: Input):
    """The value a person reads and types: a choice by its label, a number as a number."""
    labels = dict(item.choices)
    if item.kind == "choices":
        return "、".join(labels.get(str(v), str(v)) for v in item.value or ())
    if item.kind == "choice":
        return labels.get(str(item.value), "") if item.value not in (None, "") else ""
    if item.kind == "number" and item.value not in (None, ""):
        try:
            return Decimal(str(item.value).replace(",", ""))
        except ArithmeticError:
            return str(item.value)
    return "" if item.value is None else str(item.value)


class _Sheet:
    def __init__(self, ws):
        self.ws = ws
        self.row = 1
        self.places: list[dict] = []
        for index in range(1, WIDTH + 1):
            letter = chr(ord("A") + index - 1)
            ws.column_dimensions[letter].width = 30 if index == 1 else 13

    def style(self, cell, *, bold=False, fill=None, wrap=True, locked=True, size=10):
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=wrap, vertical="top")
        if fill is not None:
            cell.fill = fill
        cell.protection = Protection(locked=locked)

    def title(self, text):
        self.ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=WIDTH)
        cell = self.ws.cell(row=1, column=1)
        set_value_safely(cell, text)
        cell.font = Font(name=FONT, size=14, bold=True)
        cell.alignment = Alignment(horizontal="center")
        self.row = 2

    def pair(self, label, value):
        """A read-only header row: label, then the value across the other columns."""
        self._label(label)
        cell = self.ws.cell(row=self.row, column=2)
        set_value_safely(cell, value)
        self.ws.merge_cells(start_row=self.row, start_column=2, end_row=self.row, end_column=WIDTH)
        self.style(cell)
        self.row += 1

    def heading(self, text):
        self.row += 1
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=WIDTH)
        cell = self.ws.cell(row=self.row, column=1)
        set_value_safely(cell, text)
        self.style(cell, bold=True, fill=HEAD_FILL)
        self.row += 1

    def _label(self, label):
        cell = self.ws.cell(row=self.row, column=1)
        set_value_safely(cell, label)
        self.style(cell, bold=True, fill=HEAD_FILL)

    def input(self, item: Input):
        self._label(item.label)
        cell = self.ws.cell(row=self.row, column=2)
        self.ws.merge_cells(start_row=self.row, start_column=2, end_row=self.row, end_column=WIDTH)
        self._write_input(cell, item)
        if item.kind == "long_text":
            self.ws.row_dimensions[self.row].height = 90
        self.row += 1

    def _write_input(self, cell, item: Input):
        set_value_safely(cell, _shown(item))
        self.style(cell, fill=INPUT_FILL, locked=False)
        if item.kind == "number":
            cell.number_format = "#,##0.##"
        if item.kind == "choice" and item.choices:
            options = ",".join(label for _value, label in item.choices if label)
            if len(options) <= 250 and '"' not in options:
                validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
                validation.error = "選択肢から選んでください。"
                self.ws.add_data_validation(validation)
                validation.add(cell)
        self.places.append(
            {
                "cell": cell.coordinate,
                "name": item.name,
                "kind": item.kind,
                "label": item.label,
                "choices": item.choices,
            }
        )

    def grid(self, columns):
        """Years across, rows down: the cost grid or 人工, as on the entry page."""
        first = columns[0][1]
        self._label("区分")
        for index, (column, _items) in enumerate(columns, start=2):
            cell = self.ws.cell(row=self.row, column=index)
            set_value_safely(cell, column.label)
            self.style(cell, bold=True, fill=HEAD_FILL)
        self.row += 1
        for position, head in enumerate(first):
            prefix = f"{columns[0][0].label} "
            self._label(head.label.removeprefix(prefix))
            for index, (_column, items) in enumerate(columns, start=2):
                if position < len(items):
                    self._write_input(self.ws.cell(row=self.row, column=index), items[position])
            self.row += 1


def official_workbook(sheet) -> bytes:
    """The sheet's official form as .xlsx bytes."""
    entry = SheetEntry(sheet)
    project = sheet.project
    workbook = Workbook()
    ws = workbook.active
    ws.title = "評価シート"
    page = _Sheet(ws)
    page.title(f"{project.municipality.name} {sheet.layout.title}")
    page.pair("事務事業コード", project.code)
    page.pair("事務事業名", project.name)
    page.pair(
        "実施年度",
        f"{fiscal_year_label(sheet.fiscal_year)}（{fiscal_year_label(sheet.results_year)}実績）",
    )
    page.pair("所管課", f"{project.section.department.name} {project.section.name}")
    page.pair("版", f"第{sheet.version}版（{sheet.get_state_display()}）")
    for heading, content in sections(entry):
        page.heading(heading)
        if isinstance(content, tuple) and content[0] == "grid":
            if content[1]:
                page.grid(content[1])
        else:
            for item in content:
                page.input(item)
    _print_setup(ws, page.row)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    _identity(workbook, sheet, page.places)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _print_setup(ws, last_row):
    ws.print_area = f"A1:{chr(ord('A') + WIDTH - 1)}{last_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = "B2"


def _identity(workbook, sheet, places):
    """The hidden worksheet: which sheet, at which version, and where each input is."""
    hidden = workbook.create_sheet(IDENTITY_SHEET)
    hidden.sheet_state = "veryHidden"
    rows = [
        ("sheet_id", sheet.pk),
        ("version", sheet.version),
        ("municipality", sheet.project.municipality.code),
        ("project", sheet.project.code),
        ("fiscal_year", sheet.fiscal_year),
        ("layout", f"{sheet.layout.key}:{sheet.layout.version}"),
    ]
    for key, value in rows:
        hidden.append([key, value])
    hidden.append(["inputs", len(places)])
    for place in places:  # one row per input: cell, form field, kind, label, choices
        hidden.append(
            [
                place["cell"],
                place["name"],
                place["kind"],
                place["label"],
                json.dumps(place["choices"], ensure_ascii=False),
            ]
        )
    hidden.protection.sheet = True
