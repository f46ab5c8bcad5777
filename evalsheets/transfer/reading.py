"""Reading an uploaded file into raw rows, with every check that needs no database.

Refused before anything is read in full (``FileRefused``): a file over the byte limit, a
file that is not an .xlsx or .csv, an encrypted (password-protected) or old .xls workbook,
a damaged ZIP, a ZIP that unpacks past ``UNPACKED_FACTOR`` times the byte limit (a zip
bomb), more rows than the row limit (counted from the worksheets' dimensions first, then
while streaming, stopping at the first row over), a CSV in neither UTF-8 nor Shift_JIS.
Reported per place (``Problem``: worksheet, row, column, Japanese message): formulas,
merged cells, hidden worksheets, missing or doubled headers. Blank rows are skipped;
headers may come in any order; worksheets of other names are left aside with a note.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import NamedTuple

from openpyxl import load_workbook

from core.import_limits import UNPACKED_FACTOR, import_max_bytes, import_max_rows
from core.spreadsheet_safety import unescape_text
from evalsheets.transfer import layout

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MERGE_TAG = b"<mergeCell "
CHUNK = 1 << 16


class Problem(NamedTuple):
    """One error, with its place: worksheet, row (1 = the header), column header."""

    sheet: str
    row: int | None
    column: str
    message: str


class FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RawTable:
    table: layout.Table
    sheet_name: str
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, {key: raw})


@dataclass
class RawBook:
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_count: int = 0


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


def too_large() -> FileRefused:
    return FileRefused(
        f"ファイルが大きすぎます。取り込めるのは{_mb(import_max_bytes())} MBまでです。"
        "ファイルを分けてください。"
    )


def _too_many_rows() -> FileRefused:
    return FileRefused(
        f"行が多すぎます。一度に取り込めるのは{import_max_rows():,}行"
        "（見出しの行を除く）までです。ファイルを分けてください。"
    )


def _norm_header(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().replace(" ", "")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _map_headers(raw: RawTable, header: list, book: RawBook) -> dict[int, layout.Column]:
    """{position: column} of the read columns; missing or doubled headers are problems."""
    wanted = {_norm_header(c.header): c for c in raw.table.columns}
    positions: dict[int, layout.Column] = {}
    seen: set[str] = set()
    for index, title in enumerate(header):
        column = wanted.get(_norm_header(title))
        if column is None:
            continue
        if column.key in seen:
            book.problems.append(
                Problem(
                    raw.sheet_name, 1, column.header, f"見出し「{column.header}」が2つあります。"
                )
            )
            continue
        seen.add(column.key)
        if not column.export_only:
            positions[index] = column
    for column in raw.table.read_columns:
        if column.key not in seen:
            book.problems.append(
                Problem(raw.sheet_name, 1, column.header, f"列「{column.header}」がありません。")
            )
    return positions


def _add_row(raw: RawTable, number: int, values: list, positions, book: RawBook):
    if all(_blank(v) for v in values):
        return
    book.row_count += 1
    if book.row_count > import_max_rows():
        raise _too_many_rows()
    row = {}
    for index, column in positions.items():
        row[column.key] = values[index] if index < len(values) else None
    raw.rows.append((number, row))


# --------------------------------------------------------------------------- .xlsx


def _check_container(data: bytes) -> zipfile.ZipFile:
    head = data[:8]
    if head == OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused(
                "パスワードで保護されたExcelファイルは取り込めません。"
                "パスワードを解除して保存し直してから取り込んでください。"
            )
        raise FileRefused(
            "古い形式（.xls）のExcelファイルは取り込めません。.xlsx形式で保存し直してください。"
        )
    if not head.startswith(ZIP_MAGIC):
        raise FileRefused(
            "Excelファイル（.xlsx）ではありません。Excelで開いて.xlsx形式で保存し直してください。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(
            "ファイルが壊れているため読み込めません。Excelで開いて保存し直してください。"
        ) from exc
    if unpacked > UNPACKED_FACTOR * import_max_bytes():
        raise FileRefused(
            f"このExcelファイルは展開すると大きすぎます（{_mb(unpacked)} MB）。"
            "ファイルを分けてください。"
        )
    return archive


def _merged_ref(archive: zipfile.ZipFile, path: str) -> str | None:
    """The first merged range of a worksheet part, found by streaming its XML."""
    name = path.lstrip("/")
    try:
        stream = archive.open(name)
    except KeyError:
        return None
    tail = b""
    with stream:
        while chunk := stream.read(CHUNK):
            text = tail + chunk
            at = text.find(MERGE_TAG)
            if at >= 0:
                rest = text[at : at + 200] + stream.read(200)
                start = rest.find(b'ref="')
                end = rest.find(b'"', start + 5)
                return rest[start + 5 : end].decode("ascii", "replace") if start >= 0 else "?"
            tail = text[-len(MERGE_TAG) :]
    return None


def _read_worksheet(ws, raw: RawTable, book: RawBook):
    rows = ws.iter_rows()
    header_row = next(rows, None)
    header = [cell.value for cell in header_row] if header_row else []
    positions = _map_headers(raw, header, book)
    for number, cells in enumerate(rows, start=2):
        values = []
        for cell in cells:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                column = positions.get(len(values))
                book.problems.append(
                    Problem(
                        raw.sheet_name,
                        number,
                        column.header if column else f"{len(values) + 1}列目",
                        "数式は取り込めません。値に変換（コピーして値のみ貼り付け）してください。",
                    )
                )
                value = None
            values.append(value)
        _add_row(raw, number, values, positions, book)


def _read_known(ws, archive: zipfile.ZipFile, book: RawBook):
    """One worksheet: a table of the layout (visible, without merged cells) or a note."""
    table = layout.BY_TITLE.get(ws.title)
    if table is None:
        if ws.title != "出力情報":
            book.notes.append(f"シート「{ws.title}」は取り込みの対象ではないため読み飛ばします。")
        return
    if ws.sheet_state != "visible":
        message = "非表示のシートです。表示してから取り込んでください。"
        book.problems.append(Problem(ws.title, None, "", message))
        return
    merged = _merged_ref(archive, ws._worksheet_path)
    if merged:
        message = f"結合されたセル（{merged}）があります。結合を解除してから取り込んでください。"
        book.problems.append(Problem(ws.title, None, merged, message))
        return
    raw = RawTable(table, ws.title)
    book.tables[table.name] = raw
    _read_worksheet(ws, raw, book)


def read_xlsx(data: bytes) -> RawBook:
    archive = _check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged part
        raise FileRefused(
            "ファイルが壊れているため読み込めません。Excelで開いて保存し直してください。"
        ) from exc
    book = RawBook()
    try:
        known = [ws for ws in workbook.worksheets if ws.title in layout.BY_TITLE]
        declared = sum(max((ws.max_row or 1) - 1, 0) for ws in known)
        if declared > import_max_rows():
            raise _too_many_rows()
        for ws in workbook.worksheets:
            _read_known(ws, archive, book)
    except FileRefused:
        raise
    except Exception as exc:  # a damaged worksheet part, found while streaming
        raise FileRefused(
            "ファイルが壊れているため読み込めません。Excelで開いて保存し直してください。"
        ) from exc
    finally:
        workbook.close()
    if not book.tables and not book.problems:
        raise FileRefused(
            "取り込める表（シート名「事務事業」「評価シート」「事業費」など）がありません。"
        )
    return book


# --------------------------------------------------------------------------- .csv


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused("文字コードを読み取れません。CSVはUTF-8またはShift_JISで保存してください。")


def _csv_table(header: list[str]) -> layout.Table:
    names = {_norm_header(h) for h in header}

    def score(table):
        wanted = {_norm_header(c.header) for c in table.columns}
        return (len(wanted & names), -len(wanted - names))

    best = max(layout.TABLES, key=score)
    if not all(_norm_header(c.header) in names for c in best.key_columns):
        raise FileRefused(
            "CSVの見出しがどの表のものか分かりません。1行目に「団体コード」「事務事業コード」"
            "などの見出しを入れてください（docs/excel.md）。"
        )
    return best


def read_csv(data: bytes) -> RawBook:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise FileRefused("CSVが空です。")
    table = _csv_table(header)
    book = RawBook()
    raw = RawTable(table, f"{table.title}（CSV）")
    book.tables[table.name] = raw
    positions = _map_headers(raw, header, book)
    try:
        for number, values in enumerate(reader, start=2):
            _add_row(raw, number, [unescape_text(v) for v in values], positions, book)
    except csv.Error as exc:
        raise FileRefused(f"CSVを読み取れません（{exc}）。") from exc
    return book


def read_upload(data: bytes, name: str) -> RawBook:
    """The raw tables of an uploaded file (its bytes, already bounded by the byte limit)."""
    if len(data) > import_max_bytes():
        raise too_large()
    lower = (name or "").lower()
    if lower.endswith(".csv"):
        return read_csv(data)
    if lower.endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    raise FileRefused("取り込めるのは.xlsxと.csvのファイルです。")
