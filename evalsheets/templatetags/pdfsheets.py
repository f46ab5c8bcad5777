"""Filters only the printed sheets need (the shared ones are in ``sheets``)."""

from decimal import Decimal

from django import template

from core import wareki as _wareki
from evalsheets.templatetags.sheets import year_filter

register = template.Library()

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@register.filter
def wareki_letter(year):
    """2016 → H28, 2022 → R4 (unpadded, as the 玉名 form writes 事業期間)."""
    return year_filter(year, lambda y: _wareki.fiscal_year_short(y, pad=False))


@register.filter
def circled(n):
    """1 → ①."""
    if isinstance(n, bool) or not isinstance(n, int):
        return str(n)
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


@register.filter
def offset(year, delta):
    """year|offset:-3 → year − 3."""
    return int(year) + int(delta)


@register.filter
def years_back(year, count):
    """2023|years_back:3 → [2020, 2021, 2022]."""
    year, count = int(year), int(count)
    return list(range(year - count, year))


@register.filter
def times(value, factor):
    """Multiply (colspans): 2|times:4 → 8."""
    return int(value) * int(factor)


@register.filter
def plus(value, other):
    """Exact sum of two Decimals (人工): 0.10|plus:0.05 → 0.15; blank stays blank."""
    if value is None and other is None:
        return None
    numbers = (int, Decimal)
    if not isinstance(value or 0, numbers) or not isinstance(other or 0, numbers):
        return None  # only stored figures are added, never a text
    return Decimal(value or 0) + Decimal(other or 0)


@register.filter
def half(value):
    """Rows needed for items printed two to a row: 5|add:1|half → 3."""
    return int(value) // 2


VERTICAL_FORMS = str.maketrans({"（": "︵", "）": "︶", "(": "︵", ")": "︶", "ー": "丨"})


@register.filter
def vertical(text):
    """Text for a vertical label: brackets in their vertical presentation forms (︵︶)."""
    return str(text or "").translate(VERTICAL_FORMS)
