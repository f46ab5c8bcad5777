"""A filled-in official workbook back into the entry form's data: which sheet and version it
was made from, and the value of every input cell as the form reads it (a choice by its
label, a number as typed). A formula in an input cell is refused, never evaluated."""

import json
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.import_limits import import_max_bytes
from core.spreadsheet_safety import unescape_text
from evalsheets.workbook.layout import IDENTITY_SHEET

# A workbook's parts unpacked: refused beyond this (a zip bomb is small packed).
MAX_UNPACKED = 50 * 1024 * 1024


class WorkbookRefused(ValueError):
    """The file cannot be read as this sheet's official workbook (Japanese message)."""


@dataclass
class FilledWorkbook:
    sheet_id: int
    version: int
    values: dict = field(default_factory=dict)  # {form field name: value as typed}
    labels: dict = field(default_factory=dict)  # {form field name: label}
    cells: dict = field(default_factory=dict)  # {form field name: cell, e.g. "B12"}
    formulas: list = field(default_factory=list)  # [(cell, label)]
    multiple: set = field(default_factory=set)  # form fields with several values


def _open(upload):
    size = getattr(upload, "size", None)
    if size is not None and size > import_max_bytes():
        raise WorkbookRefused("ファイルが大きすぎます。")
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise WorkbookRefused(
            "Excelのブック（.xlsx）として読めません。パスワード付きのブックや、"
            "別の形式のファイルは取り込めません。"
        ) from None
    if unpacked > MAX_UNPACKED:
        raise WorkbookRefused("展開すると大きすぎるファイルです（圧縮爆弾の可能性）。")
    upload.seek(0)
    try:
        return load_workbook(upload, data_only=False)
    except (InvalidFileException, KeyError, ValueError, OSError, zipfile.BadZipFile):
        raise WorkbookRefused("Excelのブック（.xlsx）として読めません。") from None


def read_workbook(upload) -> FilledWorkbook:
    book = _open(upload)
    if IDENTITY_SHEET not in book.sheetnames:
        raise WorkbookRefused(
            "評価シートからダウンロードしたExcelではありません（識別情報のシートがありません）。"
        )
    rows = list(book[IDENTITY_SHEET].iter_rows(values_only=True))
    head = {row[0]: row[1] for row in rows[:7] if row and row[0]}
    try:
        filled = FilledWorkbook(sheet_id=int(head["sheet_id"]), version=int(head["version"]))
    except (KeyError, TypeError, ValueError):
        raise WorkbookRefused("識別情報のシートが壊れています。") from None
    ws = book.worksheets[0]
    for row in rows[7:]:
        if not row or not row[0]:
            continue
        cell_ref, name, kind, label, choices = (list(row) + [None] * 5)[:5]
        _read_cell(filled, ws[str(cell_ref)], str(name), str(kind), str(label), choices)
    return filled


def _read_cell(filled, cell, name, kind, label, choices):
    filled.labels[name] = label
    filled.cells[name] = cell.coordinate
    if cell.data_type == "f":  # a formula: refused, never evaluated
        filled.formulas.append((cell.coordinate, label))
        return
    value = cell.value
    by_label = {str(lab): str(val) for val, lab in json.loads(choices or "[]")}
    if kind == "choices":
        parts = [p.strip() for p in str(value or "").replace(",", "、").split("、") if p.strip()]
        filled.values[name] = [by_label.get(p, p) for p in parts]
        filled.multiple.add(name)
    elif kind == "choice":
        text = "" if value is None else str(value).strip()
        filled.values[name] = by_label.get(text, text)
    elif value is None:
        filled.values[name] = ""
    elif isinstance(value, float) and value.is_integer():
        filled.values[name] = str(int(value))
    else:
        filled.values[name] = unescape_text(str(value)) if isinstance(value, str) else str(value)
