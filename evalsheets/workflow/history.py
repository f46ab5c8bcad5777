"""Japanese wording of the changes an audit entry records, for the sheet's history.

``entry.saving.save_sheet`` records ``{key: [old, new]}`` with keys such as
``direction``, ``costs.settled.2023.general_revenue``, ``efforts.2024.staff_fte``,
``out.17.2024.target``, ``assessments.20-1.choice`` or ``sub.5`` (a row added or
deleted). ``describe(key, old, new, layout)`` turns one of them into
(label, old text, new text): 「R05年度決算 一般財源」「0」→「355」,
「今後の方向性」「（なし）」→「現状のまま継続」.

Only the values of number fields (costs, 人工, 対象数, 目標/実績, 現状値) are formatted as
numbers, from what ``editing`` recorded for them; the value of a text field is shown as
it was typed, whatever it looks like (「1e5000」, 「Infinity」, 「12345」).
"""

import re
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from core.choices import Actor, CostKind, ImplementationMethod
from core.wareki import fiscal_year_label, fiscal_year_short
from evalsheets.layouts import SheetLayout, UnknownLayout, get_layout
from evalsheets.models import (
    ActivityIndicator,
    AssessmentAnswer,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    Review,
    ScheduleEntry,
    ScheduleItem,
    StaffEffort,
    SubProject,
)
from evalsheets.templatetags import sheets as sheets_filters

ROWS = {
    "sub": (_("細事業"), SubProject),
    "act": (_("活動指標"), ActivityIndicator),
    "out": (_("成果指標"), OutcomeIndicator),
    "sched": (_("事業行程"), ScheduleItem),
}
YEAR_PARTS = {
    "target": _("目標"),
    "actual": _("実績"),
    "plan": ScheduleEntry._meta.get_field("plan").verbose_name,
    "result": ScheduleEntry._meta.get_field("result").verbose_name,
}
NONE_TEXT = "（なし）"
# Number fields of the rows (``out.17.baseline``); a year (baseline_year) is shown as is.
NUMBER_ROW_FIELDS = ("baseline",)
# Multiple choices stored as JSON lists.
LIST_CHOICES = {
    "implementation_methods": dict(ImplementationMethod.choices),
    "actors": dict(Actor.choices),
}


def _verbose(model, name) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _year(text, layout: SheetLayout | str | None = None) -> str:
    """A recorded year as the sheet's 様式 writes it: 玉名 R05年度, the others 令和5年度."""
    layout = _layout(layout)
    text = str(text)
    if text.isascii() and text.isdigit() and len(text) == 4 and int(text) >= 1869:
        if layout is not None and layout.short_year_labels:
            return f"{fiscal_year_short(int(text))}年度"
        return fiscal_year_label(int(text))
    return text


# What ``entry.saving._json`` records for a number: an int, or a Decimal written out in full
# ("1234.5", "-12"), never longer than a column holds.
_RECORDED_NUMBER = re.compile(r"-?[0-9]{1,19}(\.[0-9]{1,6})?")


def _recorded_number(value):
    """The int or Decimal an audit entry recorded for a number field, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, str) and _RECORDED_NUMBER.fullmatch(value):
        return Decimal(value)
    return None


def _number(value, fte=False) -> str:
    """A number field's recorded value: 1000 → 1,000, "0.5" → 0.5 (人工: 0.50).

    Only called for keys that name a number field; anything else recorded there (an
    old entry, "***") is shown as it was recorded.
    """
    number = _recorded_number(value)
    if number is None:
        return str(value)
    if fte:
        return sheets_filters.fte(number)
    return sheets_filters.num(number)


def _text(value, choices=None, number=False, fte=False) -> str:
    """What a person reads for a recorded value. Text is text: never read as a number."""
    if value is None or value == "" or value == []:
        return NONE_TEXT
    if isinstance(value, list | tuple):
        return "、".join(_text(v, choices) for v in value)
    if isinstance(value, bool):
        return str(_("あり") if value else _("なし"))
    if choices and str(value) in choices:
        return str(choices[str(value)])
    if number or fte:
        return _number(value, fte)
    if isinstance(value, str):
        return value
    return sheets_filters.num(value) if isinstance(value, int | Decimal) else str(value)


def _sheet_field(name):
    for model in (EvaluationSheet, Review):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        choices = dict(field.choices or ())
        choices = LIST_CHOICES.get(name, choices)
        return str(field.verbose_name), {str(k): v for k, v in choices.items()}
    return name, {}


def _layout(layout: SheetLayout | str | None) -> SheetLayout | None:
    """A layout, or its key (an unknown or empty key: no layout's wording)."""
    if isinstance(layout, str):
        try:
            return get_layout(layout) if layout else None
        except UnknownLayout:
            return None
    return layout


def describe(key: str, old, new, layout: SheetLayout | str | None = None) -> tuple[str, str, str]:
    layout = _layout(layout)
    parts = str(key).split(".")
    head = parts[0]
    choices, number, fte = None, False, False
    if head == "costs" and len(parts) >= 3:
        kind = parts[1]
        kind_label = str(CostKind(kind).label) if kind in CostKind.values else kind
        column = kind_label if len(parts) == 3 else f"{_year(parts[2], layout)}{kind_label}"
        label = f"{column} {_verbose(CostRow, parts[-1])}"
        number = True
    elif head == "efforts" and len(parts) == 3:
        label = f"{_year(parts[1], layout)} {_verbose(StaffEffort, parts[2])}"
        fte = parts[2].endswith("_fte")
        number = True
    elif head in ROWS and len(parts) >= 2:
        row_label, model = ROWS[head]
        if len(parts) == 2:  # a whole row added or deleted
            label = row_label
        elif len(parts) == 3:
            label = f"{row_label} {_verbose(model, parts[2])}"
            number = parts[2] in NUMBER_ROW_FIELDS
        else:
            label = f"{row_label} {_year(parts[2], layout)} {YEAR_PARTS.get(parts[3], parts[3])}"
            number = parts[3] in ("target", "actual")
    elif head == "assessments" and len(parts) == 3:
        code, name = parts[1], parts[2]
        viewpoint = layout.viewpoint(code) if layout is not None else None
        title = f"{viewpoint.group}{viewpoint.label}" if viewpoint else code
        label = f"{title} {_verbose(AssessmentAnswer, name)}"
        if viewpoint and name == "choice":
            choices = dict(viewpoint.choices)
    elif head == "extra" and len(parts) == 2:
        extra = layout.extra_field(parts[1]) if layout is not None else None
        if extra is not None:  # as the 様式 prints it
            return extra.full_label, extra.shown(old) or NONE_TEXT, extra.shown(new) or NONE_TEXT
        label = parts[1]
    elif len(parts) == 1:
        label, choices = _sheet_field(key)
    else:
        label = key
    return label, _text(old, choices, number, fte), _text(new, choices, number, fte)


def describe_all(changes, layout: SheetLayout | None = None) -> list[tuple[str, str, str]]:
    """Every change of an audit entry's ``changes`` (anything not a dict shows nothing)."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for key, change in changes.items():
        if isinstance(change, list | tuple) and len(change) == 2:
            old, new = change
        else:
            old, new = None, change
        rows.append(describe(key, old, new, layout))
    return rows
