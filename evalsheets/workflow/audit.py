"""The audit trail: one model, written explicitly by the services (never by signals)."""

from django.contrib.contenttypes.models import ContentType

from evalsheets.models import AuditEntry

# The actions written to the trail, named <object>.<verb> (the object the entry is about,
# what was done to it). Stored rows were renamed to these by migration 0008.
# A sheet's workflow transitions (evalsheets.workflow.transitions, Transition.audit_action):
ACTION_SUBMIT = "sheet.submit"
ACTION_RETURN = "sheet.return"
ACTION_APPROVE = "sheet.approve"
ACTION_CONFIRM = "sheet.confirm"
ACTION_PUBLISH = "sheet.publish"
ACTION_REOPEN = "sheet.reopen"
# The entry form's save (evalsheets.entry.saving): its changes are listed per field.
ACTION_EDIT = "sheet.edit"
# 新年度の開始 (evalsheets.workflow.years): each new sheet, copied from the project's latest
# sheet or created empty, and the year itself (on the municipality: salaries, sheets made).
ACTION_COPY = "sheet.copy"
ACTION_CREATE = "sheet.create"
ACTION_OPEN_YEAR = "fiscal_year.open"
# The bulk import of a workbook or CSV (evalsheets.transfer.service), on the municipality:
# the file's SHA-256, its name and the counts per table.
ACTION_IMPORT = "data.import"


def entry(
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
    """One audit entry, not yet saved (``record`` saves one, ``record_all`` many).
    ``changes`` is {field: [old, new]} (JSON-serialisable)."""
    if municipality is None:
        municipality = getattr(obj, "municipality", None)
    return AuditEntry(
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


def record(actor, action: str, obj, **fields) -> AuditEntry:
    """Write one audit entry (the keywords of ``entry``)."""
    saved = entry(actor, action, obj, **fields)
    saved.save(force_insert=True)
    return saved


def record_all(entries) -> list[AuditEntry]:
    """Write many entries made by ``entry`` at once (a year's new sheets: one query a 500)."""
    return AuditEntry.objects.bulk_create(entries, batch_size=500)


def entries_for(obj):
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
