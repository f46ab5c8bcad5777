"""A cell as typed into a spreadsheet → the value ``rows`` speaks of, or a Japanese message.

Numbers as text, full-width digits, thousands separators and △ for minus go through
``core.normalize``; years as 和暦 (R5, 令和5年度, H28) or western through ``core.wareki``;
choices by their label or their stored value; several choices separated by 、 or ,.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.normalize import halfwidth, parse_decimal
from core.wareki import parse_fiscal_year
from evalsheets.models.bounds import COUNT_MAX, FIGURE_MAX, FTE_MAX, MONEY_MAX, YEAR_MAX, YEAR_MIN
from evalsheets.transfer.layout import Column
from evalsheets.transfer.rows import NOT_APPLICABLE

TRUE_WORDS = {"はい", "○", "〇", "◯", "■", "✓", "1", "true", "yes", "y", "有", "新規"}
FALSE_WORDS = {"いいえ", "×", "□", "0", "false", "no", "n", "無", ""}


class CellError(ValueError):
    pass


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        raise CellError("日付ではなく文字で入力してください。")
    return str(value).strip()


def _number(value, *, places=None) -> Decimal | None:
    if isinstance(value, bool):
        raise CellError("数値で入力してください。")
    try:
        return parse_decimal(value, max_places=places)
    except ValidationError as exc:
        raise CellError(_message(exc)) from exc


def _bounded(number, low, high, message):
    if number is not None and not (low <= number <= high):
        raise CellError(message)
    return number


def parse_year(value) -> int | None:
    text = _text(value)
    if text == "":
        return None
    try:
        year = parse_fiscal_year(text)
    except ValidationError as exc:
        raise CellError(_message(exc)) from exc
    return _bounded(year, YEAR_MIN, YEAR_MAX, f"年度は{YEAR_MIN}年から{YEAR_MAX}年までです。")


def _int(value) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError("整数で入力してください。")
    return _bounded(int(number), 0, COUNT_MAX, "0以上999,999,999,999以下の整数で入力してください。")


def _money(value) -> int:
    number = _number(value)
    if number is None:
        return 0
    if number != number.to_integral_value():
        raise CellError("金額は千円単位の整数で入力してください。")
    if number < 0:
        raise CellError("事業費（財源）に負の金額は入力できません。")
    return _bounded(
        int(number), 0, MONEY_MAX, "事業費は999,999,999,999千円以下で入力してください。"
    )


def _fte(value) -> Decimal:
    number = _number(value, places=2)
    if number is None:
        return Decimal("0")
    return _bounded(number, 0, FTE_MAX, "人工は0.00以上99.99以下で入力してください。")


def _figure(value, *, allow_na=True):
    if allow_na and halfwidth(_text(value)) in ("***", "*"):
        return NOT_APPLICABLE
    number = _number(value, places=2)
    return _bounded(
        number, -FIGURE_MAX, FIGURE_MAX, "数値は±999,999,999,999.99の範囲で入力してください。"
    )


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = halfwidth(_text(value)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("「はい」か「いいえ」で入力してください。")


def _yes_no_blank(value):
    text = halfwidth(_text(value))
    if text == "":
        return None
    return parse_bool(text)


def _choice(column: Column, value) -> str:
    text = halfwidth(_text(value))
    if text == "":
        return ""
    for stored, label in column.choices:
        if text in (stored, halfwidth(label)):
            return stored
    labels = "、".join(label for _v, label in column.choices)
    raise CellError(f"「{text}」は選べません。次のいずれかを入力してください：{labels}")


def _choices(column: Column, value) -> tuple:
    text = _text(value).replace(",", "、").replace("，", "、")
    return tuple(_choice(column, part) for part in text.split("、") if part.strip())


def parse_cell(column: Column, value):
    """The value of one cell of ``column``; CellError with a Japanese message."""
    kind = column.kind
    if kind == "text":
        return _text(value)
    if kind == "code":
        return halfwidth(_text(value))
    if kind == "year":
        return parse_year(value)
    if kind == "int":
        return _int(value)
    if kind == "money":
        return _money(value)
    if kind == "fte":
        return _fte(value)
    if kind == "figure":
        return _figure(value)
    if kind == "decimal":
        return _figure(value, allow_na=False)
    if kind == "bool":
        return parse_bool(value)
    if kind == "yes_no_blank":
        return _yes_no_blank(value)
    if kind == "choice":
        return _choice(column, value)
    if kind == "choices":
        return _choices(column, value)
    raise CellError(f"unknown column kind {kind}")  # pragma: no cover - layout is fixed


def parse_extra(field, value):
    """A value of a 様式's own field, as ``rows._extra_rows`` gives it."""
    if field.kind in ("number", "year_numbers"):
        return _figure(value, allow_na=False)
    if field.kind == "yes_no":
        text = halfwidth(_text(value))
        labels = {
            halfwidth(label): key for key, label in (field.choices or (("yes", "可"), ("no", "否")))
        }
        if text in labels:
            return labels[text] == "yes"
        return parse_bool(text)
    if field.kind == "choice":
        text = halfwidth(_text(value))
        for key, label in field.choices:
            if text in (key, halfwidth(label)):
                return key
        labels = "、".join(label for _k, label in field.choices)
        raise CellError(f"「{text}」は選べません。次のいずれかを入力してください：{labels}")
    text = _text(value)
    if len(text) > field.max_length:
        raise CellError(f"{field.max_length}文字以内で入力してください。")
    return text
