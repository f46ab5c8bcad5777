"""Display helpers: 和暦, figures with thousands separators, ■/□, "***"."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from evalsheets import wareki as _wareki

register = template.Library()


@register.filter
def wareki(year):
    """2023 → 令和5年度."""
    return _wareki.fiscal_year_label(int(year)) if year not in (None, "") else ""


@register.filter
def wareki_padded(year):
    """2023 → 令和05年度."""
    return _wareki.fiscal_year_label(int(year), pad=True) if year not in (None, "") else ""


@register.filter
def wareki_short(year):
    """2023 → R05."""
    return _wareki.fiscal_year_short(int(year)) if year not in (None, "") else ""


@register.filter
def wareki_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)  # the date in Asia/Tokyo, not in UTC
        value = value.date()
    return _wareki.wareki_date(value) if value else ""


@register.filter
def num(value):
    """12345 → 12,345; Decimal('37.70') → 37.7; None → ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            return f"{int(value):,}"
        return f"{value:,f}"
    return f"{int(value):,}"


@register.filter
def fte(value):
    """人工 with two places: 0.75, 0.00."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


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


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def lines(text):
    return [line for line in (text or "").splitlines() if line.strip()]
