"""Helpers of the bulk export tests: read ZIPs and booklets, count embedded fonts."""

import io
import re
import subprocess
import zipfile

import pypdf


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def printed_number(text: str) -> str:
    """The last line of a page's text: where the booklet prints its page number."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1].split()[-1] if lines else ""


def _fonts(resources, found):
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        descendants = font.get("/DescendantFonts")
        for candidate in [font, *(d.get_object() for d in (descendants or []))]:
            descriptor = candidate.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    ref = descriptor.raw_get(key)
                    name = str(candidate["/BaseFont"]).split("+", 1)[-1]
                    found[ref.idnum] = name
    for xobject in (resources.get("/XObject") or {}).values():
        _fonts(xobject.get_object().get("/Resources"), found)


def embedded_font_files(data: bytes) -> list[str]:
    """One entry (the font's name) per embedded font program in the whole file."""
    found: dict[int, str] = {}
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        _fonts(page.get("/Resources"), found)
    return sorted(found.values())


def poppler_texts(data: bytes) -> list[str]:
    """Each page's text by pdftotext, in reading order (the booklet draws the page
    numbers of its front matter after the rest of the page: pypdf lists them last)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode().split("\f")[:-1]
