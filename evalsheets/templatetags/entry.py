"""Template helpers of the entry form."""

from django import template
from django.utils.html import format_html, format_html_join

from core import calculations
from core.formfields import NOT_APPLICABLE
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


@register.simple_tag
def cell(bound_field):
    """One input with its errors under it: ``{% cell form|field:"name" %}``.

    Rendered in Python rather than with an included template: the entry form has a few
    hundred inputs, and an ``{% include %}`` per input was a large part of the page's time
    (figures: docs/performance.md).
    """
    if not bound_field:
        return ""
    errors = bound_field.errors
    if not errors:
        return format_html('<div class="cell">{}</div>', bound_field)
    return format_html(
        '<div class="cell has-error">{}<ul class="errorlist">{}</ul></div>',
        bound_field,
        format_html_join("", "<li>{}</li>", ((e,) for e in errors)),
    )
