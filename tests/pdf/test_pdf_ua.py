"""The lean user-agent stylesheet (evalsheets.pdf.ua) prints exactly what WeasyPrint's
own does: the same pages, drawn by the same content streams, byte for byte."""

import pytest
from weasyprint import HTML
from weasyprint.html import UA, UA_STYLESHEET

from core.choices import SheetState
from evalsheets.models import EvaluationSheet
from evalsheets.pdf import render as pdf
from evalsheets.pdf import ua as pdf_ua
from evalsheets.pdf.ua import LEAN_UA_STYLESHEET, SheetHTML, lean_ua_text
from tests.support.pdf import reader


def stock_pdf(html: str, stylesheets=()) -> bytes:
    font_config, css = pdf._resources()
    document = HTML(
        string=html, base_url=pdf._base_url(), url_fetcher=pdf.StaticOnlyFetcher()
    ).render(font_config=font_config, stylesheets=[css, *stylesheets])
    return document.write_pdf()


def lean_pdf(html: str, stylesheets=()) -> bytes:
    return pdf.document_from_html(html, stylesheets=stylesheets).write_pdf()


def page_contents(data: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in reader(data).pages]


def outline_titles(data: bytes) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader(data).outline))


def assert_same_print(html: str, stylesheets=()):
    stock, lean = stock_pdf(html, stylesheets), lean_pdf(html, stylesheets)
    stock_pages = page_contents(stock)
    assert stock_pages, "nothing printed"
    assert page_contents(lean) == stock_pages
    assert outline_titles(lean) == outline_titles(stock)
    assert len(lean) == len(stock)


def test_lean_stylesheet_drops_only_the_rules_for_every_element():
    text = lean_ua_text()
    assert text is not None
    assert pdf.document_from_html.__globals__["SheetHTML"] is SheetHTML
    assert SheetHTML(string="<p>x</p>")._ua_stylesheets() == [LEAN_UA_STYLESHEET]
    assert LEAN_UA_STYLESHEET is not UA_STYLESHEET
    removed = set(UA.splitlines()) - set(text.splitlines())
    assert {line.split(" {")[0] for line in removed} == {
        "::marker",
        "::footnote-call",
        "::footnote-marker",
        "::note-call",
        "::note-marker",
        "::note-callback",
    }
    assert "li::marker {" in text
    # Fewer rules for every element: the cascade's universal bucket shrinks.
    assert len(LEAN_UA_STYLESHEET.matcher.other_selectors) < len(
        UA_STYLESHEET.matcher.other_selectors
    )


def test_an_unknown_stylesheet_is_left_alone(monkeypatch, caplog):
    assert lean_ua_text("html { display: block }\n::marker { color: red }") is None
    assert lean_ua_text(UA.replace("::note-callback", "::note-back")) is None
    # A WeasyPrint whose stylesheet changed: its own is used, with a warning.
    monkeypatch.setattr(pdf_ua, "lean_ua_text", lambda: None)
    with caplog.at_level("WARNING", logger="evalsheets.pdf.ua"):
        assert pdf_ua._lean_ua_stylesheet() is UA_STYLESHEET
    assert "user-agent stylesheet changed" in caplog.text


@pytest.mark.parametrize("code", ["741-2", "40-106", "6-2-1"])
def test_seed_sheets_print_the_same(demo_data, code):
    """One sheet of each form; 40-106 and 6-2-1 have bulleted lists (::marker)."""
    sheet = pdf.load_sheet(EvaluationSheet.objects.get(project__code=code).pk)
    assert_same_print(pdf.render_html(sheet))


def test_draft_watermark_prints_the_same(demo_data):
    sheet = pdf.load_sheet(EvaluationSheet.objects.get(project__code="741-3").pk)
    sheet.state = SheetState.DRAFT
    html = pdf.render_html(sheet)
    assert "watermark" in html
    assert_same_print(html)
