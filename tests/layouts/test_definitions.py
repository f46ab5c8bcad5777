"""様式 definition files: each mistake is refused with its key path and line, in Japanese,
and nothing is installed; a layout in use cannot lose a field that holds data; a new
version applies from the fiscal year after the latest sheet."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evalsheets.layouts import get_layout
from evalsheets.layouts.definition import DefinitionError, parse, parse_file
from evalsheets.models import EvaluationSheet, SheetLayoutDefinition
from evalsheets.models.definitions import DefinitionRefused, install_definition

FILES = Path(__file__).resolve().parent / "files"
MINIMAL = (FILES / "minimal.yaml").read_text()


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def test_a_valid_definition_reads_into_a_layout():
    layout = parse(MINIMAL)
    assert layout.key == "test_minimal"
    assert layout.fields == ("background", "content", "npo")
    assert layout.label("content", "") == "事業の内容"
    assert layout.extra_field("npo").kind == "yes_no"
    assert layout.new_cost_columns(2025) == [("settled", 2024), ("budget", 2025)]
    assert [s["heading"] for s in layout.sections] == ["事業の概要", "協働"]


@pytest.mark.parametrize(
    "path",
    sorted(
        (Path(__file__).resolve().parents[2] / "evalsheets" / "layouts" / "definitions").glob(
            "*.yaml"
        )
    ),
)
def test_the_built_in_definitions_check(path):
    out = StringIO()
    call_command("check_sheet_form", str(path), stdout=out)
    assert "正しく書けています" in out.getvalue()


def test_an_unknown_key_names_its_path_and_line():
    text = MINIMAL.replace("grids:\n", "colour: red\ngrids:\n")
    (found,) = problems(text)
    assert found.startswith("colour（")
    line = text.splitlines().index("colour: red") + 1
    assert f"（{line}行目）" in found
    assert "知らないキーです" in found


def test_an_unknown_key_inside_a_section():
    text = MINIMAL.replace("    blocks: [extra]", "    blocks: [extra]\n    colums: 3")
    assert any(p.startswith("sections[1].colums（") and "知らないキー" in p for p in problems(text))


def test_a_section_naming_a_field_that_does_not_exist():
    text = MINIMAL.replace("fields: [background, content]", "fields: [background, budget_note]")
    assert any(
        "sections[0].blocks[0].fields[1]" in p
        and "「budget_note」は fields にも extra_fields にもない" in p
        for p in problems(text)
    )


def test_a_field_listed_that_the_model_does_not_have():
    text = MINIMAL.replace("  - background\n", "  - backgrond\n", 1)
    assert any(
        "fields[0].name" in p and "「backgrond」という項目はありません" in p for p in problems(text)
    )


def test_two_fields_with_one_name():
    text = MINIMAL.replace("  - npo\nextra_fields:", "  - npo\n  - background\nextra_fields:")
    assert any("fields[3].name" in p and "「background」が2回あります" in p for p in problems(text))
    text = MINIMAL.replace(
        "    type: yes_no\n", "    type: yes_no\n  - name: npo\n    label: 再掲\n    type: text\n"
    )
    assert any("extra_fields[1].name" in p and "すでにあります" in p for p in problems(text))


def test_an_empty_choice_list():
    text = MINIMAL.replace("    type: yes_no\n", "    type: choice\n    choices: []\n")
    assert any("extra_fields[0].choices" in p and "空のリスト" in p for p in problems(text))


def test_a_label_over_the_print_width():
    long = "とても長い見出し" * 6
    text = MINIMAL.replace("label: 事業の内容", f"label: {long}")
    assert any(
        "fields[1].label" in p and f"{len(long)}文字あり、印刷幅（40文字）を超えます" in p
        for p in problems(text)
    )


def test_a_yaml_bomb_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("bcdefgh", "cdefghi", strict=True)
    )
    (found,) = problems(bomb)
    assert "アンカー・エイリアス" in found and "（1行目）" in found


def test_a_file_over_one_megabyte_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(MINIMAL + "#" + "x" * 1_000_000)
    with pytest.raises(DefinitionError, match="ファイルが大きすぎます"):
        parse_file(big)
    with pytest.raises(CommandError, match="1件の誤り"):
        call_command("check_sheet_form", str(big), stdout=StringIO(), stderr=StringIO())


def test_not_yaml_at_all():
    (found,) = problems("key: [unclosed\n")
    assert "YAMLとして読めません" in found


@pytest.mark.django_db
def test_install_then_look_up_and_the_same_file_again_changes_nothing():
    row, created = install_definition(MINIMAL)
    assert created and row.valid_from is None
    assert get_layout("test_minimal").title == "テスト評価シート"
    again, created = install_definition(MINIMAL)
    assert not created and again.pk == row.pk
    assert SheetLayoutDefinition.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_file_installs_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("grids:\n", "colour: red\ngrids:\n"))
    err = StringIO()
    with pytest.raises(CommandError, match="何も登録していません"):
        call_command("load_sheet_form", str(bad), stdout=StringIO(), stderr=err)
    assert "colour" in err.getvalue()
    assert not SheetLayoutDefinition.objects.exists()


@pytest.mark.django_db
def test_a_layout_in_use_cannot_lose_a_field_that_holds_data(world):
    sheet = world["sheets"]["a"]
    sheet.background = "背景を書いた"
    sheet.save()
    tamana = (
        Path(__file__).resolve().parents[2] / "evalsheets/layouts/definitions/tamana_furikaeri.yaml"
    ).read_text()
    dropped = (
        tamana.replace("version: 1", "version: 2")
        .replace("- name: background\n  label: 事務事業の実施背景\n", "")
        .replace("fields: [background, target, intent]", "fields: [target, intent]")
    )
    with pytest.raises(DefinitionRefused, match=r"事務事業の実施背景（1件）"):
        install_definition(dropped)
    assert not SheetLayoutDefinition.objects.exists()
    # Labels may change: the new version applies from the year after the latest sheet.
    relabelled = tamana.replace("version: 1", "version: 2").replace(
        "label: 事務事業の実施背景", "label: 実施の背景"
    )
    row, created = install_definition(relabelled)
    assert created and row.valid_from == sheet.fiscal_year + 1
    sheet = EvaluationSheet.objects.get(pk=sheet.pk)
    assert sheet.layout.label("background", "") == "事務事業の実施背景"  # its own year: version 1
    assert (
        get_layout("tamana_furikaeri", sheet.fiscal_year + 1).label("background", "")
        == "実施の背景"
    )
    with pytest.raises(DefinitionRefused, match="version を3以上"):
        install_definition(relabelled.replace("実施の背景", "背景"))


def test_the_documented_example_is_a_valid_definition():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "sheet-forms.md").read_text()
    example = doc.split("## A complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    layout = parse(example)
    assert layout.key == "maru_city_hyoka"
    assert layout.direction_label("improve") == "２　改革改善（縮小・統合含む）"
    assert layout.extra_field("work_hours").year_offsets == (-2, -1, 0)
    assert layout.page_breaks == (3,)
    assert layout.field_numbers == {"content": "10"}


@pytest.mark.django_db
def test_the_database_refuses_a_definition_over_one_megabyte_whatever_writes_it():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SheetLayoutDefinition.objects.create(
            key="big", version=1, source="#" * 1_000_001, sha256="0" * 64
        )


@pytest.mark.django_db
def test_an_installed_layout_generates_the_page_and_the_pdf(client, world):
    """A municipality switched to an installed definition: its sheet page and PDF come from
    the definition's sections, with its own field and the field number 【10】."""
    from evalsheets.pdf.render import render_html

    text = MINIMAL.replace(
        "  - name: content\n    label: 事業の内容\n",
        '  - name: content\n    label: 事業の内容\n    number: "10"\n',
    )
    install_definition(text)
    sheet = world["sheets"]["a"]
    town = sheet.project.municipality
    town.sheet_layout = "test_minimal"
    town.save()
    sheet = EvaluationSheet.objects.get(pk=sheet.pk)
    sheet.content = "内容の本文"
    sheet.extra = {"npo": True}
    sheet.save()
    html = render_html(EvaluationSheet.objects.with_children().get(pk=sheet.pk))
    assert "≪事業の概要≫" in html and "【10】" in html and "内容の本文" in html
    assert "■ 可" in html and "□ 否" in html  # NPO協働, the definition's own yes/no field
    client.force_login(world["users"]["planning"])
    page = client.get(f"/sheets/{sheet.pk}/").content.decode()
    assert "テスト評価シート" in page and "【10】" in page and "NPO協働" in page
