"""The registry of 様式 (sheet layouts): one frozen ``SheetLayout`` per layout and version,
looked up by the key a municipality stores (``Municipality.sheet_layout``) and the sheet's
fiscal year.

Every layout is a definition file (YAML, docs/sheet-forms.md): the built-in ones in
``definitions/``, others installed into the database with ``manage.py load_sheet_form``
(the demo loader installs ``fixtures/layouts/*.yaml``). The entry form, the sheet page,
the diff, the history, the PDF and the exports all ask the layout. An unknown key raises
``UnknownLayout`` — there is no fallback to another city's sheet.
"""

from evalsheets.layouts.base import Choice, ExtraField, SheetLayout, UnknownLayout, Viewpoint
from evalsheets.layouts.registry import (
    all_layouts,
    assume_none_installed,
    built_in_layouts,
    forget_installed,
    get_layout,
    refresh_installed,
    set_installed_source,
)

__all__ = [
    "Choice",
    "ExtraField",
    "SheetLayout",
    "UnknownLayout",
    "Viewpoint",
    "all_layouts",
    "assume_none_installed",
    "built_in_layouts",
    "forget_installed",
    "get_layout",
    "refresh_installed",
    "set_installed_source",
]
