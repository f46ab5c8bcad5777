"""Bringing a filled-in official workbook back into a draft: the entry form is bound to the
sheet's current values with the workbook's input cells laid over them, so the workbook is
checked exactly as the browser form is (full-width digits, bounds, choices); the preview
lists every field that would change, the save goes through ``save_sheet`` with the version
the workbook was made from (a newer save meanwhile is a conflict, never overwritten)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.datastructures import MultiValueDict

from evalsheets.entry.bundle import SheetEntry
from evalsheets.entry.saving import save_sheet
from evalsheets.workbook.reader import FilledWorkbook


@dataclass
class Preview:
    entry: SheetEntry
    changes: list = field(default_factory=list)  # [(cell, label, old, new)]
    errors: list = field(default_factory=list)  # [(cell, label, message)]


def _fields(entry: SheetEntry) -> dict:
    """{form field name: (form, field)} of the plain forms the workbook holds."""
    found = {}
    for _part, form in entry.plain_forms():
        for name in form.fields:
            found[form.add_prefix(name)] = (form, name)
    return found


def current_data(entry: SheetEntry) -> MultiValueDict:
    """The form data that would re-post the sheet's current values unchanged."""
    data = MultiValueDict()
    for html_name, (form, name) in _fields(entry).items():
        value = form[name].value()
        if isinstance(value, list | tuple):
            data.setlist(html_name, [str(v) for v in value])
        else:
            data[html_name] = "" if value is None else str(value)
    data["version"] = str(entry.version)
    return data


def _cleaned(form, name):
    return form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None


def _same(old, new) -> bool:
    """Equal as the model stores them: 0.00 is 0, a blank is a blank."""
    if isinstance(old, Decimal | int) and isinstance(new, Decimal | int):
        return Decimal(old) == Decimal(new)
    if isinstance(old, list | tuple) or isinstance(new, list | tuple):
        return sorted(map(str, old or ())) == sorted(map(str, new or ()))
    return ((old in (None, "")) and (new in (None, ""))) or old == new


def _shown(form, name) -> str:
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    field_ = form.fields[name]
    labels = {str(k): str(v) for k, v in getattr(field_, "choices", ()) or ()}
    if isinstance(value, list | tuple):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return f"{value:,}"  # 1,500 as on the entry form
    if labels and value not in (None, ""):
        return labels.get(str(value), str(value))
    return "" if value is None else str(value)


def preview(sheet, filled: FilledWorkbook) -> Preview:
    base = SheetEntry(sheet, data=current_data(SheetEntry(sheet)))
    data = current_data(SheetEntry(sheet))
    known = _fields(base)
    for name, value in filled.values.items():
        if name not in known:
            continue  # an input the form no longer has (a changed 様式): left out
        if name in filled.multiple:
            data.setlist(name, value)
        else:
            data[name] = value
    entry = SheetEntry(sheet, data=data)
    entry.is_valid()
    base.is_valid()
    result = Preview(entry)
    bound = _fields(entry)
    for name in filled.values:
        if name not in bound:
            continue
        form, field_name = bound[name]
        cell, label = filled.cells.get(name, ""), filled.labels.get(name, name)
        if field_name in form.errors:
            for message in form.errors[field_name]:
                result.errors.append((cell, label, message))
            continue
        old_form, _ = known[name]
        if not _same(_cleaned(old_form, field_name), _cleaned(form, field_name)):
            old, new = _shown(old_form, field_name), _shown(form, field_name)
            result.changes.append((cell, label, old, new))
    for cell, label in filled.formulas:
        result.errors.append((cell, label, "数式は取り込めません。値を入力してください。"))
    return result


def apply(sheet, user, filled: FilledWorkbook):
    """Save what the preview showed (VersionConflict if the sheet moved on meanwhile)."""
    result = preview(sheet, filled)
    if result.errors:
        return result, None
    saved = save_sheet(sheet, user, result.entry.changes(), expected_version=filled.version)
    return result, saved
