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

import ctypes
import hashlib
import re
import struct
import sys
import threading
import zlib
from array import array
from dataclasses import dataclass, field
from functools import cache
from math import ceil
from pathlib import Path

from django.conf import settings

from evalsheets.pdf.rawpdf import RawPdf, Ref, Unsupported, number, parse

PDF_STATIC_ROOT = Path(getattr(settings, "PDF_STATIC_ROOT", settings.BASE_DIR / "static"))
FONT_FILES = {
    "IPAexGothic": PDF_STATIC_ROOT / "fonts" / "ipaexg.ttf",
    "IPAexMincho": PDF_STATIC_ROOT / "fonts" / "ipaexm.ttf",
}
# WeasyPrint's subset (weasyprint/pdf/fonts.py, Font._harfbuzz_subset).
_NO_HINTING, _RETAIN_GIDS, _DESUBROUTINIZE, _PASSTHROUGH = 0x1, 0x2, 0x4, 0x20
_DROP_TABLE_TAG = 3
_DROP_TABLES = (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
    b"SVG ",
)  # fmt: skip
TAG = "EVSBKL"  # the subset tag of the merged fonts' names

_lock = threading.Lock()


@cache
def _harfbuzz():
    hb = ctypes.CDLL("libharfbuzz.so.0")
    subset = ctypes.CDLL("libharfbuzz-subset.so.0")
    pointer = ctypes.c_void_p
    for lib, name, restype, argtypes in (
        (hb, "hb_blob_create_from_file", pointer, [ctypes.c_char_p]),
        (hb, "hb_face_create", pointer, [pointer, ctypes.c_uint]),
        (hb, "hb_face_reference_blob", pointer, [pointer]),
        (hb, "hb_blob_get_data", pointer, [pointer, ctypes.POINTER(ctypes.c_uint)]),
        (hb, "hb_blob_destroy", None, [pointer]),
        (hb, "hb_face_destroy", None, [pointer]),
        (hb, "hb_set_add", None, [pointer, ctypes.c_uint32]),
        (hb, "hb_set_add_range", None, [pointer, ctypes.c_uint32, ctypes.c_uint32]),
        (hb, "hb_tag_from_string", ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int]),
        (hb, "hb_font_create", pointer, [pointer]),
        (hb, "hb_face_get_upem", ctypes.c_uint, [pointer]),
        (
            hb,
            "hb_font_get_nominal_glyph",
            ctypes.c_int,
            [pointer, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32)],
        ),
        (hb, "hb_font_get_glyph_h_advance", ctypes.c_int32, [pointer, ctypes.c_uint32]),
        (subset, "hb_subset_input_create_or_fail", pointer, []),
        (subset, "hb_subset_input_destroy", None, [pointer]),
        (subset, "hb_subset_input_glyph_set", pointer, [pointer]),
        (subset, "hb_subset_input_set", pointer, [pointer, ctypes.c_int]),
        (subset, "hb_subset_input_set_flags", None, [pointer, ctypes.c_uint]),
        (subset, "hb_subset_or_fail", pointer, [pointer, pointer]),
    ):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return hb, subset


@cache
def _source_face(path: Path) -> int:
    hb, _subset = _harfbuzz()
    blob = hb.hb_blob_create_from_file(str(path).encode())
    return hb.hb_face_create(blob, 0)


class Metrics:
    """Glyph ids and advance widths (1/1000 em) of a reference font, for text drawn
    directly (the booklet's front matter): no shaping, one glyph per character."""

    def __init__(self, family: str):
        hb, _subset = _harfbuzz()
        with _lock:
            face = _source_face(FONT_FILES[family])
            self._font = hb.hb_font_create(face)
            self._upem = hb.hb_face_get_upem(face)
        self._glyphs: dict[str, tuple[int, int]] = {}

    def glyph(self, char: str) -> tuple[int, int]:
        """(glyph id, width in 1/1000 em); glyph 0 (.notdef) if the font lacks it."""
        found = self._glyphs.get(char)
        if found is None:
            hb, _subset = _harfbuzz()
            gid = ctypes.c_uint32(0)
            if not hb.hb_font_get_nominal_glyph(self._font, ord(char), ctypes.byref(gid)):
                gid.value = 0
            advance = hb.hb_font_get_glyph_h_advance(self._font, gid.value)
            found = self._glyphs[char] = (gid.value, round(advance * 1000 / self._upem))
        return found


@cache
def metrics(family: str) -> Metrics:
    return Metrics(family)


def _subset_pass(face: int, gids, flags: int, *, ranged: int | None = None) -> int:
    hb, subset = _harfbuzz()
    request = subset.hb_subset_input_create_or_fail()
    try:
        glyphs = subset.hb_subset_input_glyph_set(request)
        if ranged is not None:
            hb.hb_set_add_range(glyphs, 0, ranged)
        for gid in gids:
            hb.hb_set_add(glyphs, gid)
        subset.hb_subset_input_set_flags(request, flags)
        drop = subset.hb_subset_input_set(request, _DROP_TABLE_TAG)
        for tag in _DROP_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
        result = subset.hb_subset_or_fail(face, request)
    finally:
        subset.hb_subset_input_destroy(request)
    if not result:
        raise RuntimeError("HarfBuzz could not subset the font")
    return result


def _face_bytes(face: int) -> bytes:
    hb, _subset = _harfbuzz()
    blob = hb.hb_face_reference_blob(face)
    length = ctypes.c_uint()
    data = hb.hb_blob_get_data(blob, ctypes.byref(length))
    try:
        return ctypes.string_at(data, length.value)
    finally:
        hb.hb_blob_destroy(blob)


def subset_font(path: Path, gids: set[int]) -> bytes:
    """The font at ``path`` cut to ``gids`` exactly as WeasyPrint cuts it: glyph ids kept,
    no hinting, empty glyphs after the last one dropped."""
    hb, _subset = _harfbuzz()
    with _lock:
        face = _source_face(path)
        first = _subset_pass(face, sorted(gids), _RETAIN_GIDS | _PASSTHROUGH | _DESUBROUTINIZE)
        try:
            second = _subset_pass(
                first, (), _PASSTHROUGH | _DESUBROUTINIZE | _NO_HINTING, ranged=max(gids)
            )
        finally:
            hb.hb_face_destroy(first)
        try:
            return _face_bytes(second)
        finally:
            hb.hb_face_destroy(second)


def glyphs(font: bytes) -> tuple[bytes, array, int]:
    """(glyf table, loca entries, their scale: 2 for short offsets) of a TrueType font."""
    count = struct.unpack_from(">H", font, 4)[0]
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * i)
        tables[tag] = (offset, length)
    if b"glyf" not in tables or b"loca" not in tables or b"head" not in tables:
        raise Unsupported("not a TrueType font with glyf/loca")
    long_offsets = struct.unpack_from(">h", font, tables[b"head"][0] + 50)[0]
    offset, length = tables[b"loca"]
    loca = array("I" if long_offsets else "H", font[offset : offset + length])
    if sys.byteorder == "little":
        loca.byteswap()
    scale = 1 if long_offsets else 2
    glyf_offset, glyf_length = tables[b"glyf"]
    return font[glyf_offset : glyf_offset + glyf_length], loca, scale


@cache
def reference_glyphs(family: str) -> list[bytes]:
    """Every glyph of the reference font as WeasyPrint's subsets hold it, by glyph id."""
    hb, _subset = _harfbuzz()
    with _lock:
        face = _source_face(FONT_FILES[family])
        result = _subset_pass(face, (), _PASSTHROUGH | _DESUBROUTINIZE | _NO_HINTING, ranged=65535)
    try:
        glyf, loca, scale = glyphs(_face_bytes(result))
    finally:
        hb.hb_face_destroy(result)
    return [glyf[scale * loca[g] : scale * loca[g + 1]] for g in range(len(loca) - 1)]


def _components(glyph: bytes) -> list[tuple[int, int]]:
    """(byte offset of the glyph index, glyph index) of each component of a composite
    glyph; [] for a simple glyph."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph, 0)[0] >= 0:
        return []
    found, at = [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", glyph, at)
        found.append((at + 2, gid))
        at += 4 + (4 if flags & 0x1 else 2)
        at += 2 if flags & 0x8 else 4 if flags & 0x40 else 8 if flags & 0x80 else 0
        if not flags & 0x20:
            return found


@cache
def composites(family: str) -> dict[int, list[int]]:
    """The components of each composite glyph of the reference font."""
    return {
        gid: [component for _at, component in _components(glyph)]
        for gid, glyph in enumerate(reference_glyphs(family))
        if glyph[:2] == b"\xff\xff"
    }


def same_glyphs(family: str, program: bytes, used: set[int]) -> bool:
    """Whether the embedded subset ``program`` draws each glyph id of ``used`` as the
    reference font does.

    WeasyPrint's second subset pass keeps glyph ids 0..max(used) in place; the
    components of composite glyphs above that are renumbered after it in the order of
    their ids, and the composites refer to them by the new numbers: compared through
    that renumbering."""
    glyf, loca, scale = glyphs(program)
    reference = reference_glyphs(family)
    top = max(used, default=0)
    if top >= len(reference) or top + 1 >= len(loca):
        return False
    parts = composites(family)
    beyond, todo = set(), [g for g in used if g in parts]
    while todo:  # the components above ``top``, as HarfBuzz's closure finds them
        for component in parts.get(todo.pop(), ()):
            if component > top and component not in beyond:
                beyond.add(component)
                todo.append(component)
    order = sorted(used)
    if not beyond and [glyf[scale * loca[g] : scale * loca[g + 1]] for g in order] == [
        reference[g] for g in order
    ]:
        return True  # the usual case, compared in one go
    original = {top + 1 + i: gid for i, gid in enumerate(sorted(beyond))}
    for gid in [*order, *original]:
        if gid + 1 >= len(loca):
            return False
        mine = glyf[scale * loca[gid] : scale * loca[gid + 1]]
        theirs = reference[original.get(gid, gid)]
        if mine == theirs:
            continue
        mine, theirs = mine.rstrip(b"\0"), theirs.rstrip(b"\0")  # padding
        if mine == theirs:
            continue
        components = _components(mine)
        if not components or len(mine) != len(theirs):
            return False
        fixed = bytearray(mine)
        for at, component in components:
            struct.pack_into(">H", fixed, at, original.get(component, component))
        if bytes(fixed) != theirs:
            return False
    return True


_W_ENTRY = None
_W_KEY = re.compile(rb"/W(?=[\s\[])")  # not /WNCCQH+… in a font name


def parse_widths(body: bytes) -> dict[int, bytes] | None:
    """The /W array of a CIDFont dictionary (WeasyPrint writes ``gid [w w …]`` runs);
    None for another form."""
    global _W_ENTRY
    if _W_ENTRY is None:
        _W_ENTRY = re.compile(rb"(\d+)\s*\[([^\]\[]*)\]")
    match = _W_KEY.search(body)
    if match is None:
        return {}
    bracket = body.index(b"[", match.start())
    end = body.find(b"]]", bracket)
    if end < 0:
        return {} if body[bracket + 1 :].lstrip().startswith(b"]") else None
    inside = body[bracket + 1 : end + 1]
    runs = _W_ENTRY.findall(inside)
    if len(_W_ENTRY.sub(b"", inside).strip()):
        return None  # a "first last width" range: not WeasyPrint's form
    widths = {}
    for first, values in runs:
        values = values.split()
        widths.update(zip(range(int(first), int(first) + len(values)), values, strict=True))
    return widths


def without_widths(body: bytes) -> bytes:
    match = _W_KEY.search(body)
    start = match.start() if match else -1
    if start < 0:
        return body
    bracket = body.index(b"[", start)
    end = body.find(b"]]", bracket)
    end = end + 2 if end >= 0 else body.index(b"]", bracket) + 1
    return body[:start] + body[end:]


_BFCHAR = None


def parse_to_unicode(data: bytes) -> dict[int, bytes] | None:
    """gid → UTF-16BE hex of a ToUnicode CMap of ``bfchar`` entries; None otherwise."""
    global _BFCHAR
    if _BFCHAR is None:
        _BFCHAR = re.compile(rb"<([0-9A-Fa-f]{1,4})>\s*<([0-9A-Fa-f]*)>")
    if b"beginbfrange" in data:
        return None
    start = data.find(b"endcodespacerange")
    pairs = _BFCHAR.findall(data, start if start >= 0 else 0)
    return {int(gid, 16): text.lower() for gid, text in pairs}


CACHE_SIZE = 16  # programs checked, maps parsed: remembered, then forgotten at once (memory)


def _conflicts(merged: dict, new: dict) -> bool:
    """Whether ``new`` gives another value for a key that ``merged`` has."""
    return any(key in merged for key, _value in new.items() - merged.items())


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
