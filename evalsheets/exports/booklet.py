"""The booklet export.

Per 施策 (the plan node at ``selection.COVER_DEPTH``, 玉名: 主要施策(節)) a cover list
as on the first page of the 玉名 seed (主要施策名, the codes and names of its 事務事業,
事務事業本数), then the sheets; the whole-year booklet starts with a table of contents
(目次). The cover list carries the page of each sheet, so a per-施策 booklet's first
page is its table of contents.

**The sheets are their stored PDFs** (``storage.ensure_loaded_pdf``, as for the ZIP:
frozen ones exactly as published), copied page by page into the booklet by
``pdf.join`` (one file read, copied and let go at a time; memory does not grow with
the booklet). Their IPAex subsets are merged into one per font (``pdf.fontmerge``):
WeasyPrint keeps each glyph's id from the full font, so one subset of the union serves
every sheet, and every sheet's page is drawn exactly as in its stored PDF. A PDF whose
fonts cannot be merged safely keeps its own (correct, larger). Nothing is laid out
again.

**The front matter** (table of contents, cover lists) is drawn directly into the
booklet (``front``), laid out once: its rows are placed on pages first (the numbers
sit in fixed-width cells), which gives its length and so every page number; then the
pages are written with the numbers. Its text uses the same merged font subsets.

**Page numbers**: a sheet's pages are those of its stored PDF, unchanged (its own
"1 / 2" footer); the booklet's page of each sheet is the PDF page number, which the
cover lists, the table of contents and the bookmarks give. The front pages carry their
number at the bottom right, in the standard Helvetica (nothing to embed).
"""

from __future__ import annotations

import zlib
from pathlib import Path

from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.wareki import fiscal_year_label
from evalsheets.exports import front
from evalsheets.exports.selection import Group, ProgressFn, stored_pdfs
from evalsheets.pdf import storage
from evalsheets.pdf.join import STAMP_FONT, OutlineItem, StreamingPdfWriter
from municipalities.models import Municipality


class ExportError(ServiceError):
    """An export that cannot be made; the job records the message for the 企画課."""


NUMBER_SIZE = 9  # pt, in the stamp font of pdf.join (STAMP_FONT: the standard Helvetica)
NUMBER_RIGHT = 28.35  # pt from the right edge (10 mm, the sheet's margin)
NUMBER_BOTTOM = 15  # pt from the bottom edge (inside the 13 mm bottom margin)
HELVETICA_DIGIT = 0.556  # em: every digit of Helvetica has this width


def number_operators(number: int, width: float = front.PAGE_WIDTH) -> bytes:
    """Draw ``number`` at the bottom right of a front page."""
    text = str(number)
    x = width - NUMBER_RIGHT - len(text) * HELVETICA_DIGIT * NUMBER_SIZE
    return (
        f"q BT {STAMP_FONT} {NUMBER_SIZE} Tf {x:.2f} {NUMBER_BOTTOM} Td ({text}) Tj ET Q\n".encode()
    )


def front_pieces(title: str, groups, with_toc: bool) -> list[front.Piece]:
    """The table of contents (whole-year booklet) and each cover list, placed on pages."""
    pieces = [front.toc_piece(title, groups)] if with_toc else []
    return pieces + [front.cover_piece(group) for group in groups]


def _front_bounds(counts, with_toc) -> tuple[int, list[tuple[int, int]]]:
    """Pages of the table of contents, and (first, end) page index of each cover."""
    toc_pages = counts[0] if with_toc else 0
    covers, page = [], toc_pages
    for count in counts[1:] if with_toc else counts:
        covers.append((page, page + count))
        page += count
    return toc_pages, covers


def _number_entries(groups, toc_pages, covers) -> int:
    page = toc_pages + 1
    for group, (first, end) in zip(groups, covers, strict=True):
        group.cover_page = page
        page += end - first
        for entry in group.entries:
            entry.first_page = page
            page += entry.pages
    return page - 1


def _front_numbers(toc_pages: int, covers, groups) -> dict[int, int]:
    """Booklet page number of each front page (by its index in the front matter)."""
    numbers = {index: index + 1 for index in range(toc_pages)}
    page = toc_pages
    for group, (first, end) in zip(groups, covers, strict=True):
        for index in range(first, end):
            page += 1
            numbers[index] = page
        page += sum(entry.pages for entry in group.entries)
    return numbers


def outline(title: str, toc_pages: int, groups) -> list[OutlineItem]:
    """Bookmarks booklet → 施策 → sheets (pages as numbered by ``_number_entries``)."""
    items = [
        OutlineItem(
            group.title,
            group.cover_page - 1,
            [OutlineItem(f"{e.code} {e.name}", e.first_page - 1) for e in group.entries],
        )
        for group in groups
    ]
    return [OutlineItem(title, 0, items)] if toc_pages else items


def _write_front(writer: StreamingPdfWriter, pieces: list[front.Piece], numbers) -> list[int]:
    """Draw the front pages into the booklet; their output page numbers."""
    written = []
    for piece in pieces:
        rows = piece.rows()
        for page in piece.pages:
            drawing = front.draw(page, piece.head, rows, writer.fonts, front.number_of)
            content = b"".join(drawing.ops) + number_operators(numbers[len(written)])
            written.append(
                writer.add_drawn_page(
                    zlib.compress(content, 6), drawing.used, front.PAGE_WIDTH, front.PAGE_HEIGHT
                )
            )
    return written


def write_booklet(
    title: str,
    groups: list[Group],
    target: Path,
    *,
    with_toc: bool = True,
    progress: ProgressFn | None = None,
    start: int = 0,
) -> int:
    """One booklet PDF of ``groups``: front matter, then per 施策 its cover list and the
    stored PDF of each sheet; returns its number of pages.

    The front matter is placed on pages first (its length), the sheets are copied (the
    progress counts them; their fonts merged), then the front pages are drawn with the
    page numbers; the page tree written at the end puts everything in reading order."""
    entries = [entry for group in groups for entry in group.entries]
    by_id = {entry.sheet_id: entry for entry in entries}
    pieces = front_pieces(title, groups, with_toc)
    toc_pages, covers = _front_bounds([len(piece.pages) for piece in pieces], with_toc)
    writer = StreamingPdfWriter(target, merge_fonts=True)
    report = (lambda n: progress(start + n)) if progress else None
    try:
        sheet_pages: dict[int, list[int]] = {}
        for sheet, stored in stored_pdfs(list(by_id), report):
            with stored.file.open("rb") as source:
                numbers = writer.add_pdf(source.read())
            by_id[sheet.pk].pages = len(numbers)
            sheet_pages[sheet.pk] = numbers
        _number_entries(groups, toc_pages, covers)
        page_number = _front_numbers(toc_pages, covers, groups)
        front_pages = _write_front(writer, pieces, page_number)
        kids = front_pages[:toc_pages]
        for group, (first, end) in zip(groups, covers, strict=True):
            kids += front_pages[first:end]
            for entry in group.entries:
                kids += sheet_pages.get(entry.sheet_id, [])
        writer.finish(kids, outline(title, toc_pages, groups), title, lang="ja")
    except BaseException:
        writer.close()
        target.unlink(missing_ok=True)
        raise
    return len(kids)


def booklet_title(municipality: Municipality, year: int) -> str:
    return _("%(town)s %(year)s 事務事業評価シート") % {
        "town": municipality.name,
        "year": fiscal_year_label(year),
    }


def policy_filename(group: Group, index: int) -> str:
    return storage._UNSAFE.sub("_", f"{index:02d}_{group.title}").strip(" .") + ".pdf"


def write_policy_booklets(
    municipality, year, groups, workdir: Path, progress: ProgressFn | None = None
) -> list[Path]:
    """One booklet per 施策 (its cover list, with the pages, is its first page)."""
    paths, done = [], 0
    for index, group in enumerate(groups, start=1):
        path = workdir / policy_filename(group, index)
        title = f"{booklet_title(municipality, year)} {group.title}"
        write_booklet(title, [group], path, with_toc=False, progress=progress, start=done)
        done += len(group.entries)
        paths.append(path)
    return paths
