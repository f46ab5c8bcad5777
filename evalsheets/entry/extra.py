"""The entry form's fields for a 様式's own fields (``SheetLayout.extra_fields``), stored in
``EvaluationSheet.extra`` as JSON: text and choice as strings, a number as its decimal
string ("12.5"), yes/no as true/false, a number per year as {"2024": "12.5"}."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formfields import JapaneseDecimalField, JapaneseTextField
from core.wareki import fiscal_year_label
from evalsheets.layouts import ExtraField
from evalsheets.layouts.base import YES_NO
from evalsheets.models import FIGURE_MAX

INVALID_CHOICE = _("選択肢から選んでください。")


def year_key(name: str, year: int) -> str:
    return f"{name}__{year}"


def extra_years(extra: ExtraField, fiscal_year: int) -> list[int]:
    return [fiscal_year + offset for offset in extra.year_offsets]


def _number_field(label):
    return JapaneseDecimalField(
        label=label, required=False, min_value=-FIGURE_MAX, max_value=FIGURE_MAX
    )


def form_fields(extra: ExtraField, fiscal_year: int) -> dict[str, forms.Field]:
    """The form fields of one extra field (one per year for a number per year)."""
    label = extra.full_label
    if extra.kind == "choice":
        return {
            extra.name: forms.ChoiceField(
                label=label,
                choices=list(extra.choices),
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": INVALID_CHOICE},
            )
        }
    if extra.kind == "yes_no":
        return {
            extra.name: forms.ChoiceField(
                label=label,
                choices=list(extra.choices or YES_NO),
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": INVALID_CHOICE},
            )
        }
    if extra.kind == "number":
        return {extra.name: _number_field(label)}
    if extra.kind == "year_numbers":
        return {
            year_key(extra.name, year): _number_field(f"{label} {fiscal_year_label(year)}")
            for year in extra_years(extra, fiscal_year)
        }
    return {
        extra.name: JapaneseTextField(
            label=label, max_length=extra.max_length, multiline=extra.max_length > 200
        )
    }


def _decimal(value) -> Decimal | None:
    """A stored number as the number field shows it (with its thousands separators)."""
    return None if value in (None, "") else Decimal(str(value))


def _number(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def initial(extra: ExtraField, stored: dict, fiscal_year: int) -> dict:
    value = stored.get(extra.name)
    if extra.kind == "year_numbers":
        value = value if isinstance(value, dict) else {}
        return {
            year_key(extra.name, year): _decimal(value.get(str(year)))
            for year in extra_years(extra, fiscal_year)
        }
    if extra.kind == "number":
        return {extra.name: _decimal(value)}
    if extra.kind == "yes_no":
        return {extra.name: {True: "yes", False: "no"}.get(value, "")}
    return {extra.name: value if value is not None else ""}


def stored_value(extra: ExtraField, cleaned: dict, fiscal_year: int, old=None):
    """What ``extra`` stores for the cleaned data, or ``...`` (Ellipsis) when part of it did
    not validate (then nothing of it is written)."""
    if extra.kind == "year_numbers":
        keys = {year: year_key(extra.name, year) for year in extra_years(extra, fiscal_year)}
        if any(key not in cleaned for key in keys.values()):
            return ...
        values = dict(old) if isinstance(old, dict) else {}
        for year, key in keys.items():
            number = _number(cleaned[key])
            if number is None:
                values.pop(str(year), None)
            else:
                values[str(year)] = number
        return values
    if extra.name not in cleaned:
        return ...
    value = cleaned[extra.name]
    if extra.kind == "number":
        return _number(value)
    if extra.kind == "yes_no":
        return {"yes": True, "no": False}.get(value)
    return value
