"""Rendered PDFs kept once per content: ``ensure_pdf(sheet)`` returns the stored PDF of a
sheet, laying it out only when its HTML changed (the key is the SHA-256 of the HTML plus the
layout version); a published sheet's PDF is frozen for that sheet version."""

import hashlib
import re

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from core.choices import SheetState
from evalsheets.models import EvaluationSheet, SheetPDF
from evalsheets.pdf.render import (
    StaticOnlyFetcher,
    content_hash,
    layout_pdf,
    load_sheet,
    render_html,
)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def pdf_filename(sheet: EvaluationSheet) -> str:
    """<code>_<name>.pdf, safe on every file system (the Japanese name is kept)."""
    project = sheet.project
    name = _UNSAFE.sub("_", f"{project.code}_{project.name}").strip(" .")
    return f"{name}.pdf"


def _storage_name(sheet: EvaluationSheet, digest: str) -> str:
    code = _UNSAFE.sub("_", sheet.project.code)
    return f"{sheet.project.municipality.code}/{sheet.fiscal_year}/{code}_{digest[:16]}.pdf"


def _stored_ok(record: SheetPDF) -> bool:
    return bool(record.file) and record.file.storage.exists(record.file.name)


def _freeze(record: SheetPDF) -> SheetPDF:
    record.frozen = True
    record.save(update_fields=["frozen"])
    return record


def ensure_pdf(sheet: EvaluationSheet, *, seconds: float | None = None) -> SheetPDF:
    """The stored PDF of the sheet, rendered now if its content changed.

    A published sheet's PDF is frozen for that sheet version: once it exists it is
    returned as is, whatever happens to the sheet's data afterwards.
    """
    return ensure_loaded_pdf(load_sheet(sheet.pk), seconds=seconds)


def ensure_loaded_pdf(sheet: EvaluationSheet, *, seconds: float | None = None) -> SheetPDF:
    """``ensure_pdf`` for a sheet already loaded with its children (``load_sheet`` or a
    batch with the same prefetches, see evalsheets.exports.bulk)."""
    published = sheet.state == SheetState.PUBLISHED
    frozen = SheetPDF.objects.filter(sheet=sheet, sheet_version=sheet.version, frozen=True).first()
    if frozen is not None and _stored_ok(frozen):
        return frozen
    html = render_html(sheet)
    digest = content_hash(html)
    existing = SheetPDF.objects.filter(sheet=sheet, content_hash=digest).first()
    if existing is not None and _stored_ok(existing):
        return _freeze(existing) if published and not existing.frozen else existing
    data, pages = layout_pdf(html, fetcher=StaticOnlyFetcher(), seconds=seconds)
    return _store(sheet, digest, data, pages, frozen=published, replace=existing)


def _store(sheet, digest, data, pages, *, frozen, replace=None) -> SheetPDF:
    stale = list(SheetPDF.objects.filter(sheet=sheet, frozen=False).exclude(content_hash=digest))
    if replace is not None:  # the row exists but its file went missing
        stale.append(replace)
    try:
        with transaction.atomic():
            for old in stale:
                old.delete()
            record = SheetPDF(
                sheet=sheet,
                sheet_version=sheet.version,
                content_hash=digest,
                sha256=sha256_of(data),
                size=len(data),
                pages=pages,
                frozen=frozen,
            )
            record.file.save(_storage_name(sheet, digest), ContentFile(data), save=False)
            record.save()
    except IntegrityError:
        # Another worker stored the same content first: use theirs.
        record.file.delete(save=False)
        return SheetPDF.objects.get(sheet=sheet, content_hash=digest)
    for old in stale:
        name, storage = old.file.name, old.file.storage
        transaction.on_commit(lambda n=name, s=storage: n and s.delete(n))
    return record
