"""Template helpers of the entry form."""

from django import template

from evalsheets import calculations
from evalsheets.formfields import NOT_APPLICABLE
from evalsheets.models import EvaluationSheet

register = template.Library()


@register.filter
def field(form, name):
    """form|field:"name" → the bound field (None when the form has no such field)."""
    if form is None or name not in form.fields:
        return None
    return form[name]


@register.filter
def year_field(form, key):
    """form|year_field:"target_2023"."""
    return field(form, key)


@register.simple_tag
def yearkey(part, year):
    return f"{part}_{year}"


@register.filter
def editable_by(sheet, user):
    """True when the user may open the entry form of this sheet (querysets.editable_by)."""
    return EvaluationSheet.objects.editable_by(user).filter(pk=sheet.pk).exists()


@register.simple_tag
def stored_rate(form, year):
    """達成率 (%) from the stored 目標/実績 of a row, as calculations computes it."""
    target = form.initial.get(f"target_{year}")
    actual = form.initial.get(f"actual_{year}")
    if target is NOT_APPLICABLE or actual is NOT_APPLICABLE:
        return ""
    rate = calculations.achievement_rate(actual, target)
    if rate is None:
        return ""
    return f"{rate.normalize():f}%" if rate == rate.to_integral_value() else f"{rate}%"
