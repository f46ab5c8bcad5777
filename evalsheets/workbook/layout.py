"""What the workbook holds: the entry form's own inputs (the sheet's fields and its 様式's
own fields, the cost grid, 人工 and 対象数, the assessment answers), each as a labelled
input cell, read from ``SheetEntry`` so that the workbook and the browser form are the same
form. The rows of a formset (細事業, indicators, schedule) are not in the workbook."""

from dataclasses import dataclass

from evalsheets.entry.bundle import SheetEntry

IDENTITY_SHEET = "_evalsheets"


@dataclass
class Input:
    name: str  # the entry form's field name (html_name), e.g. "sheet-background"
    label: str
    value: object  # the value as the form shows it
    kind: str  # "text", "long_text", "number", "choice", "choices"
    choices: tuple = ()


def _kind(bound) -> str:
    widget = bound.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type in ("radio", "select"):
        return "choice"
    if input_type == "checkbox":
        return "choices"
    if widget.__class__.__name__ == "Textarea" or getattr(widget, "attrs", {}).get("rows"):
        return "long_text"
    if bound.field.__class__.__name__ in ("JapaneseDecimalField", "JapaneseIntegerField"):
        return "number"
    return "text"


def inputs_of(form) -> list[Input]:
    result = []
    for bound in form:
        if bound.is_hidden:
            continue
        value = bound.value()
        choices = tuple((str(k), str(v)) for k, v in getattr(bound.field, "choices", ()) or ())
        result.append(Input(bound.html_name, str(bound.label), value, _kind(bound), choices))
    return result


def sections(entry: SheetEntry) -> list[tuple[str, list]]:
    """(heading, inputs or a cost grid) in the order of the entry page."""
    result = [("記述・選択項目", inputs_of(entry.fields))]
    grid = [(column, inputs_of(column.form)) for column in entry.columns]
    efforts = [
        (column, inputs_of(column.effort_form)) for column in entry.columns if column.effort_form
    ]
    result.append(("事業費（千円）", ("grid", grid)))
    if efforts:
        result.append(("人工", ("grid", efforts)))
    if entry.assessment.fields:
        result.append(("評価の視点", inputs_of(entry.assessment)))
    return result
