"""The ZIP export: one stored PDF per sheet, ``<code>_<name>.pdf``.

Each PDF is the stored copy (``storage.ensure_loaded_pdf``: rendered only when the
content hash changed — normally the background task already did it after the save —
and frozen once published).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from evalsheets.exports.selection import ProgressFn, stored_pdfs
from evalsheets.pdf import storage


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 2
    while candidate in used:
        candidate = f"{stem}_{n}{dot}{ext}"
        n += 1
    used.add(candidate)
    return candidate


def write_zip(sheet_ids: list[int], target: Path, progress: ProgressFn | None = None) -> int:
    """A ZIP of one stored PDF per sheet named ``<code>_<name>.pdf`` (stored, not deflated:
    PDFs are compressed already). Returns the number of files."""
    used: set[str] = set()
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for sheet, stored in stored_pdfs(sheet_ids, progress):
            name = _unique(storage.pdf_filename(sheet), used)
            with stored.file.open("rb") as source, archive.open(name, "w") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            count += 1
    return count
