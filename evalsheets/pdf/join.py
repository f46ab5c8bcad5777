"""Join PDF files into one, streaming: the booklet writer of the bulk export.

pypdf's ``PdfWriter`` and qpdf (pikepdf) both hold the whole output (or every input
file) until they write: memory grows with the booklet, about 0.1 MiB per sheet
(bench/bench_export.py). Here each input file is read once, on its own, and its
pages and everything they reference are written out at once with new object numbers;
then the file is let go. What stays in memory is the byte offset of each written
object and the output number of each page (a few dozen bytes a page), so a booklet of
10,000 sheets needs no more memory than one of 100.

The page order of the result is given at the end (``finish``): pages may be written in
any order (the cover lists first, then chunk after chunk) and placed in reading order
by the page tree. Each page can carry a few extra drawing operators (the booklet's
continuous page number, in the standard Helvetica: nothing to embed).

Only what the pages reference is copied: the inputs' catalogs, outlines and named
destinations are not (the booklet gets its own outline). Encrypted files are refused.

``add_pdf`` takes a PDF as WeasyPrint writes it through ``rawpdf`` (its objects copied
as bytes with their references renumbered: about 3 ms a sheet, where pypdf's parsing
took 9) and, with ``merge_fonts``, replaces each sheet's IPAex fonts by the booklet's
merged ones (``fontmerge``), written by ``finish``; any other PDF goes through pypdf
(``add_pages``), its fonts as they are. ``add_drawn_page`` adds a page drawn by the
caller (the booklet's front matter).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from evalsheets.pdf import rawpdf
from evalsheets.pdf.fontmerge import FontMerger

STAMP_FONT = "/EvsPageNo"


class Out(PdfObject):
    """A reference to an object of the output (already numbered), placed into an input's
    objects (pypdf accepts only PdfObject values there)."""

    def __init__(self, number: int):
        self.number = number

    def write_to_stream(self, stream, encryption_key=None):
        stream.write(b"%d 0 R" % self.number)


@dataclass
class OutlineItem:
    title: str
    page: int  # 0-based index in the final page order
    children: list[OutlineItem] = field(default_factory=list)


def _leaf(obj: PdfObject) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


class StreamingPdfWriter:
    """``add_pages`` for each input, then ``finish`` with the reading order."""

    CATALOG, PAGES = 1, 2

    def __init__(self, target: Path, *, merge_fonts: bool = False):
        self.file = open(target, "wb")  # closed by finish() or close()
        self.file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: list[int | None] = [None, None, None]  # 0 (free), catalog, pages
        self._stamp = None
        self.fonts = FontMerger(self._allocate) if merge_fonts else None

    # -------------------------------------------------------------- numbering

    def _allocate(self) -> int:
        self.offsets.append(None)
        return len(self.offsets) - 1

    def _write(self, number: int, body: bytes):
        self.offsets[number] = self.file.tell()
        self.file.write(b"%d 0 obj\n" % number)
        self.file.write(body)
        self.file.write(b"\nendobj\n")

    def _serialize(self, obj, ref: Callable[[IndirectObject], int]) -> bytes:
        if isinstance(obj, Out):
            return b"%d 0 R" % obj.number
        if isinstance(obj, IndirectObject):
            return b"%d 0 R" % ref(obj)
        if isinstance(obj, StreamObject):
            data = obj._data  # the bytes as stored in the input: still encoded
            entries = {k: v for k, v in obj.items() if k != "/Length"}
            head = self._dictionary(entries, ref)[:-2] + b"/Length %d>>" % len(data)
            return head + b"\nstream\n" + data + b"\nendstream"
        if isinstance(obj, DictionaryObject):
            return self._dictionary(obj, ref)
        if isinstance(obj, ArrayObject | list):
            return b"[" + b" ".join(self._serialize(item, ref) for item in obj) + b"]"
        return _leaf(obj)

    def _dictionary(self, entries, ref) -> bytes:
        parts = [_leaf(NameObject(k)) + b" " + self._serialize(v, ref) for k, v in entries.items()]
        return b"<<" + b" ".join(parts) + b">>"

    # -------------------------------------------------------------- stamps

    def _stamp_objects(self) -> tuple[int, int]:
        """The shared "q" stream and the Helvetica font of the page-number stamps."""
        if self._stamp is None:
            save, font = self._allocate(), self._allocate()
            self._write(save, b"<</Length 2>>\nstream\nq\n\nendstream")
            self._write(
                font,
                b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding>>",
            )
            self._stamp = (save, font)
        return self._stamp

    def _add_stamp(self, page: DictionaryObject, operators: bytes):
        """Wrap the page's content in q … Q and draw ``operators`` after it."""
        save, font = self._stamp_objects()
        resources = page["/Resources"].get_object()  # shared by a chunk's pages: once
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        if fonts is None:
            fonts = DictionaryObject()
            resources[NameObject("/Font")] = fonts
        fonts[NameObject(STAMP_FONT)] = Out(font)
        stamp = self._allocate()
        body = b"\nQ\n" + operators
        self._write(stamp, b"<</Length %d>>\nstream\n" % len(body) + body + b"\nendstream")
        contents = page.get("/Contents")
        existing = []
        if contents is not None:
            resolved = contents.get_object()
            existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([Out(save), *existing, Out(stamp)])

    # -------------------------------------------------------------- input

    def add_pages(
        self, path: Path, stamp: Callable[[int, DictionaryObject], bytes | None] | None = None
    ) -> list[int]:
        """Copy every page of ``path`` (and what it references); return their output
        numbers in the file's order. ``stamp(index, page)`` may return operators to draw
        on top of page ``index``."""
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ValueError(f"{getattr(path, 'name', 'PDF')}: encrypted PDF")
        numbers: dict[tuple[int, int], int] = {}
        pending: list[tuple[int, int]] = []

        def ref(indirect: IndirectObject) -> int:
            key = (indirect.idnum, indirect.generation)
            if key not in numbers:
                numbers[key] = self._allocate()
                pending.append(key)
            return numbers[key]

        pages = []
        for index, page in enumerate(reader.pages):
            # The input's page tree is not copied: what a page inherits from it
            # (MediaBox, Resources…) pypdf's reader has already put on the page.
            page[NameObject("/Parent")] = Out(self.PAGES)
            operators = stamp(index, page) if stamp else None
            if operators:
                self._add_stamp(page, operators)
            own = page.indirect_reference
            numbers[(own.idnum, own.generation)] = number = self._allocate()
            pages.append((number, page))
        for number, page in pages:  # stamps first: they add to shared resources
            self._write(number, self._serialize(page, ref))
        while pending:
            key = pending.pop()
            obj = reader.get_object(IndirectObject(key[0], key[1], reader))
            self._write(numbers[key], self._serialize(obj, ref))
        return [number for number, _page in pages]

    def add_pdf(self, data: bytes, stamp=None) -> list[int]:
        """``add_pages`` for a PDF in memory. A PDF as WeasyPrint writes it is copied by
        ``rawpdf`` (objects as bytes, renumbered; fonts merged when the writer was made
        with ``merge_fonts``); any other by pypdf (``add_pages``)."""
        try:
            pdf = rawpdf.RawPdf(data)
            pages = pdf.pages()
        except rawpdf.Unsupported:
            return self.add_pages(io.BytesIO(data), stamp)
        mark = len(self.offsets)
        position = self.file.tell()
        try:
            return self._copy_raw(pdf, pages, stamp)
        except rawpdf.Unsupported:  # undo and take the general path
            self.file.seek(position)
            self.file.truncate()
            del self.offsets[mark:]
            return self.add_pages(io.BytesIO(data), stamp)

    def _copy_raw(self, pdf, pages, stamp) -> list[int]:
        numbers: dict[int, int] = {}
        pending: list[int] = []
        overrides: dict[int, object] = {}  # input objects written from a changed value

        def ref(reference) -> int:
            if reference.num not in numbers:
                numbers[reference.num] = self._allocate()
                pending.append(reference.num)
            return numbers[reference.num]

        if self.fonts is not None:
            checked: dict = {}
            seen: set = set()
            for _own, page in pages:
                fonts = pdf.value(pdf.value(page[b"/Resources"]).get(b"/Font"))
                for font in (fonts or {}).values():
                    if isinstance(font, rawpdf.Ref) and font not in seen:
                        seen.add(font)
                        merge = self.fonts.classify(pdf, font, checked)
                        if merge is not None and merge.shared is not None:
                            numbers[font.num] = merge.shared
                        elif merge is not None:
                            numbers[merge.program[0].num] = merge.program[1]
        result = []
        for index, (own, page) in enumerate(pages):
            page[rawpdf.Name(b"/Parent")] = self.PAGES
            operators = stamp(index, page) if stamp else None
            if operators:
                self._raw_stamp(pdf, page, operators, overrides)
            numbers[own.num] = number = self._allocate()
            result.append((number, page))
        for number, page in result:
            self._write(number, rawpdf.dump(page, ref))
        while pending:
            key = pending.pop()
            if key in overrides:
                self._write(numbers[key], rawpdf.dump(overrides[key], ref))
                continue
            obj = pdf.get(rawpdf.Ref(key, 0))
            body = rawpdf.renumber(obj.body, ref)
            if obj.stream is not None:
                body += b"\nstream\n" + obj.stream + b"\nendstream"
            self._write(numbers[key], body)
        return [number for number, _page in result]

    def _raw_stamp(self, pdf, page: dict, operators: bytes, overrides: dict):
        """``_add_stamp`` on a page parsed by ``rawpdf``."""
        save, font = self._stamp_objects()
        resources = page[b"/Resources"]
        if isinstance(resources, rawpdf.Ref):
            if resources.num not in overrides:
                overrides[resources.num] = pdf.value(resources)
            resources = overrides[resources.num]
        fonts = resources.get(b"/Font")
        if isinstance(fonts, rawpdf.Ref):
            if fonts.num not in overrides:
                overrides[fonts.num] = pdf.value(fonts)
            fonts = overrides[fonts.num]
        elif fonts is None:
            fonts = resources[rawpdf.Name(b"/Font")] = {}
        fonts[rawpdf.Name(STAMP_FONT.encode())] = font
        stamp = self._allocate()
        body = b"\nQ\n" + operators
        self._write(stamp, b"<</Length %d>>\nstream\n" % len(body) + body + b"\nendstream")
        contents = page.get(b"/Contents")
        existing = []
        if contents is not None:
            resolved = pdf.value(contents) if isinstance(contents, rawpdf.Ref) else contents
            existing = list(resolved) if isinstance(resolved, list) else [contents]
        page[rawpdf.Name(b"/Contents")] = [save, *existing, stamp]

    def add_drawn_page(self, content: bytes, fonts: dict[bytes, int], width, height) -> int:
        """A page drawn by the caller: ``content`` (a FlateDecode content stream) using
        ``fonts`` (resource name → font dictionary number) and the stamp font."""
        _save, stamp_font = self._stamp_objects()
        stream, page = self._allocate(), self._allocate()
        self._write(
            stream,
            b"<</Filter /FlateDecode /Length %d>>\nstream\n" % len(content)
            + content
            + b"\nendstream",
        )
        entries = b"".join(name + b" %d 0 R " % number for name, number in fonts.items())
        entries += STAMP_FONT.encode() + b" %d 0 R" % stamp_font
        self._write(
            page,
            b"<</Type /Page /Parent %d 0 R /MediaBox [0 0 %.4f %.4f] "
            b"/Resources <</Font <<%s>>>> /Contents %d 0 R>>"
            % (self.PAGES, width, height, entries, stream),
        )
        return page

    # -------------------------------------------------------------- output

    def _outline(self, items: list[OutlineItem], parent: int, kids: list[int]) -> tuple:
        """Write ``items`` under ``parent``: (first, last, count of all items)."""
        numbers = [self._allocate() for _ in items]
        total = 0
        for i, (item, number) in enumerate(zip(items, numbers, strict=True)):
            entries = [
                b"/Title " + _leaf(TextStringObject(item.title)),
                b"/Parent %d 0 R" % parent,
                b"/Dest [%d 0 R /Fit]" % kids[item.page],
            ]
            if i:
                entries.append(b"/Prev %d 0 R" % numbers[i - 1])
            if i + 1 < len(numbers):
                entries.append(b"/Next %d 0 R" % numbers[i + 1])
            if item.children:
                first, last, count = self._outline(item.children, number, kids)
                entries.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (first, last, count))
                total += count
            self._write(number, b"<<" + b" ".join(entries) + b">>")
            total += 1
        return numbers[0], numbers[-1], total

    def finish(self, kids: list[int], outline: list[OutlineItem], title: str, lang: str):
        """Page tree in the order of ``kids``, outline, catalog, cross-reference table."""
        if self.fonts is not None:
            self.fonts.write(self._write, self._allocate)
        self._write(
            self.PAGES,
            b"<</Type /Pages /Count %d /Kids [" % len(kids)
            + b" ".join(b"%d 0 R" % k for k in kids)
            + b"]>>",
        )
        catalog = [b"/Type /Catalog /Pages %d 0 R" % self.PAGES]
        if outline:
            root = self._allocate()
            first, last, count = self._outline(outline, root, kids)
            self._write(root, b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>" % (
                first, last, count))  # fmt: skip
            catalog.append(b"/Outlines %d 0 R /PageMode /UseOutlines" % root)
        catalog.append(b"/Lang " + _leaf(TextStringObject(lang)))
        self._write(self.CATALOG, b"<<" + b" ".join(catalog) + b">>")
        info = self._allocate()
        self._write(
            info, b"<</Title " + _leaf(TextStringObject(title)) + b" /Producer (evalsheets)>>"
        )
        start = self.file.tell()
        lines = [b"xref\n0 %d\n" % len(self.offsets), b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % offset for offset in self.offsets[1:]]
        self.file.write(b"".join(lines))
        self.file.write(
            b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self.offsets), self.CATALOG, info, start)
        )
        self.close()

    def close(self):
        self.file.close()
