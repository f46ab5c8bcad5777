"""The printed sheet is composed from the definition: title area, sections with their
heading's look, blocks in a print style. The built-in 様式 have no PDF template of their
own; a style or heading look that does not exist is refused with its key path and line."""

import re
from pathlib import Path

import pytest

from evalsheets.layouts import get_layout
from evalsheets.layouts.checker import BLOCK_STYLES, BLOCKS, TITLE_STYLES
from evalsheets.layouts.definition import DefinitionError, parse
from evalsheets.models import EvaluationSheet, OutcomeIndicator, OutcomeValue
from evalsheets.pdf.render import render_html

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (Path(__file__).resolve().parent / "files" / "minimal.yaml").read_text()
BUILT_IN = ("tamana_furikaeri", "isehara_hyoka", "hitoyoshi_plan")


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("key", BUILT_IN)
def test_the_built_in_layouts_print_from_their_sections(key):
    layout = get_layout(key)
    assert layout.pdf_template == "pdf/generated.html"
    assert layout.sections and layout.title_style != "default"
    assert not (ROOT / "templates" / "pdf" / f"{key}.html").exists()


def test_every_block_type_style_and_title_the_checker_allows_has_its_template():
    blocks = ROOT / "templates" / "pdf" / "blocks"
    for kind in BLOCKS:
        assert (blocks / f"{kind}.html").is_file(), kind
        for style in BLOCK_STYLES.get(kind, ()):
            assert (blocks / f"{kind}.{style}.html").is_file(), (kind, style)
    for style in TITLE_STYLES:
        assert (ROOT / "templates" / "pdf" / "title" / f"{style}.html").is_file(), style
    # …and no template of a style the checker would refuse.
    allowed = {f"{k}.{s}.html" for k, styles in BLOCK_STYLES.items() for s in styles}
    styled = {p.name for p in blocks.glob("*.*.html")}
    assert styled == allowed


def test_an_unknown_print_style_names_its_path_and_line():
    text = MINIMAL.replace("      - type: fields\n", "      - type: fields\n        style: fancy\n")
    (found,) = problems(text)
    line = text.splitlines().index("        style: fancy") + 1
    assert found.startswith(f"sections[0].blocks[0].style（{line}行目）")
    assert "ブロック fields の印刷スタイルは check_action、purpose、strategies のどれか" in found


def test_a_style_of_another_block_type_is_refused():
    text = MINIMAL.replace("    blocks: [extra]", "    blocks: [{type: extra, style: stacked}]")
    (found,) = problems(text)
    assert "sections[1].blocks[0].style" in found
    assert "ブロック extra の印刷スタイルは （なし）" in found


def test_heading_look_and_title_are_checked():
    text = MINIMAL.replace(
        "  - heading: 協働\n",
        "  - heading: 協働\n    heading_style: shouting\n    page_break: yes please\n",
    ).replace("grids:\n", "print:\n  title: fancy\ngrids:\n")
    found = problems(text)
    styles = "banner、brackets、none、plain のどれか"
    assert any(p.startswith("sections[1].heading_style（") and styles in p for p in found)
    assert any(p.startswith("sections[1].page_break（") and "true か false" in p for p in found)
    assert any(p.startswith("print.title（") and "default、departments" in p for p in found)
    assert len(found) == 3


def test_heading_look_number_and_page_break_reach_the_printed_html(world, monkeypatch):
    layout = parse(
        MINIMAL.replace(
            "  - heading: 協働\n",
            "  - heading: 協働\n    heading_style: banner\n",
        ).replace(
            "  - heading: 事業の概要\n",
            "  - heading: 事業の概要\n    number: 7\n    page_break: true\n",
        )
    )
    monkeypatch.setattr(EvaluationSheet, "layout", property(lambda sheet: layout))
    html = render_html(EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk))
    numbered = '<h2>≪事業の概要≫ <span class="no">【7】</span></h2>'
    assert f'<div class="page-break"></div>\n{numbered}' in html
    assert '<h2 style="text-align:center">■協働■</h2>' in html
    assert "<h1>テスト評価シート</h1>" in html and "事務事業コード" in html  # the default title


def test_the_grouped_viewpoints_print_the_group_number_vertically(world):
    sheet = EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk)
    assert sheet.layout.key == "tamana_furikaeri"
    html = render_html(sheet)
    assert '妥当性︵必要性︶<br><span class="no">【20】</span>' in html
    assert '公平性<br><span class="no">【23】</span>' in html


COLUMNS = """
  - heading: 指標
    blocks:
      - type: outcome_indicators
        columns: [target, actual, {kind: achievement, label: 達成度}, unit_cost]
"""


def test_an_indicator_tables_columns_are_declared(world, monkeypatch, client):
    layout = parse(MINIMAL + COLUMNS)
    assert layout.sections[2]["blocks"][0]["columns"] == (
        ("target", "目標"),
        ("actual", "実績"),
        ("achievement", "達成度"),
        ("unit_cost", "単位コスト(円)"),
    )
    monkeypatch.setattr(EvaluationSheet, "layout", property(lambda sheet: layout))
    sheet = EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk)
    indicator = OutcomeIndicator.objects.create(sheet=sheet, name="相談件数", unit="件")
    OutcomeValue.objects.create(indicator=indicator, fiscal_year=2022, target=40, actual=30)
    OutcomeValue.objects.create(indicator=indicator, fiscal_year=2023, target=50, target_na=False)
    html = render_html(EvaluationSheet.objects.get(pk=sheet.pk))
    table = html.split("相談件数")[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', table)
    # 令和4年度's トータルコスト (the world's 事業費 and 人件費) ÷ 30 件, in 円.
    total = next(c for c in sheet.cost_columns() if c.fiscal_year == 2022).total
    assert total > 0
    unit = f"{round(total * 1000 / 30):,}"
    assert cells == ["40", "30", "75", unit, "50", "", "", ""]
    assert '<th class="col" colspan="4">令和4年度</th>' in html
    assert '<th class="col">達成度</th>' in html
    client.force_login(world["users"]["staff_a"])
    page = client.get(f"/sheets/{sheet.pk}/").content.decode()
    assert '<th scope="colgroup" colspan="4">令和4年度</th>' in page and ">75</td>" in page
    assert f"<td>{unit}</td>" in page


def test_indicator_columns_are_checked():
    text = MINIMAL + COLUMNS.replace("target, actual", "target, budget").replace(
        "type: outcome_indicators", "type: outcome_indicators\n        label: 指標"
    )
    found = problems(text)
    assert any(
        "sections[2].blocks[0].columns[1].kind" in p and "target、actual" in p for p in found
    )
    wrong_block = MINIMAL.replace(
        "    blocks: [extra]", "    blocks: [{type: costs, columns: [target]}]"
    )
    (message,) = problems(wrong_block)
    assert "sections[1].blocks[0].columns" in message and "outcome_indicators と" in message


def test_header_fields_label_width_and_font_size(world, monkeypatch, client):
    text = MINIMAL.replace(
        "grids:\n",
        "print:\n  header_fields: [npo, content, background]\n  label_width: 55\n"
        "  font_size: 8.5\ngrids:\n",
    )
    layout = parse(text)
    assert layout.header_fields == ("npo", "content", "background")
    assert (layout.label_width, layout.font_size) == (55, "8.5")
    monkeypatch.setattr(EvaluationSheet, "layout", property(lambda sheet: layout))
    sheet = EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk)
    sheet.content, sheet.background = "内容を書いた", "背景を書いた"
    sheet.extra = {"npo": True}
    sheet.save()
    html = render_html(EvaluationSheet.objects.get(pk=sheet.pk))
    head = html.split('<table class="head frame">')[1].split("</table>")[0]
    assert "<th>NPO協働</th><td>■ 可　□ 否</td><th>事業の内容</th><td>内容を書いた</td>" in head
    assert '<th>実施の背景</th><td colspan="3">背景を書いた</td>' in head
    assert 'style="font-size:8.5pt"' in html and '<col style="width:55mm">' in html
    client.force_login(world["users"]["staff_a"])
    page = client.get(f"/sheets/{sheet.pk}/").content.decode()
    assert '<table class="grid header-fields">' in page and "内容を書いた" in page


def test_print_settings_are_checked():
    text = MINIMAL.replace(
        "grids:\n",
        "print:\n  header_fields: [npo, budget_note]\n  label_width: 200\n"
        "  font_size: big\ngrids:\n",
    )
    found = problems(text)
    assert any(p.startswith("print.header_fields[1]（") and "budget_note" in p for p in found)
    assert any(p.startswith("print.label_width（") and "20から80" in p for p in found)
    assert any(p.startswith("print.font_size（") and "6から11" in p for p in found)
