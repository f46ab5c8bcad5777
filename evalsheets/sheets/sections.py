"""A generated 様式's sections as the sheet page and the PDF show them: each block with what
it prints, the field blocks resolved to (label, shown value) rows — built-in fields and the
definition's own fields (``SheetLayout.extra_fields``) alike."""

from core.choices import Actor, Allocation
from evalsheets.layouts import SheetLayout
from evalsheets.models import EvaluationSheet


def _shown_builtin(sheet: EvaluationSheet, layout: SheetLayout, name: str) -> str:
    value = getattr(sheet, name)
    if name == "implementation_methods":
        labels = dict(layout.implementation_choices)
        return "、".join(labels.get(v, v) for v in value or ())
    if name == "actors":
        labels = dict(Actor.choices)
        return "、".join(str(labels.get(v, v)) for v in value or ())
    if name == "direction":
        return layout.direction_label(value)
    if name in ("funding_allocation", "staffing_allocation"):
        return str(dict(Allocation.choices).get(value, ""))
    if name == "user_charge_exists":
        return {True: "有", False: "無"}.get(value, "")
    return value or ""


def field_rows(sheet: EvaluationSheet, layout: SheetLayout, names) -> list[tuple[str, str]]:
    rows = []
    stored = sheet.extra or {}
    for name in names:
        extra = layout.extra_field(name)
        if extra is not None:
            rows.append((extra.full_label, extra.shown(stored.get(name))))
        else:
            verbose = str(EvaluationSheet._meta.get_field(name).verbose_name)
            rows.append((layout.label(name, verbose), _shown_builtin(sheet, layout, name)))
    return rows


def sections(sheet: EvaluationSheet, layout: SheetLayout) -> list[dict]:
    """[{"heading", "blocks": [{"type", "label", "rows"}]}] of a generated layout."""
    result = []
    for section in layout.sections:
        blocks = []
        for block in section["blocks"]:
            rows = ()
            if block["type"] == "fields":
                rows = field_rows(sheet, layout, block["fields"])
            elif block["type"] == "extra":
                names = block["fields"] or [e.name for e in layout.extra_fields]
                rows = field_rows(sheet, layout, names)
            blocks.append({**block, "rows": rows})
        result.append({"heading": section["heading"], "blocks": blocks})
    return result
