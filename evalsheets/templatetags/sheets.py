"""Display helpers: 和暦, figures with thousands separators, ■/□, "***"."""

import datetime
import math
from decimal import Decimal

from django import template
from django.utils import timezone

from core import calculations
from core import wareki as _wareki

register = template.Library()


def year_of(value) -> int | None:
    """A stored year (an int, or its four ASCII digits as a template may hold them)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 4:
        value = int(value)
    if isinstance(value, int) and _wareki.ERAS[-1][2].year < value <= 9999:
        return value
    return None


def year_filter(value, label) -> str:
    if value is None or value == "":
        return ""
    year = year_of(value)
    return str(value) if year is None else label(year)


@register.filter
def wareki(year):
    """2023 → 令和5年度."""
    return year_filter(year, _wareki.fiscal_year_label)


@register.filter
def wareki_padded(year):
    """2023 → 令和05年度."""
    return year_filter(year, lambda y: _wareki.fiscal_year_label(y, pad=True))


@register.filter
def wareki_short(year):
    """2023 → R05."""
    return year_filter(year, _wareki.fiscal_year_short)


@register.filter
def wareki_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)  # the date in Asia/Tokyo, not in UTC
        value = value.date()
    return _wareki.wareki_date(value) if value else ""


@register.filter
def wareki_datetime(value):
    """A moment: 令和6年11月29日 18:43 (the one style of date and time of the pages)."""
    if not isinstance(value, datetime.datetime):
        return wareki_date(value)
    return _wareki.wareki_datetime(value)


@register.filter
def copied_columns(columns) -> bool:
    """Whether a cost column still holds what the new fiscal year copied (copy_state)."""
    return any(getattr(getattr(c, "row", None), "copy_state", "") for c in columns)


# A figure shown digit by digit has at most this many digits before the point (a
# BigIntegerField holds 19); beyond that, or for a value that is no finite number, the
# figure is shown in exponent form: formatting never expands a number without bound.
FIGURE_DIGITS = 19


def _figure(value):
    """A stored int or Decimal as a Decimal, or None when it is shown as it is."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) >= 10**FIGURE_DIGITS:
            return Decimal(value)  # Decimal(int) never goes through a string
        return value
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value
    return None


def _bounded(value: Decimal) -> bool:
    return value.is_finite() and (
        value.is_zero() or -FIGURE_DIGITS < value.adjusted() < FIGURE_DIGITS
    )


@register.filter
def num(value):
    """12345 → 12,345; Decimal('37.70') → 37.7; None → ''.

    Only stored numbers (int, Decimal) are formatted; a text is shown as it is, never
    read as a number (「1e5000」 typed in a text field is a text).
    """
    if value is None or value == "":
        return ""
    figure = _figure(value)
    if figure is None:
        return str(value)
    if isinstance(figure, int):
        return f"{figure:,}"
    if not figure.is_finite():
        return str(figure)
    if not _bounded(figure):
        return f"{figure:.6E}"
    figure = figure.normalize()
    if figure == figure.to_integral_value():
        return f"{int(figure):,}"
    return f"{figure:,f}"


@register.filter
def fte(value):
    """人工 with two places: 0.75, 0.00 (a text is shown as it is)."""
    if value is None:
        return ""
    figure = _figure(value)
    if figure is None:
        return str(value)
    figure = Decimal(figure)
    if not _bounded(figure):
        return num(figure)
    return f"{figure:,.2f}"


@register.filter
def box(checked):
    return "■" if checked else "□"


@register.filter
def box_if(value, key):
    """■ when value equals key, or contains it (lists)."""
    if isinstance(value, list | tuple | set):
        return "■" if key in value else "□"
    return "■" if value == key else "□"


@register.simple_tag
def cell(value_obj, field):
    """A year's target/actual: "***" where not applicable, blank where missing."""
    if value_obj is None:
        return ""
    if getattr(value_obj, f"{field}_na"):
        return "***"
    return num(getattr(value_obj, field))


@register.simple_tag
def indicator_cell(value_obj, kind, cost_column=None):
    """One column of a 様式's indicator table (its definition's ``columns``): the year's
    target or actual as ``cell`` shows it, the 達成率 in % (blank without both), or the
    単位コスト in 円: the year's トータルコスト (``cost_column``) ÷ 実績."""
    if kind == "achievement":
        rate = getattr(value_obj, "achievement_rate", None) if value_obj is not None else None
        return "" if rate is None else num(rate)
    if kind == "unit_cost":
        actual = getattr(value_obj, "actual", None) if value_obj is not None else None
        if cost_column is None or actual is None:
            return ""
        yen = calculations.unit_cost_yen(cost_column.total, actual)
        return "" if yen is None else num(yen)
    return cell(value_obj, kind)


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def attr(obj, name):
    """obj.<name>, for a name that comes from the 様式 definition (a cost row's field)."""
    return getattr(obj, name, None) if obj is not None else None


@register.filter
def lines(text):
    return [line for line in (text or "").splitlines() if line.strip()]
