"""Helpers of the transfer tests: a workbook's tables as plain rows, an import in one call."""

import io

from openpyxl import load_workbook

from evalsheets.transfer import layout
from evalsheets.transfer.reading import read_upload
from evalsheets.transfer.service import apply_import, plan_import

# Written for the reader, not imported: the state and version of a sheet (an import
# makes drafts), the export's own sheet of information.
NOT_ROUND_TRIPPED = {"状態", "版"}


def tables_of(content: bytes) -> dict[str, list[tuple]]:
    """{worksheet title: rows (tuples of cell values)} of the year workbook's tables."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    result = {}
    for ws in book.worksheets:
        if ws.title not in layout.BY_TITLE:
            continue
        values = list(ws.values)
        header = values[0]
        keep = [i for i, title in enumerate(header) if title not in NOT_ROUND_TRIPPED]
        result[ws.title] = [tuple(row[i] if i < len(row) else None for i in keep) for row in values]
    book.close()
    return result


def dry_run(content: bytes, municipality, name="year.xlsx"):
    return plan_import(read_upload(content, name), municipality, data=content, file_name=name)


def run_import(content: bytes, municipality, name="year.xlsx", actor=None):
    book = read_upload(content, name)
    return apply_import(book, municipality, actor, data=content, file_name=name)
