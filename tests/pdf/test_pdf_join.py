"""The streaming PDF join of the booklets (evalsheets.pdf.join)."""

import io
import subprocess

import pypdf
import pytest
from pypdf.generic import NameObject

from evalsheets.pdf import render as pdf
from evalsheets.pdf.join import OutlineItem, StreamingPdfWriter


def weasy(path, *pages: str):
    """A PDF written by WeasyPrint with one page per text."""
    body = "".join(f'<p style="break-before: page">{text}</p>' for text in pages)
    pdf.document_from_html(f'<html lang="ja"><body>{body}</body></html>').write_pdf(path)
    return path


def stamp(label):
    return lambda index, page: f"BT /EvsPageNo 9 Tf 20 20 Td ({label}{index}) Tj ET\n".encode()


def strict_reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data), strict=True)


def test_pages_of_several_files_in_any_order_with_stamps_and_outline(tmp_path):
    first = weasy(tmp_path / "a.pdf", "甲の一", "甲の二")
    second = weasy(tmp_path / "b.pdf", "乙の一")
    target = tmp_path / "out.pdf"
    writer = StreamingPdfWriter(target)
    a = writer.add_pages(first, stamp("A"))
    b = writer.add_pages(second, stamp("B"))
    order = [b[0], a[1], a[0]]
    outline = [OutlineItem("冊子", 0, [OutlineItem("乙", 0), OutlineItem("甲", 1)])]
    writer.finish(order, outline, "テスト冊子", lang="ja")

    data = target.read_bytes()
    reader = strict_reader(data)  # a wrong offset in the xref table raises here
    texts = [page.extract_text() for page in reader.pages]
    assert ["乙の一" in texts[0], "甲の二" in texts[1], "甲の一" in texts[2]] == [True] * 3
    assert ["B0" in texts[0], "A1" in texts[1], "A0" in texts[2]] == [True] * 3
    top, (second_item, first_item) = reader.outline[0], reader.outline[1]
    assert top.title == "冊子" and [second_item.title, first_item.title] == ["乙", "甲"]
    assert [reader.get_destination_page_number(d) for d in (top, second_item, first_item)] == [
        0,
        0,
        1,
    ]
    assert reader.metadata.title == "テスト冊子"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ja" and root["/PageMode"] == "/UseOutlines"
    # Poppler reads it without repairing anything, and finds the fonts of both files.
    checked = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stderr == ""
    assert "甲の一" in checked.stdout and "乙の一" in checked.stdout
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True).stdout
    assert "IPAexGothic" in fonts and "Helvetica" in fonts


def test_each_file_is_copied_once_and_objects_only_once(tmp_path):
    """Shared objects (a chunk's fonts and resources) are written once per file."""
    source = weasy(tmp_path / "a.pdf", "一", "二", "三")
    target = tmp_path / "out.pdf"
    writer = StreamingPdfWriter(target)
    numbers = writer.add_pages(source)
    writer.finish(numbers, [], "t", lang="ja")
    reader = strict_reader(target.read_bytes())
    assert len(reader.pages) == 3
    resources = {id(page["/Resources"].get_object()) for page in reader.pages}
    assert len(resources) == 1  # still shared, not one copy per page
    programs = [
        font["/FontDescriptor"]["/FontFile2"].indirect_reference.idnum
        for page in reader.pages
        for font in (
            f.get_object()["/DescendantFonts"][0].get_object()
            for f in page["/Resources"]["/Font"].values()
        )
    ]
    assert len(set(programs)) == 1


def test_attributes_inherited_from_the_page_tree_are_kept(tmp_path):
    """A page that takes its MediaBox and Resources from its /Pages node keeps them."""
    source = pypdf.PdfWriter(clone_from=str(weasy(tmp_path / "a.pdf", "継承")))
    page = source.pages[0]
    tree = page["/Parent"].get_object()
    tree[NameObject("/MediaBox")] = page["/MediaBox"]
    tree[NameObject("/Resources")] = page["/Resources"]
    del page["/MediaBox"], page["/Resources"]
    inherited = tmp_path / "inherited.pdf"
    source.write(inherited)
    assert inherited.read_bytes().count(b"/MediaBox") == 1  # on the /Pages node only

    target = tmp_path / "out.pdf"
    writer = StreamingPdfWriter(target)
    numbers = writer.add_pages(inherited, stamp("P"))
    writer.finish(numbers, [], "t", lang="ja")
    out = strict_reader(target.read_bytes()).pages[0]
    assert [round(float(v)) for v in out["/MediaBox"]] == [0, 0, 595, 842]
    assert "/EvsPageNo" in out["/Resources"]["/Font"]
    assert "継承" in out.extract_text() and "P0" in out.extract_text()


def test_encrypted_input_is_refused(tmp_path):
    locked = pypdf.PdfWriter(clone_from=str(weasy(tmp_path / "a.pdf", "秘")))
    locked.encrypt("secret")
    path = tmp_path / "locked.pdf"
    locked.write(path)
    writer = StreamingPdfWriter(tmp_path / "out.pdf")
    with pytest.raises(ValueError, match="encrypted"):
        writer.add_pages(path)
    writer.close()
