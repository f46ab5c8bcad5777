"""One font subset per face for a booklet made of stored sheet PDFs.

Each stored PDF embeds its own subsets of the IPAex fonts. WeasyPrint (HarfBuzz subset,
``HB_SUBSET_FLAGS_RETAIN_GIDS``) keeps every glyph at its glyph id in the full font and
addresses glyphs by that id (``/CIDToGIDMap /Identity``): the same character is the same
glyph id in every sheet. So the pages of all sheets can share one subset holding the
union of their glyphs, cut from the same font file (``static/fonts``) the same way, and
one font dictionary per style (IPAexGothic, its bold, IPAexMincho) whose widths and
ToUnicode map are the union of the sheets' (the same glyph has the same entries in
every sheet).

Nothing is trusted blindly. A sheet's font is merged only if

* it is a Type0/CIDFontType2 font with ``/Identity-H`` and ``/CIDToGIDMap /Identity``
  whose family is one of ``FONT_FILES``,
* every glyph of its embedded subset is byte for byte the glyph of that id in the
  reference subset (the same HarfBuzz flags as WeasyPrint's on ``static/fonts``),
* its widths and ToUnicode entries agree with those merged so far.

If the glyphs agree but a width or a ToUnicode entry does not, the sheet keeps its own
font dictionaries and only its font program is replaced by the shared one. If a glyph
differs (a PDF made with another font file) or the font is anything else, the sheet's
fonts are copied as they are: correct, one more subset in the booklet.

The merged subsets, dictionaries and maps are written at the end (``write``): memory
holds the union of the glyph ids (bounded by the font's 12,000-odd glyphs), whatever
the number of sheets.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from math import ceil

from evalsheets.pdf.fontsubset import (
    CACHE_SIZE,
    FONT_FILES,
    TAG,
    _conflicts,
    metrics,
    parse_to_unicode,
    parse_widths,
    same_glyphs,
    subset_font,
    without_widths,
)
from evalsheets.pdf.rawpdf import RawPdf, Ref, Unsupported, number, parse


@dataclass
class Program:
    family: str
    number: int
    gids: set[int] = field(default_factory=set)


@dataclass
class Style:
    """One merged font dictionary: a style (name) of a family with its descriptor values."""

    program: Program
    name: str  # BaseFont without the subset tag, e.g. "IPAexGothic-Bold"
    descriptor: dict  # the descriptor's entries other than FontName, FontBBox, FontFile2
    number: int  # the Type0 font dictionary
    widths: dict[int, bytes] = field(default_factory=dict)
    unicode: dict[int, bytes] = field(default_factory=dict)
    tag: str = TAG
    merged: dict = field(default_factory=dict)  # ids of cached maps already merged


DIRECT_TAG = "EVSFRT"  # text drawn by the booklet itself (front matter)
_DIRECT_DESCRIPTOR = {
    b"/Type": b"/FontDescriptor",
    b"/Flags": b"4",
    b"/FontBBox": [b"0", b"-120", b"1000", b"880"],
    b"/ItalicAngle": b"0",
    b"/Ascent": b"880",
    b"/Descent": b"-120",
    b"/CapHeight": b"880",
    b"/StemV": b"80",
    b"/StemH": b"80",
}


@dataclass
class Merge:
    """What to do with one font of an input: ``shared`` is the output number of the merged
    Type0 dictionary; else ``program`` maps the input's font program to the shared one."""

    shared: int | None = None
    program: tuple[Ref, int] | None = None


class FontMerger:
    def __init__(self, allocate):
        self._allocate = allocate
        self.programs: dict[str, Program] = {}
        self.styles: dict[tuple, Style] = {}
        self.merged = self.kept = self.copied = 0  # fonts of the inputs, for the record
        self._checked: dict[tuple, bool] = {}  # bounded caches (CACHE_SIZE)
        self._maps: dict[bytes, dict | None] = {}
        self._widths_seen: dict[bytes, dict | None] = {}

    def _program(self, family: str) -> Program:
        if family not in self.programs:
            self.programs[family] = Program(family, self._allocate())
        return self.programs[family]

    def classify(self, pdf: RawPdf, ref, checked: dict) -> Merge | None:
        """How the Type0 font ``ref`` of ``pdf`` goes into the booklet (None: copied as
        it is). ``checked`` caches the glyph check per font program within one input."""
        try:
            return self._classify(pdf, ref, checked)
        except (Unsupported, KeyError, ValueError, IndexError, TypeError, struct.error, zlib.error):
            self.copied += 1
            return None

    def _same_glyphs(self, family: str, pdf: RawPdf, ref: Ref, used: set[int]) -> bool:
        """``same_glyphs``, remembered for a program already checked (the same bytes
        recur: a title font's few glyphs, or the same sheet in two booklets)."""
        stream = pdf.get(ref).stream or b""
        key = (family, hashlib.sha1(stream).digest(), hash(frozenset(used)))
        if key not in self._checked:
            if len(self._checked) > CACHE_SIZE:
                self._checked.clear()
            self._checked[key] = same_glyphs(family, pdf.stream_bytes(ref), used)
        return self._checked[key]

    def _widths(self, body: bytes) -> dict[int, bytes] | None:
        key = hashlib.sha1(body).digest()
        if key not in self._widths_seen:
            if len(self._widths_seen) > CACHE_SIZE:
                self._widths_seen.clear()
            self._widths_seen[key] = parse_widths(body)
        return self._widths_seen[key]

    def _to_unicode(self, pdf: RawPdf, ref: Ref) -> dict[int, bytes] | None:
        stream = pdf.get(ref).stream or b""
        key = hashlib.sha1(stream).digest()
        if key not in self._maps:
            if len(self._maps) > CACHE_SIZE:
                self._maps.clear()
            self._maps[key] = parse_to_unicode(pdf.stream_bytes(ref))
        return self._maps[key]

    def _classify(self, pdf: RawPdf, ref, checked: dict) -> Merge | None:
        if not isinstance(ref, Ref):
            self.copied += 1
            return None
        font = pdf.value(ref)
        if font.get(b"/Subtype") != b"/Type0" or font.get(b"/Encoding") != b"/Identity-H":
            self.copied += 1
            return None
        descendants = pdf.value(font[b"/DescendantFonts"])
        cid_object = pdf.get(descendants[0])
        cid = parse(without_widths(cid_object.body))[0]
        if cid.get(b"/Subtype") != b"/CIDFontType2" or cid.get(b"/CIDToGIDMap") != b"/Identity":
            self.copied += 1
            return None
        descriptor = pdf.value(cid[b"/FontDescriptor"])
        program_ref = descriptor.get(b"/FontFile2")
        name = bytes(font[b"/BaseFont"])[1:].decode("latin-1").split("+", 1)[-1]
        family = name.split("-", 1)[0]
        if family not in FONT_FILES or not isinstance(program_ref, Ref):
            self.copied += 1
            return None
        widths = self._widths(cid_object.body)
        if widths is None:
            self.copied += 1
            return None
        gids = set(widths)
        if program_ref not in checked:
            checked[program_ref] = set()
        used = checked[program_ref]
        used |= gids  # the program may serve several font dictionaries
        if not self._same_glyphs(family, pdf, program_ref, used):
            self.copied += 1
            return None
        program = self._program(family)
        program.gids |= gids
        unicode_ref = font.get(b"/ToUnicode")
        unicode = self._to_unicode(pdf, unicode_ref) if isinstance(unicode_ref, Ref) else None
        kept = Merge(program=(program_ref, program.number))
        if unicode is None:
            self.kept += 1
            return kept
        entries = {
            bytes(k): bytes(v) if not isinstance(v, list | dict) else repr(v).encode()
            for k, v in descriptor.items()
            if k not in (b"/FontName", b"/FontBBox", b"/FontFile2", b"/CIDSet")
        }
        key = (family, name, tuple(sorted(entries.items())))
        style = self.styles.get(key)
        known = (id(widths), id(unicode))  # the same parsed maps (cached): merged already
        if (
            style is not None
            and known not in style.merged
            and (_conflicts(style.widths, widths) or _conflicts(style.unicode, unicode))
        ):
            self.kept += 1
            return kept
        if style is None:
            style = self.styles[key] = Style(program, name, descriptor, self._allocate())
        if known not in style.merged:
            style.widths.update(widths)
            style.unicode.update(unicode)
            if len(style.merged) > CACHE_SIZE:
                style.merged.clear()
            style.merged[known] = (widths, unicode)  # kept alive: their ids stay theirs
        self.merged += 1
        return Merge(shared=style.number)

    def direct(self, family: str, text: str) -> tuple[int, bytes]:
        """(output number of the font dictionary, hex glyph string) to draw ``text`` in
        ``family`` (one glyph per character, no shaping), sharing the merged subset."""
        key = ("direct", family)
        style = self.styles.get(key)
        if style is None:
            descriptor = {**_DIRECT_DESCRIPTOR, b"/FontFamily": f"({family})".encode()}
            program = self._program(family)
            style = Style(program, family, descriptor, self._allocate(), tag=DIRECT_TAG)
            self.styles[key] = style
        measure = metrics(family)
        codes = []
        for char in text:
            gid, width = measure.glyph(char)
            if gid not in style.widths:
                style.widths[gid] = b"%d" % width
                style.unicode[gid] = char.encode("utf-16-be").hex().encode()
                style.program.gids.add(gid)
            codes.append(b"%04x" % gid)
        return style.number, b"<" + b"".join(codes) + b">"

    # ------------------------------------------------------------------ output

    def write(self, write, allocate):
        """Write the merged subsets and font dictionaries: ``write(number, bytes)``."""
        for program in self.programs.values():
            gids = program.gids | {0}
            font = subset_font(FONT_FILES[program.family], gids)
            data = zlib.compress(font, 6)
            write(
                program.number,
                b"<</Length1 %d /Filter /FlateDecode /Length %d>>\nstream\n"
                % (len(font), len(data))
                + data
                + b"\nendstream",
            )
        for style in self.styles.values():
            self._write_style(style, write, allocate)

    def _write_style(self, style: Style, write, allocate):
        name = f"/{style.tag}+{style.name}".encode()
        descriptor_number, cid_number, unicode_number = allocate(), allocate(), allocate()
        widths = sorted(style.widths)
        largest = max((float(style.widths[g]) for g in widths), default=0)
        entries = []
        for key, value in style.descriptor.items():
            if key in (b"/FontName", b"/FontFile2", b"/CIDSet"):
                continue
            if key == b"/FontBBox":
                box = [bytes(v) for v in value]
                box[2] = b"%g" % max(largest, float(box[2]))
                value = b"[" + b" ".join(box) + b"]"
            elif isinstance(value, list):
                value = b"[" + b" ".join(bytes(v) for v in value) + b"]"
            entries.append(bytes(key) + b" " + bytes(value))
        write(
            descriptor_number,
            b"<</FontName " + name + b" " + b" ".join(entries)
            + b" /FontFile2 %d 0 R>>" % style.program.number,
        )  # fmt: skip
        runs, previous = [], None
        for gid in widths:
            if previous is None or gid != previous + 1:
                runs.append(b"] %d [" % gid)
            runs.append(style.widths[gid] + b" ")
            previous = gid
        w = (b"".join(runs)[1:] + b"]") if runs else b""
        write(
            cid_number,
            b"<</Type /Font /Subtype /CIDFontType2 /BaseFont " + name
            + b" /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>>"
            + b" /CIDToGIDMap /Identity /W [" + w + b"] /FontDescriptor %d 0 R>>"
            % descriptor_number,
        )  # fmt: skip
        write(unicode_number, _stream(_cmap(style.unicode)))
        write(
            style.number,
            b"<</Type /Font /Subtype /Type0 /BaseFont " + name
            + b" /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>"
            % (cid_number, unicode_number),
        )  # fmt: skip


def _cmap(unicode: dict[int, bytes]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(unicode.items())
    for i in range(ceil(len(items) / 100)):
        batch = items[i * 100 : (i + 1) * 100]
        lines.append(b"%d beginbfchar" % len(batch))
        lines += [b"<%04x> <%s>" % (gid, text) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _stream(content: bytes) -> bytes:
    data = zlib.compress(content, 6)
    return b"<</Filter /FlateDecode /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


__all__ = ["FontMerger", "Merge", "number"]
