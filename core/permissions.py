"""The one rule of every view that acts on something the user can see: 403 when the user may
see it but not do this (the querysets of each app decide both)."""

from django.core.exceptions import PermissionDenied


def require(allowed_qs, obj):
    """403 when a visible object is not in the queryset of what the user may do."""
    if not allowed_qs.filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj
