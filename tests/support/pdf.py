"""Helpers for the PDF tests: text, fonts and glyphs of a rendered PDF."""

import io
import re
from dataclasses import dataclass, field
from functools import cache

import pypdf
from fontTools.ttLib import TTFont

from evalsheets.pdf.render import (
    PDF_STATIC_ROOT,
    StaticOnlyFetcher,
    content_hash,
    layout_pdf,
    render_html,
)

FONT_FILES = (PDF_STATIC_ROOT / "fonts" / "ipaexg.ttf", PDF_STATIC_ROOT / "fonts" / "ipaexm.ttf")


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(data).pages)


def flat(text: str) -> str:
    """Text without any whitespace: long cells wrap at arbitrary places."""
    return re.sub(r"\s+", "", text)


def _fonts_of(resources, seen):
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        seen.add(str(font["/BaseFont"]))
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        _fonts_of(xobject.get("/Resources"), seen)


def embedded_fonts(data: bytes) -> set[str]:
    """BaseFont names of every font in the page resources (subset prefix removed)."""
    seen: set[str] = set()
    for page in reader(data).pages:
        _fonts_of(page.get("/Resources"), seen)
    return {name.lstrip("/").split("+", 1)[-1] for name in seen}


@cache
def ipaex_codepoints() -> frozenset[int]:
    points: set[int] = set()
    for path in FONT_FILES:
        font = TTFont(str(path), lazy=True)
        points.update(font.getBestCmap())
        font.close()
    return frozenset(points)


def missing_glyphs(text: str) -> set[str]:
    known = ipaex_codepoints()
    return {ch for ch in text if not ch.isspace() and ord(ch) not in known}


IPAEX_FAMILIES = {"IPAexGothic", "IPAexMincho"}


def only_ipaex(fonts: set[str]) -> bool:
    """Every font is IPAex ("-Bold" is Pango's synthetic bold of the same file)."""
    return bool(fonts) and {name.split("-", 1)[0] for name in fonts} <= IPAEX_FAMILIES


@dataclass
class Rendered:
    """One sheet laid out without being stored: its HTML, hash, PDF bytes and the URLs
    WeasyPrint tried to open."""

    html: str
    content_hash: str
    pdf: bytes = b""
    pages: int = 0
    fetcher: StaticOnlyFetcher = field(default_factory=StaticOnlyFetcher)


def render_pdf(sheet, *, seconds: float | None = None) -> Rendered:
    """The sheet's PDF laid out now through the production path (``render_html`` and
    ``layout_pdf``), stored nowhere."""
    html = render_html(sheet)
    result = Rendered(html=html, content_hash=content_hash(html))
    result.pdf, result.pages = layout_pdf(html, fetcher=result.fetcher, seconds=seconds)
    return result
