"""The registry of 様式: every layout a municipality can choose is registered once, and
an unknown one is an error, never another city's sheet."""

import pytest

from core.choices import SheetLayoutKey
from evalsheets.layouts import SheetLayout, UnknownLayout, all_layouts, built_in_layouts, get_layout
from evalsheets.models import EvaluationSheet


def test_every_built_in_layout_is_a_definition_file_and_a_choice():
    assert set(built_in_layouts()) == set(SheetLayoutKey.values)
    for key, layout in all_layouts().items():
        assert isinstance(layout, SheetLayout)
        assert layout.key == key
        assert get_layout(key) is layout


def test_a_layout_cannot_be_changed_once_made():
    layout = get_layout(SheetLayoutKey.TAMANA)
    with pytest.raises(AttributeError):
        layout.title = "別の様式"
    with pytest.raises(TypeError):
        layout.labels["background"] = "書き換え"


def test_an_unknown_layout_is_an_error_with_a_japanese_message():
    with pytest.raises(UnknownLayout, match="評価シート様式「nagoya_2030」は登録されていません"):
        get_layout("nagoya_2030")


@pytest.mark.django_db
def test_a_sheet_of_a_municipality_without_a_layout_is_not_shown_as_tamana(world):
    sheet = world["sheets"]["a"]
    town = sheet.project.municipality
    town.sheet_layout = ""
    town.save()
    sheet = EvaluationSheet.objects.select_related("project__municipality").get(pk=sheet.pk)
    with pytest.raises(UnknownLayout):
        sheet.layout  # noqa: B018


@pytest.mark.parametrize(
    ("key", "fiscal_year", "columns", "heading"),
    [
        (
            SheetLayoutKey.TAMANA,
            2023,
            [
                ("settled", 2020),
                ("settled", 2021),
                ("settled", 2022),
                ("budget", 2023),
                ("overall", None),
            ],
            "R04年度決算",
        ),
        (SheetLayoutKey.ISEHARA, 2023, [("settled", 2021), ("settled", 2022)], "令和4年度 実績"),
        (
            SheetLayoutKey.HITOYOSHI,
            2024,
            [("settled", 2023), ("budget", 2024), ("plan", 2025), ("plan", 2026), ("plan", 2027)],
            "令和5年度 決算額",
        ),
    ],
)
def test_cost_columns_and_headings_follow_the_paper(key, fiscal_year, columns, heading):
    layout = get_layout(key)
    assert layout.new_cost_columns(fiscal_year) == columns
    assert layout.column_label("settled", fiscal_year - 1) == heading
    assert layout.column_label("overall", None) == "全体計画"
