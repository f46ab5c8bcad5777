"""The audit trail: one model, written explicitly by the services (never by signals)."""

from django.contrib.contenttypes.models import ContentType

from evalsheets.models import AuditEntry

# The entry form's save (evalsheets.entry.saving): its changes are listed per field.
ACTION_EDIT = "sheet.edit"


def record(
    actor,
    action: str,
    obj,
    *,
    municipality=None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """Write one audit entry. ``changes`` is {field: [old, new]} (JSON-serialisable)."""
    if municipality is None:
        municipality = getattr(obj, "municipality", None)
    return AuditEntry.objects.create(
        municipality=municipality,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        changes=changes or {},
    )


def entries_for(obj):
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
