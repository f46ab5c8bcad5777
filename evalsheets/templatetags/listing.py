"""Helpers of the list pages: sortable column headers that keep the filters."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def sort_header(key, label, current, querystring):
    """A <th> whose link sorts by ``key`` (ascending first, then descending)."""
    if current == key:
        next_key, arrow, aria = f"-{key}", " ▲", "ascending"
    elif current == f"-{key}":
        next_key, arrow, aria = key, " ▼", "descending"
    else:
        next_key, arrow, aria = key, "", "none"
    prefix = f"?{querystring}&" if querystring else "?"
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="{}sort={}">{}{}</a></th>',
        aria,
        prefix,
        next_key,
        label,
        arrow,
    )
