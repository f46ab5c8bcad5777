"""The booklet is made of the stored PDFs: each demo sheet's pages in the booklet look
exactly as in its stored PDF (page images by pdftoppm), give the same text (pdftotext),
and the booklet embeds one subset per IPAex face (evalsheets.pdf.fontmerge)."""

import hashlib
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pypdf
import pytest

from evalsheets.exports.booklet import write_booklet
from evalsheets.exports.selection import plan_groups
from evalsheets.models import EvaluationSheet
from evalsheets.pdf import fontmerge
from evalsheets.pdf.join import StreamingPdfWriter
from evalsheets.pdf.storage import ensure_pdf
from tests.support.exports import embedded_font_files

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_images(path: Path, first: int, last: int, out: Path) -> list[str]:
    """SHA-256 of the pixels of pages first..last (1-based) at 100 dpi."""
    out.mkdir(parents=True, exist_ok=True)
    prefix = out / "p"
    subprocess.run(
        ["pdftoppm", "-r", "100", "-f", str(first), "-l", str(last), str(path), str(prefix)],
        check=True,
    )
    images = sorted(out.glob("p-*.ppm"))
    digests = [hashlib.sha256(image.read_bytes()).hexdigest() for image in images]
    shutil.rmtree(out)
    return digests


def page_text(path: Path, page: int) -> str:
    result = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def test_every_demo_sheet_in_the_booklet_is_its_stored_pdf(demo_data, tmp_path):
    booklets = 0
    for town, year in (
        EvaluationSheet.objects.values_list("project__municipality__code", "fiscal_year")
        .distinct()
        .order_by()
    ):
        sheets = EvaluationSheet.objects.filter(project__municipality__code=town, fiscal_year=year)
        groups = plan_groups(sheets)
        target = tmp_path / f"booklet-{town}-{year}.pdf"
        write_booklet("冊子", groups, target)
        booklets += 1
        data = target.read_bytes()
        # One font program per IPAex face, nothing else embedded.
        programs = Counter(name.split("-")[0] for name in embedded_font_files(data))
        assert set(programs) <= {"IPAexGothic", "IPAexMincho"}, programs
        assert set(programs.values()) == {1}, programs
        for group in groups:
            for entry in group.entries:
                # Its stored PDF: frozen when published, the current one of a draft.
                stored = ensure_pdf(EvaluationSheet.objects.get(pk=entry.sheet_id))
                own = tmp_path / "own.pdf"
                own.write_bytes(stored.file.read())
                first, last = entry.first_page, entry.first_page + entry.pages - 1
                assert entry.pages == stored.pages
                mine = page_images(target, first, last, tmp_path / "a")
                theirs = page_images(own, 1, stored.pages, tmp_path / "b")
                assert mine == theirs, (town, entry.code)
                for k in range(entry.pages):
                    assert page_text(target, first + k) == page_text(own, k + 1), entry.code
    assert booklets >= 3


def test_a_font_that_is_not_the_reference_keeps_its_own_subset(demo_data, tmp_path, monkeypatch):
    """A stored PDF whose glyphs differ from the font in static/fonts (made with another
    font file) is copied with its own subset: correct, only larger."""
    sheet = EvaluationSheet.objects.get(project__code="741-2")

    data = ensure_pdf(sheet).file.read()
    target = tmp_path / "joined.pdf"
    monkeypatch.setattr(fontmerge, "same_glyphs", lambda family, program, used: False)
    writer = StreamingPdfWriter(target, merge_fonts=True)
    kids = writer.add_pdf(data) + writer.add_pdf(data)
    writer.finish(kids, [], "t", "ja")
    assert writer.fonts.copied == 6 and writer.fonts.merged == 0
    assert len(embedded_font_files(target.read_bytes())) == 6
    own = tmp_path / "own.pdf"
    own.write_bytes(data)
    assert page_images(target, 3, 4, tmp_path / "a") == page_images(own, 1, 2, tmp_path / "b")
    assert len(pypdf.PdfReader(target).pages) == 4
