"""One rule for every file the project exports: a text is never read as a formula.

Excel and LibreOffice read a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula when the file is opened or the cell is edited (``=HYPERLINK(…)`` turns into a
link, ``=cmd|' /C calc'!A0`` into a DDE command); a leading tab or carriage return
hides such a start from the eye, and so do leading spaces (LibreOffice's CSV import
has an option that trims them before reading the cell). So a *text* that begins —
after any ASCII or ideographic spaces — with one of ``= + - @``, a tab or a CR is
formula-like (``looks_like_formula``). Numbers, dates and booleans are never touched:
a negative number ``-5`` stays a number; a negative *text* such as a name ``-5`` is
formula-like.

How each kind of file carries a formula-like text:

* CSV, TSV, HTML (opened by a spreadsheet as text): the text gets a leading apostrophe
  ``'`` (``escape_text``). LibreOffice Calc reads such a field as a text cell with the
  apostrophe visible, where the same field without it becomes a formula (``=1+1``,
  ``=HYPERLINK``) or a number (``+1``) — checked by ``tests/core/test_formula_escape.py``
  when LibreOffice is installed. The import of the admin removes the apostrophe again
  (``unescape_text``), so a file exported and imported back keeps its texts.
* .xlsx: a string cell (``t="inlineStr"``, never an ``<f>`` formula element) with the
  quote prefix of its style (``quotePrefix="1"``), exactly what Excel itself stores for
  a cell typed with a leading apostrophe: the cell shows the text as it is, and editing
  it keeps it text (``xlsx_cell``). LibreOffice shows ``=HYPERLINK("http://x","y")`` as
  that text; written as openpyxl writes a plain value, it showed ``y``.
* JSON and YAML: typed data read by programs, where a string is a string; the text is
  written unchanged.

The sheet list export (``evalsheets.exports.excel``), the public CSV (``public.rows.write_csv``) and
every import-export admin (``admin_export.ImportExportAdmin``, through the formats
below) use these functions; ``tests/core/test_formula_escape.py`` opens each file again.
django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` stays off: it
only looks at ``=`` and deletes it, changing the text.
"""

import io

import tablib
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LEADING_SPACES = " \u3000"


def looks_like_formula(value) -> bool:
    """A text a spreadsheet could take for a formula (numbers and None never are)."""
    return isinstance(value, str) and value.lstrip(LEADING_SPACES).startswith(FORMULA_START)


def escape_text(value):
    """The value for a CSV/TSV/HTML cell: a formula-like text with a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def unescape_text(value):
    """The inverse of ``escape_text`` for a file coming back in (an import)."""
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


def xlsx_cell(ws, value, *, font: Font | None = None) -> WriteOnlyCell:
    """A cell of a write-only worksheet: a formula-like text as a quote-prefixed string.

    Characters XML cannot hold (control characters other than tab, LF and CR) are
    written as U+FFFD instead of failing the whole export.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    try:
        cell = WriteOnlyCell(ws, value=value)
    except (ValueError, TypeError):  # a type openpyxl does not know: its text
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))
    if looks_like_formula(cell.value):
        cell.data_type = "s"  # written as an inline string, never as <f>
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def _map_dataset(dataset: tablib.Dataset, func) -> tablib.Dataset:
    mapped = tablib.Dataset(title=dataset.title)
    if dataset.headers:
        mapped.headers = [func(h) for h in dataset.headers]
    for row in dataset:
        mapped.append([func(value) for value in row])
    return mapped


# --- formats of django-import-export --------------------------------------------------


class SafeFormat:
    """A format that applies the rule above. ``native_types``: the admin hands it
    numbers, dates and booleans as such (not as text), so that only texts are escaped."""

    native_types = True


class _EscapedTextFormat(SafeFormat):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_map_dataset(dataset, escape_text), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _map_dataset(super().create_dataset(in_stream, **kwargs), unescape_text)


class SafeCSV(_EscapedTextFormat, base_formats.CSV):
    pass


class SafeTSV(_EscapedTextFormat, base_formats.TSV):
    pass


class SafeHTML(_EscapedTextFormat, base_formats.HTML):
    pass


class SafeXLSX(SafeFormat, base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet((dataset.title or "Sheet1")[:31])
        if dataset.headers:
            bold = Font(bold=True)
            ws.append([xlsx_cell(ws, title, font=bold) for title in dataset.headers])
        for row in dataset:
            ws.append([xlsx_cell(ws, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


class SafeJSON(SafeFormat, base_formats.JSON):
    native_types = False  # json.dumps knows no Decimal: the widgets' text, unchanged


class SafeYAML(SafeFormat, base_formats.YAML):
    native_types = False


EXPORT_FORMATS = [SafeCSV, SafeXLSX, SafeTSV, SafeJSON, SafeYAML, SafeHTML]
# Imports read what the exports write (the apostrophe removed again); master data comes
# as CSV, TSV or Excel, the formats whose size and rows the import checks before reading.
IMPORT_FORMATS = [SafeCSV, SafeXLSX, SafeTSV]


def set_value_safely(cell, value) -> None:
    """``xlsx_cell``'s rule for a cell of an ordinary (not write-only) worksheet."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
