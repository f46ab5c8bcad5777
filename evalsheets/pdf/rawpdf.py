"""A small, fast reader of the PDFs WeasyPrint writes: objects as bytes, parsed on demand.

The booklet copies every stored sheet PDF into one file (``join``). pypdf parses every
object it touches into Python objects; most of a sheet PDF's objects are the width
arrays of its fonts (some 2,000 numbers a sheet), and parsing them took ~9 ms a sheet,
more than the rest of the booklet together. Here an object is a slice of the file (or of
its object stream) that is copied as it is, with only its references renumbered; the few
objects the booklet must look into (page tree, pages, resources, fonts) are parsed by a
small tokenizer (``parse``).

What it reads: a cross-reference table or stream (no predictor), object streams,
no incremental update, no encryption — what pydyf (WeasyPrint) writes. Anything else
raises ``Unsupported``; the caller then takes the general path (pypdf).
"""

from __future__ import annotations

import re
import zlib
from typing import NamedTuple


class Unsupported(ValueError):
    """A PDF this reader does not handle (the caller falls back to pypdf)."""


class Ref(NamedTuple):
    num: int
    gen: int


class Name(bytes):
    """A PDF name, with its slash: ``Name(b"/Type")``."""


class Raw(bytes):
    """Any other token as written: number, string, boolean, null."""


_WS = b" \t\r\n\f\x00"
_TOKEN = re.compile(
    rb"(?:\s|%[^\r\n]*)*"
    rb"(?:(<<|>>|\[|\])"  # 1 delimiters
    rb"|(\d+)\s+(\d+)\s+R(?![A-Za-z0-9_])"  # 2, 3 reference
    rb"|(/[^\s/\[\]()<>{}%]*)"  # 4 name
    rb"|([+-]?(?:\d+\.?\d*|\.\d+))"  # 5 number
    rb"|(\()"  # 6 literal string
    rb"|(<[0-9A-Fa-f\s]*>)"  # 7 hex string
    rb"|([A-Za-z]+))"  # 8 keyword
)
# Literal strings as pydyf writes them (every parenthesis escaped), and references
# outside them: what renumbering a copied object needs.
_STRING_OR_REF = re.compile(rb"(\((?:[^\\()]|\\.)*\))|(\d+)\s+(\d+)\s+R(?![A-Za-z0-9_])", re.S)


def _literal_end(data: bytes, pos: int) -> int:
    """Index after the literal string whose "(" is at ``pos - 1``."""
    depth = 1
    while depth:
        if pos >= len(data):
            raise Unsupported("unterminated string")
        ch = data[pos]
        if ch == 0x5C:  # backslash
            pos += 2
            continue
        if ch == 0x28:
            depth += 1
        elif ch == 0x29:
            depth -= 1
        pos += 1
    return pos


def parse(data: bytes, pos: int = 0):
    """(value, end position) of the PDF value at ``pos``."""
    match = _TOKEN.match(data, pos)
    if match is None:
        raise Unsupported(f"unreadable value at {pos}")
    end = match.end()
    delimiter = match.group(1)
    if delimiter == b"<<":
        result = {}
        while True:
            match = _TOKEN.match(data, end)
            if match is None:
                raise Unsupported("unreadable dictionary")
            if match.group(1) == b">>":
                return result, match.end()
            key = match.group(4)
            if key is None:
                raise Unsupported("dictionary key is not a name")
            value, end = parse(data, match.end())
            result[Name(key)] = value
    if delimiter == b"[":
        items = []
        while True:
            match = _TOKEN.match(data, end)
            if match is None:
                raise Unsupported("unreadable array")
            if match.group(1) == b"]":
                return items, match.end()
            value, end = parse(data, end)
            items.append(value)
    if delimiter is not None:
        raise Unsupported(f"unexpected {delimiter!r}")
    if match.group(2) is not None:
        return Ref(int(match.group(2)), int(match.group(3))), end
    if match.group(4) is not None:
        return Name(match.group(4)), end
    if match.group(6) is not None:
        stop = _literal_end(data, end)
        return Raw(data[match.start(6) : stop]), stop
    for group in (5, 7, 8):
        if match.group(group) is not None:
            return Raw(match.group(group)), end
    raise Unsupported("unreadable value")  # pragma: no cover


def number(value) -> int:
    return int(float(value))


def dump(value, ref) -> bytes:
    """Serialize a parsed value; ``ref(Ref)`` gives the output number of a reference."""
    if isinstance(value, dict):
        return b"<<" + b"".join(k + b" " + dump(v, ref) + b" " for k, v in value.items()) + b">>"
    if isinstance(value, list):
        return b"[" + b" ".join(dump(v, ref) for v in value) + b"]"
    if isinstance(value, Ref):
        return b"%d 0 R" % ref(value)
    if isinstance(value, int):  # an output object number placed by the writer
        return b"%d 0 R" % value
    return bytes(value)


def renumber(body: bytes, ref) -> bytes:
    """``body`` with every reference outside strings replaced by ``ref(Ref)``."""

    def replace(match):
        if match.group(1) is not None:
            return match.group(1)
        return b"%d 0 R" % ref(Ref(int(match.group(2)), int(match.group(3))))

    return _STRING_OR_REF.sub(replace, body)


class Object(NamedTuple):
    """An object as written: its body (a stream's dictionary) and, for a stream, the
    encoded data."""

    body: bytes
    stream: bytes | None = None


class RawPdf:
    def __init__(self, data: bytes):
        self.data = data
        self._objstm: dict[int, tuple[bytes, list[int]]] = {}
        self._values: dict[int, object] = {}
        self.entries: dict[int, tuple] = {}  # number → (1, offset) or (2, stream, index)
        start = data.rfind(b"startxref")
        if start < 0:
            raise Unsupported("no startxref")
        xref = int(data[start + 9 :].split()[0])
        if data.startswith(b"xref", xref):
            self.trailer = self._xref_table(xref)
        else:
            self.trailer = self._xref_stream(xref)
        if "/Encrypt" in {k.decode() for k in self.trailer}:
            raise ValueError("encrypted PDF")
        if Name(b"/Prev") in self.trailer:
            raise Unsupported("incremental update")

    # ------------------------------------------------------------ cross-reference

    def _xref_table(self, pos: int) -> dict:
        lines = iter(self.data[pos:].split(b"trailer", 1)[0].split(b"\n")[1:])
        for line in lines:
            parts = line.split()
            if len(parts) != 2:
                continue
            first, count = int(parts[0]), int(parts[1])
            for number_ in range(first, first + count):
                fields = next(lines).split()
                if fields[2] == b"n":
                    self.entries[number_] = (1, int(fields[0]))
        trailer_at = self.data.index(b"trailer", pos) + 7
        return parse(self.data, trailer_at)[0]

    def _xref_stream(self, pos: int) -> dict:
        head, data = self._indirect(pos)
        if Name(b"/DecodeParms") in head:
            raise Unsupported("xref stream with a predictor")
        widths = [number(w) for w in head[Name(b"/W")]]
        index = [number(v) for v in head.get(Name(b"/Index"), [0, head[Name(b"/Size")]])]
        rows = self._decoded(head, data)
        size = sum(widths)
        at = 0
        for first, count in zip(index[::2], index[1::2], strict=True):
            for number_ in range(first, first + count):
                fields, offset = [], at
                for width in widths:
                    fields.append(int.from_bytes(rows[offset : offset + width], "big"))
                    offset += width
                at += size
                kind = fields[0] if widths[0] else 1
                if kind == 1:
                    self.entries[number_] = (1, fields[1])
                elif kind == 2:
                    self.entries[number_] = (2, fields[1], fields[2])
        return head

    # ------------------------------------------------------------ objects

    def _indirect(self, pos: int) -> tuple[dict | object, bytes | None]:
        """Parsed value (and raw stream data) of the indirect object at ``pos``."""
        match = re.compile(rb"\s*\d+\s+\d+\s+obj").match(self.data, pos)
        if match is None:
            raise Unsupported(f"no object at {pos}")
        value, end = parse(self.data, match.end())
        data = self._stream_data(value, end)
        return value, data

    def _stream_data(self, value, end: int) -> bytes | None:
        match = re.compile(rb"\s*stream\r?\n").match(self.data, end)
        if match is None:
            return None
        length = value.get(Name(b"/Length")) if isinstance(value, dict) else None
        if length is None or isinstance(length, Ref):
            raise Unsupported("stream without a direct /Length")
        return self.data[match.end() : match.end() + number(length)]

    def _decoded(self, head: dict, data: bytes) -> bytes:
        filters = head.get(Name(b"/Filter"))
        if filters is None:
            return data
        if filters in (Name(b"/FlateDecode"), [Name(b"/FlateDecode")]) and (
            Name(b"/DecodeParms") not in head
        ):
            return zlib.decompress(data)
        raise Unsupported(f"filter {filters!r}")

    def _stream_objects(self, number_: int) -> tuple[bytes, list[int]]:
        if number_ not in self._objstm:
            head, data = self.value_and_data(Ref(number_, 0))
            content = self._decoded(head, data)
            first, count = number(head[Name(b"/First")]), number(head[Name(b"/N")])
            header = content[:first].split()
            offsets = [first + int(header[2 * i + 1]) for i in range(count)] + [len(content)]
            self._objstm = {number_: (content, offsets)}  # one at a time: WeasyPrint has one
        return self._objstm[number_]

    def get(self, ref: Ref) -> Object:
        """The object's bytes: its body and, for a stream, its encoded data."""
        entry = self.entries.get(ref.num)
        if entry is None:
            return Object(b"null")
        if entry[0] == 2:
            content, offsets = self._stream_objects(entry[1])
            return Object(content[offsets[entry[2]] : offsets[entry[2] + 1]].strip(_WS))
        match = re.compile(rb"\s*\d+\s+\d+\s+obj").match(self.data, entry[1])
        if match is None:
            raise Unsupported(f"no object {ref.num}")
        value, end = parse(self.data, match.end())
        body = self.data[match.end() : end].strip(_WS)
        return Object(body, self._stream_data(value, end))

    def value_and_data(self, ref: Ref):
        obj = self.get(ref)
        return parse(obj.body)[0], obj.stream

    def value(self, ref):
        """The parsed value of ``ref`` (a direct value is returned as it is); parsed once
        per file (callers that change it change it for every later caller)."""
        if not isinstance(ref, Ref):
            return ref
        if ref.num not in self._values:
            self._values[ref.num] = parse(self.get(ref).body)[0]
        return self._values[ref.num]

    def stream_bytes(self, ref: Ref) -> bytes:
        """A stream's decoded data."""
        head, data = self.value_and_data(ref)
        if data is None:
            raise Unsupported("not a stream")
        return self._decoded(head, data)

    def pages(self) -> list[tuple[Ref, dict]]:
        """(reference, dictionary) of every page in order, inherited keys filled in."""
        root = self.value(self.trailer[Name(b"/Root")])
        found: list[tuple[Ref, dict]] = []
        inheritable = (b"/Resources", b"/MediaBox", b"/CropBox", b"/Rotate")

        def walk(ref, inherited, depth):
            if depth > 32:
                raise Unsupported("page tree too deep")
            node = self.value(ref)
            kind = node.get(Name(b"/Type"))
            if kind == Name(b"/Pages") or Name(b"/Kids") in node:
                here = {**inherited, **{k: node[k] for k in node if k in inheritable}}
                for kid in self.value(node[Name(b"/Kids")]):
                    walk(kid, here, depth + 1)
            else:
                for key, value in inherited.items():
                    node.setdefault(Name(key), value)
                found.append((ref, node))

        walk(root[Name(b"/Pages")], {}, 0)
        return found
