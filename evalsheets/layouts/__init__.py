"""The registry of 様式 (sheet layouts): one frozen ``SheetLayout`` per layout, looked up
by the key a municipality stores (``Municipality.sheet_layout``).

Everything that differs between the cities' sheets is in its layout module
(tamana.py, isehara.py, hitoyoshi.py); the entry form, the sheet page, the diff, the
history, the PDF and the exports all ask the layout. An unknown key raises
``UnknownLayout`` — there is no fallback to another city's sheet.
"""

from evalsheets.layouts import hitoyoshi, isehara, tamana
from evalsheets.layouts.base import SheetLayout, UnknownLayout, Viewpoint

LAYOUTS: dict[str, SheetLayout] = {
    layout.key: layout for layout in (tamana.LAYOUT, isehara.LAYOUT, hitoyoshi.LAYOUT)
}


def get_layout(key: str) -> SheetLayout:
    try:
        return LAYOUTS[key]
    except KeyError:
        raise UnknownLayout(key) from None


__all__ = ["LAYOUTS", "SheetLayout", "UnknownLayout", "Viewpoint", "get_layout"]
