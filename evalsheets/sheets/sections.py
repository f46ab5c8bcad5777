"""A generated 様式's sections as the sheet page and the PDF show them: each block with what
it prints, the field blocks resolved to (label, shown value) rows — built-in fields and the
definition's own fields (``SheetLayout.extra_fields``) alike."""

from decimal import Decimal

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
        return _boxes([(d.value, d.label) for d in layout.directions], value)
    if name in ("funding_allocation", "staffing_allocation"):
        return str(dict(Allocation.choices).get(value, ""))
    if name == "user_charge_exists":
        return {True: "有", False: "無"}.get(value, "")
    return value or ""


def _boxes(choices, value) -> str:
    """Every choice with ■ (chosen) or □, as the paper prints them."""
    return "　".join(f"{'■' if key == value else '□'} {label}" for key, label in choices)


def field_rows(sheet: EvaluationSheet, layout: SheetLayout, names) -> list[tuple[str, str, str]]:
    """(label, shown value, field number) of each field that is not a number per year."""
    rows = []
    stored = sheet.extra or {}
    for name in names:
        extra = layout.extra_field(name)
        if extra is not None:
            if extra.kind in ("choice", "yes_no"):
                rows.append((extra.full_label, _boxes(extra.all_choices, stored.get(name))))
            elif extra.kind != "year_numbers":
                rows.append((extra.full_label, extra.shown(stored.get(name))))
        else:
            verbose = str(EvaluationSheet._meta.get_field(name).verbose_name)
            rows.append((layout.label(name, verbose), _shown_builtin(sheet, layout, name)))
    return [
        (*row, layout.field_numbers.get(name, ""))
        for row, name in zip(rows, _shown_names(layout, names), strict=True)
    ]


def _shown_names(layout: SheetLayout, names) -> list[str]:
    """The names field_rows gives a row to (a number per year has its own table)."""
    return [
        name
        for name in names
        if layout.extra_field(name) is None or layout.extra_field(name).kind != "year_numbers"
    ]


def year_rows(sheet: EvaluationSheet, layout: SheetLayout, names) -> tuple[list, list]:
    """The numbers per year among ``names``: (years, [(label, [shown value per year])]),
    printed as a table whose columns are the years, like the cost table's."""
    stored = sheet.extra or {}
    fields = [
        extra
        for extra in (layout.extra_field(name) for name in names)
        if extra is not None and extra.kind == "year_numbers"
    ]
    years = sorted(
        {sheet.fiscal_year + offset for extra in fields for offset in extra.year_offsets}
        | {int(y) for extra in fields for y in (stored.get(extra.name) or {})}
    )
    rows = []
    for extra in fields:
        values = stored.get(extra.name) or {}
        rows.append((extra.full_label, [_number(values.get(str(year))) for year in years]))
    return years, rows


def _number(value) -> str:
    return "" if value in (None, "") else f"{Decimal(str(value)):,f}"


def sections(sheet: EvaluationSheet, layout: SheetLayout) -> list[dict]:
    """[{"heading", …, "blocks": [{"type", "label", "rows", "print_template"}]}] of a
    generated layout: each block's data, and the template the PDF draws it with (its print
    style's, pdf/blocks/<type>.<style>.html, or the plain one)."""
    result = []
    for section in layout.sections:
        blocks = []
        for block in section["blocks"]:
            rows, years, by_year = (), (), ()
            if block["type"] in ("fields", "extra"):
                names = block["fields"]
                if block["type"] == "extra" and not names:
                    names = [e.name for e in layout.extra_fields]
                rows = field_rows(sheet, layout, names)
                years, by_year = year_rows(sheet, layout, names)
            style = f".{block['style']}" if block.get("style") else ""
            blocks.append(
                {
                    **block,
                    "rows": rows,
                    "years": years,
                    "year_rows": by_year,
                    "print_template": f"pdf/blocks/{block['type']}{style}.html",
                }
            )
        result.append({**section, "blocks": blocks})
    return result
