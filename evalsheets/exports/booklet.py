"""The booklet export.

Per 施策 (the plan node at ``selection.COVER_DEPTH``, 玉名: 主要施策(節)) a cover list
as on the first page of the 玉名 seed (主要施策名, the codes and names of its 事務事業,
事務事業本数), then the sheets; the whole-year booklet starts with a table of contents
(目次). The cover list carries the page of each sheet, so a
per-施策 booklet's first page is its table of contents.

Layout: the sheets are rendered ``CHUNK_SIZE`` at a time into one
``weasyprint.Document`` (``Document.copy`` of the pages of the chunk's documents)
and written as one PDF per chunk, so a chunk carries one subset of each font
instead of one per sheet; memory holds one chunk, whatever the number of sheets
(each chunk is laid out in a short-lived child process, ``forked``, which takes
the chunk's memory and heap fragments with it).
The cover lists and the table of contents (the "front matter") are rendered last,
once every sheet's page count is known, a slice of rows at a time and written a
chunk of pages at a time (``render_front``). ``pdf_join`` then copies
front matter and chunks into the booklet one file at a time and orders the pages
by the page tree (memory does not grow with the booklet; pypdf's and qpdf's
writers hold all of it).

**Continuous page numbers** are drawn while the pages are copied
(``number_operators``): a few bytes of content stream per page in the standard
Helvetica (no font to embed), at the place of the sheet's own "1 / 2" footer, which
the booklet stylesheet removes. Chosen over a CSS ``counter-reset`` offset per
chunk because the offsets are only known once every chunk and the front matter
(whose length depends on the page numbers it prints) are laid out; the overlay
needs no second layout of the sheets.
"""

from __future__ import annotations

import ctypes
import gc
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import CSS

from core.errors import ServiceError
from core.wareki import fiscal_year_label
from evalsheets.exports.selection import Entry, Group, ProgressFn, load_batches
from evalsheets.pdf import forked, storage
from evalsheets.pdf import render as pdf
from evalsheets.pdf.join import STAMP_FONT, OutlineItem, StreamingPdfWriter
from municipalities.models import Municipality

# Sheets laid out into one Document (one font subset). A laid-out sheet holds its pages
# until the chunk is written, so the chunk bounds the worker's memory whatever the length
# of the booklet; larger chunks made booklets only a few % smaller for much more memory
# (figures: docs/performance.md, "Booklets").
CHUNK_SIZE = int(getattr(settings, "EXPORT_CHUNK_SIZE", 20))
# The front matter (table of contents, cover lists) is laid out FRONT_ROWS rows at a time
# and written FRONT_CHUNK_PAGES pages a file: bounded like a chunk of sheets.
FRONT_ROWS = 200
FRONT_CHUNK_PAGES = 20


class ExportError(ServiceError):
    """An export that cannot be made; the job records the message for the 企画課."""


# Booklet pages carry the continuous number (number_pages) where the sheet prints "1 / 2".
BOOKLET_CSS = "@page { @bottom-right { content: none } }"
NUMBER_SIZE = 9  # pt, in the stamp font of pdf.join (STAMP_FONT: the standard Helvetica)
NUMBER_RIGHT = 28.35  # pt from the right edge (10 mm, the sheet's margin)
NUMBER_BOTTOM = 15  # pt from the bottom edge (inside the 13 mm bottom margin)
HELVETICA_DIGIT = 0.556  # em: every digit of Helvetica has this width

_local = threading.local()


def booklet_css() -> CSS:
    if getattr(_local, "css", None) is None:
        font_config, _sheet_css = pdf._resources()
        _local.css = CSS(string=BOOKLET_CSS, font_config=font_config)
    return _local.css


try:  # glibc: give the pages freed by a written chunk back to the system
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # another C library: nothing to trim
    _malloc_trim = None


def release_memory():
    """Free a written chunk's layout at once (its boxes form reference cycles) and hand
    the freed pages back, so that the next chunk starts from the same footprint instead
    of on top of the fragments of the previous ones."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


@dataclass
class Chunk:
    path: Path
    entries: list[Entry]


def lay_out_chunk(htmls: list[str], path: Path) -> list[int]:
    """Lay the sheets' HTML out into one document and write it to ``path``; return each
    sheet's page count. Runs in a child process (``forked.run``): no database here."""
    documents = []
    for html in htmls:
        documents.append(
            pdf.with_time_limit(pdf.document_from_html, html, stylesheets=[booklet_css()])
        )
        forked.tick()
    pdf.join_documents(documents).write_pdf(path)
    return [len(document.pages) for document in documents]


def render_chunks(
    entries: list[Entry], workdir: Path, progress: ProgressFn | None = None, start: int = 0
) -> list[Chunk]:
    """Lay the sheets out CHUNK_SIZE at a time, one PDF file per chunk, each chunk in a
    child process of its own (``forked``: the worker's memory stays flat); sets each
    entry's page count. The HTML is rendered here, where the database is."""
    chunks = []
    by_id = {e.sheet_id: e for e in entries}
    ids = [e.sheet_id for e in entries]
    done = start
    for number, batch in enumerate(load_batches(ids, CHUNK_SIZE)):
        htmls = [pdf.render_html(sheet) for sheet in batch]
        path = workdir / f"chunk-{number:05d}.pdf"
        report = (lambda n, base=done: progress(base + n)) if progress else None
        pages = forked.run(lay_out_chunk, htmls, path, progress=report)
        for sheet, count in zip(batch, pages, strict=True):
            by_id[sheet.pk].pages = count
        done += len(batch)
        chunks.append(Chunk(path, [by_id[s.pk] for s in batch]))
        if not forked.enabled():  # laid out here: free it before the next chunk
            release_memory()
    return chunks


@dataclass
class FrontPiece:
    """The table of contents (``kind`` "toc": rows of ("group", Group) and ("entry",
    Entry)) or one 施策's cover list (``kind`` "cover": ``Group.rows``)."""

    kind: str
    rows: list
    group: Group | None = None


def _front_pieces(groups, with_toc) -> list[FrontPiece]:
    pieces = []
    if with_toc:
        rows = []
        for group in groups:
            rows.append(("group", group))
            rows += [("entry", entry) for entry in group.entries]
        pieces.append(FrontPiece("toc", rows))
    return pieces + [FrontPiece("cover", group.rows, group) for group in groups]


def _slice_html(piece: FrontPiece, start: int, end: int, title: str, total: int) -> str:
    return render_to_string(
        "pdf/booklet_front.html",
        {
            "title": title,
            "kind": piece.kind,
            "group": piece.group,
            "rows": piece.rows[start:end],
            "offset": start,
            "first": start == 0,
            "last": end == len(piece.rows),
            "total": total,
        },
    )


def _piece_pages(piece: FrontPiece, title: str, total: int):
    """Lay ``piece`` out ``FRONT_ROWS`` rows at a time; yield (document, pages) of the
    pages that are final. A slice's last page is laid out again with the next slice,
    starting from the first row on it (rows carry their index as an anchor), so the
    pages are those of one long document while memory holds one slice."""
    start, size, count = 0, FRONT_ROWS, len(piece.rows)
    while True:
        end = min(count, start + size)
        html = _slice_html(piece, start, end, title, total)
        document = pdf.with_time_limit(pdf.document_from_html, html, stylesheets=[booklet_css()])
        if end == count:
            yield document, document.pages
            return
        on_last = [int(name[4:]) for name in document.pages[-1].anchors if name[:4] == "row-"]
        following = min(on_last, default=end)
        if len(document.pages) < 2 or following <= start:
            size *= 2  # the slice fits on one page: take more rows
            continue
        yield document, document.pages[:-1]
        start = following


class FrontFiles:
    """Writes laid-out pages into PDF files of up to ``FRONT_CHUNK_PAGES`` pages each (one
    font subset a file, like a chunk of sheets), freeing them as it goes."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.paths: list[Path] = []
        self._document, self._pages = None, []

    def add(self, document, pages):
        self._document = document
        self._pages += pages
        if len(self._pages) >= FRONT_CHUNK_PAGES:
            self.flush()

    def flush(self):
        if self._pages:
            path = self.workdir / f"front-{len(self.paths):04d}.pdf"
            self._document.copy(self._pages).write_pdf(path)
            self.paths.append(path)
            self._document, self._pages = None, []
            release_memory()


def _lay_out_front(pieces, title, total, files: FrontFiles | None = None) -> list[int]:
    """The page count of each piece; with ``files``, its pages are written too."""
    counts = []
    for piece in pieces:
        count = 0
        for document, pages in _piece_pages(piece, title, total):
            count += len(pages)
            if files is not None:
                files.add(document, pages)
        counts.append(count)
    return counts


def _write_front(pieces, title, total, workdir: Path) -> tuple[list[Path], list[int]]:
    """The front matter's files and the page count of each piece (in a child process)."""
    files = FrontFiles(workdir)
    counts = _lay_out_front(pieces, title, total, files)
    files.flush()
    return files.paths, counts


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


def render_front(title, groups, with_toc, workdir: Path) -> tuple[list[Path], int, list]:
    """The table of contents and the cover lists, with the final page numbers, as PDF
    files of up to ``FRONT_CHUNK_PAGES`` pages: (paths, pages of the table of contents,
    (first, end) page index of each cover).

    Their own length shifts every page number, so they are laid out first to count
    their pages (nothing kept), then with the numbers that gives, until the count
    stops changing (the numbers sit in fixed-width cells: twice in practice). Each
    table is laid out ``FRONT_ROWS`` rows at a time (``_piece_pages``), so memory does
    not grow with the number of sheets (a year of 1,000 sheets has some 70 pages of
    them; laid out as one document they were the export's largest use of memory:
    docs/performance.md). Each pass runs in a child process (``forked``), as the chunks
    of sheets do."""
    pieces = _front_pieces(groups, with_toc)
    total = sum(len(g.entries) for g in groups)
    counts = forked.run(_lay_out_front, pieces, title, total)
    for _attempt in range(4):
        toc_pages, covers = _front_bounds(counts, with_toc)
        _number_entries(groups, toc_pages, covers)
        paths, written = forked.run(_write_front, pieces, title, total, workdir)
        if written == counts:
            return paths, toc_pages, covers
        for path in paths:
            path.unlink(missing_ok=True)
        counts = written
    raise ExportError(_("目次と表紙のページ数が定まらないため、冊子を作成できませんでした。"))


def number_operators(number: int, page) -> bytes:
    """Draw ``number`` at the bottom right of ``page`` (where the sheet prints "1 / 2")."""
    text = str(number)
    _left, bottom, right, _top = (float(v) for v in page["/MediaBox"])
    x = right - NUMBER_RIGHT - len(text) * HELVETICA_DIGIT * NUMBER_SIZE
    y = bottom + NUMBER_BOTTOM
    return f"q BT {STAMP_FONT} {NUMBER_SIZE} Tf {x:.2f} {y:.2f} Td ({text}) Tj ET Q\n".encode()


def reading_order(toc_pages: int, covers, groups, chunks) -> list[tuple[str, int]]:
    """(source, page index) of every booklet page in reading order: the table of
    contents, then per 施策 its cover list and its sheets. Source "front" is the front
    matter, source i the i-th chunk."""
    position = {}  # sheet id → (chunk number, first page index)
    for number, chunk in enumerate(chunks):
        page = 0
        for entry in chunk.entries:
            position[entry.sheet_id] = (number, page)
            page += entry.pages
    order = [("front", index) for index in range(toc_pages)]
    for group, (first, end) in zip(groups, covers, strict=True):
        order += [("front", index) for index in range(first, end)]
        for entry in group.entries:
            number, start = position[entry.sheet_id]
            order += [(number, index) for index in range(start, start + entry.pages)]
    return order


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


def assemble(front: list[Path], toc_pages: int, covers, groups, chunks, target: Path, title: str):
    """Front matter and chunks in reading order, bookmarks, continuous page numbers.

    Written by ``pdf_join.StreamingPdfWriter``: the front matter, then one chunk file
    after the other, each read, copied and let go, the page tree giving the reading
    order at the end; memory does not grow with the number of sheets."""
    order = reading_order(toc_pages, covers, groups, chunks)
    page_number = {key: index + 1 for index, key in enumerate(order)}
    writer = StreamingPdfWriter(target)
    try:
        written = {}
        sources = [("front", path) for path in front]
        sources += [(n, chunk.path) for n, chunk in enumerate(chunks)]
        front_pages = 0  # the front matter's page index runs on across its files
        for source, path in sources:
            base = front_pages if source == "front" else 0
            numbers = writer.add_pages(
                path,
                lambda index, page, s=source, b=base: number_operators(
                    page_number[(s, b + index)], page
                ),
            )
            for index, number in enumerate(numbers):
                written[(source, base + index)] = number
            if source == "front":
                front_pages += len(numbers)
        _number_entries(groups, toc_pages, covers)
        kids = [written[key] for key in order]
        writer.finish(kids, outline(title, toc_pages, groups), title, lang="ja")
    except BaseException:
        writer.close()
        target.unlink(missing_ok=True)
        raise


def write_booklet(
    title: str,
    groups: list[Group],
    target: Path,
    *,
    with_toc: bool = True,
    progress: ProgressFn | None = None,
    start: int = 0,
) -> int:
    """One booklet PDF of ``groups``; returns its number of pages."""
    entries = [entry for group in groups for entry in group.entries]
    with tempfile.TemporaryDirectory(prefix="booklet-") as tmp:
        workdir = Path(tmp)
        chunks = render_chunks(entries, workdir, progress, start)
        front, toc_pages, covers = render_front(title, groups, with_toc, workdir)
        assemble(front, toc_pages, covers, groups, chunks, target, title)
    return _number_entries(groups, toc_pages, covers)


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
