"""The seeds, printed: labels, figures, 和暦 headings and ■/□ are in the PDF text,
with IPAex as the only font and no glyph outside it."""

import pytest

from evalsheets.models import EvaluationSheet
from tests.support.pdf import embedded_fonts, flat, missing_glyphs, only_ipaex, pdf_text, render_pdf


def sheet(code) -> EvaluationSheet:
    return EvaluationSheet.objects.get(project__code=code)


@pytest.fixture
def tamana_pdf(demo_data):
    rendered = render_pdf(sheet("741-2"))
    return rendered, pdf_text(rendered.pdf)


def test_tamana_741_2_labels_and_figures(tamana_pdf):
    rendered, text = tamana_pdf
    assert rendered.pages == 2
    compact = flat(text)
    for figure in ("4,385", "5,804", "2,826", "2,886", "4,185", "4,978", "2,471", "2,453"):
        assert figure in text, figure
    for figure in ("5,476", "5,223", "5,429", "5,451", "1,950", "1,632", "1,382", "1,291"):
        assert figure in text, figure
    for label in (
        "事務ふりかえりシート",
        "令和05年度(令和04年度実績)",
        "R02年度決算",
        "R05年度予算",
        "全体計画",
        "R05計画",
        "R04実績",
        "特別交付税措置率",
        "特別交付税措置額÷措置上限額",
        "定住自立圏構想推進要綱",
        "石貫誠哉",
        "德永信太",
        "H28年度から",
        "【1】",
        "【17】",
        "【20-1】",
        "【22-4】",
        "【26】",
        "≪事務事業実施に係るコスト≫",
        "■評価責任者記入欄■",
    ):
        assert flat(label) in compact, label
    # chosen = ■, the others □
    assert "■ソフト事業" in compact and "□義務的事業" in compact
    assert "■現状のまま継続" in compact and "□拡充して継続" in compact
    assert "■市が実施すべき" in compact and "□市が実施する必要はない" in compact
    assert "■影響あり" in compact and "□影響なし" in compact
    assert "■単年度繰返し" in compact
    # page footer: code and n / m
    assert "事業コード741-2" in compact
    assert "1/2" in compact and "2/2" in compact
    # a published sheet carries no 下書き watermark
    assert "下書き" not in text


def test_sections_in_the_papers_order(tamana_pdf):
    _rendered, text = tamana_pdf
    order = [
        "≪基本情報≫",
        "≪事務事業の目的≫",
        "≪事務事業の概要≫",
        "≪事務事業実施に係るコスト≫",
        "≪事務事業の手段と活動指標≫",
        "≪事務事業の成果≫",
        "≪事務事業の評価≫",
        "≪前回からのふりかえり結果と今後の方向性≫",
        "■評価責任者記入欄■",
    ]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions)


def test_only_ipaex_fonts_and_no_fallback_glyph(tamana_pdf):
    rendered, text = tamana_pdf
    fonts = embedded_fonts(rendered.pdf)
    assert only_ipaex(fonts), fonts
    assert missing_glyphs(text) == set()


def test_tamana_741_3_not_applicable_is_printed_as_stars(demo_data):
    text = pdf_text(render_pdf(sheet("741-3")).pdf)
    assert "***" in text
    for figure in ("1,629", "1,635", "1,988", "1,735", "359"):
        assert figure in text, figure
    assert "連携中枢都市圏構想推進要綱" in text


def test_isehara_40_106(demo_data):
    rendered = render_pdf(sheet("40-106"))
    text = pdf_text(rendered.pdf)
    compact = flat(text)
    assert rendered.pages == 2
    for figure in ("818", "857", "101,381", "101,119"):
        assert figure in text, figure
    assert "8円" in compact
    for label in (
        "事務事業評価シート",
        "計画(Plan)",
        "事業実施(Do)",
        "評価(Check)",
        "取組内容の改善(Action)",
        "令和3年度実績",
        "令和4年度実績",
        "昭和44年度",
        "トータルコスト(a)+(b)",
        "総事業費／対象数",
        "■自治事務",
        "□法定受託事務",
        "■すべて直接実施",
        "■計画どおり(A)",
        "■他市と同水準で実施(B)",
        "■無",
        "中栄信用金庫",
        "山室好正",
        "瀬尾哲也",
    ):
        assert flat(label) in compact, label
    assert only_ipaex(embedded_fonts(rendered.pdf))
    assert missing_glyphs(text) == set()


def test_hitoyoshi_6_1_1(demo_data):
    text = pdf_text(render_pdf(sheet("6-1-1")).pdf)
    compact = flat(text)
    for figure in ("2,518", "8,621", "2,068", "6,371", "2,250", "9,798", "7,503", "2,295"):
        assert figure in text, figure
    for label in (
        "総合計画事務事業シート",
        "戦略6",
        "(1)移住定住の促進",
        "移住相談事業",
        "令和5年度決算額",
        "令和6年度予算額",
        "令和7年度予算額",
        "■現状維持",
        "80件",
        "47件",
        "65件",
        "地方移住の推進",
        "該当なし",
    ):
        assert flat(label) in compact, label


def test_every_hitoyoshi_sheet_prints_its_figures(demo_data):
    sheets = EvaluationSheet.objects.filter(project__municipality__code="432032")
    assert sheets.count() == 19
    for one in sheets:
        rendered = render_pdf(one)
        text = pdf_text(rendered.pdf)
        for column in one.cost_columns():
            assert f"{column.project_cost:,}" in text, (one.project.code, column)
            assert f"{column.row.general_revenue:,}" in text, (one.project.code, column)
        assert flat(one.project.name) in flat(text)
        assert missing_glyphs(text) == set(), one.project.code
        assert only_ipaex(embedded_fonts(rendered.pdf))
