"""The reference IPAex subsets of a booklet (HarfBuzz with WeasyPrint's flags on static/fonts)
and the reading of a stored sheet's embedded fonts: glyph programs, widths, ToUnicode maps.
Used by ``fontmerge`` (which decides what to merge)."""

from __future__ import annotations

import ctypes
import re
import struct
import sys
import threading
from array import array
from functools import cache
from pathlib import Path

from django.conf import settings

from evalsheets.pdf.rawpdf import Unsupported

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
