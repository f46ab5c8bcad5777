"""前年度との比較: field by field, changes marked, permissions as for the sheet."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.choices import CostKind, Direction
from evalsheets.models import CostRow, EvaluationSheet, StaffEffort
from evalsheets.sheets.diff import compare, text_segments
from evalsheets.sheets.display import load_sheet_for_display
from evalsheets.workflow.years import open_fiscal_year
from municipalities.models import Municipality
from tests.conftest import publish


def test_text_segments_mark_insertions_and_deletions():
    assert text_segments("連携を推進する。", "連携を強く推進する。") == [
        ("equal", "連携を"),
        ("ins", "強く"),
        ("equal", "推進する。"),
    ]
    assert text_segments("拡充", "縮小") == [("del", "拡充"), ("ins", "縮小")]
    assert text_segments("同じ", "同じ") == [("equal", "同じ")]
    assert text_segments("", "") == []


def test_long_texts_are_compared_by_line():
    old = "\n".join(f"行{i}" for i in range(6000))
    new = old.replace("行42\n", "行42を変更\n")
    segments = text_segments(old, new)
    assert ("del", "行42\n") in segments and ("ins", "行42を変更\n") in segments


@pytest.fixture
def two_years(world):
    """741-2 in 2023 and a 2024 copy edited by the 担当者."""
    old = world["sheets"]["a"]
    old.direction = Direction.MAINTAIN
    old.improvement = "分科会の進捗管理を行う。"
    old.intent = "連携体制を構築する。"
    old.target = "連携市町の担当課"
    old.save()
    open_fiscal_year(
        world["users"]["planning"], world["town"], 2024, staff_salary=5500, part_time_salary=1300
    )
    new = EvaluationSheet.objects.get(project=old.project, fiscal_year=2024)
    new.direction = Direction.EXPAND
    new.intent = "連携体制を強化する。"
    new.save()
    CostRow.objects.filter(sheet=new, fiscal_year=2023, kind=CostKind.SETTLED).update(
        general_revenue=400
    )
    StaffEffort.objects.filter(sheet=new, fiscal_year=2023).update(staff_fte=Decimal("0.50"))
    return old, new


def _load(pk):
    return load_sheet_for_display(EvaluationSheet.objects.all(), pk)


def test_compare_field_by_field(two_years):
    old, new = two_years
    diff = compare(_load(new.pk), _load(old.pk))
    texts = {d.name: d for d in diff.texts}
    assert texts["intent"].changed
    assert ("ins", "強化") in texts["intent"].segments
    assert not texts["target"].changed and texts["target"].segments == [
        ("equal", "連携市町の担当課")
    ]
    assert texts["previous_review"].new == "分科会の進捗管理を行う。"
    choices = {d.label: d for d in diff.choices}
    assert (choices["今後の方向性"].old, choices["今後の方向性"].new) == (
        "現状のまま継続",
        "拡充して継続",
    )
    costs = {(c.fiscal_year, c.kind): c for c in diff.costs}
    # The world's 2023 sheet has one column, R04 決算; the copy moved it to R05 決算,
    # which the 担当者 filled in (400 千円, 0.50 人工).
    old_2022 = costs[(2022, CostKind.SETTLED)]
    assert old_2022.changed and (old_2022.values[0].old, old_2022.values[0].new) == (355, None)
    new_2023 = costs[(2023, CostKind.SETTLED)]
    assert new_2023.values[0].old is None and new_2023.values[0].new == 400
    assert new_2023.values[1].new == Decimal("0.50")
    assert diff.changed_count >= 4


def test_diff_page_for_the_chief(client, two_years, world):
    _old, new = two_years
    client.force_login(world["users"]["chief_a"])
    response = client.get(reverse("sheet_diff", args=[new.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<ins>強化</ins>" in body and "<del>構築</del>" in body
    assert "変更あり" in body
    assert "現状のまま継続" in body and "拡充して継続" in body


def test_sheet_page_links_to_the_diff(client, two_years, world):
    _old, new = two_years
    client.force_login(world["users"]["staff_a"])
    body = client.get(reverse("sheet_detail", args=[new.pk])).content.decode()
    assert reverse("sheet_diff", args=[new.pk]) in body


def test_no_previous_sheet(client, world):
    client.force_login(world["users"]["staff_a"])
    response = client.get(reverse("sheet_diff", args=[world["sheets"]["a"].pk]))
    assert response.status_code == 200
    assert response.context["diff"] is None
    assert "比較できる前年度以前の評価シートがありません" in response.content.decode()


def test_outsiders_get_404(client, two_years, world):
    _old, new = two_years
    for user in ("staff_b", "planning_other"):
        client.force_login(world["users"][user])
        assert client.get(reverse("sheet_diff", args=[new.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("sheet_diff", args=[new.pk])).status_code == 302


def test_unpublished_previous_sheet_stays_hidden(client, two_years, world):
    """課 B's staff sees 課 A's published 2024 sheet, not its unpublished 2023 draft."""
    _old, new = two_years
    publish(new)
    client.force_login(world["users"]["staff_b"])
    response = client.get(reverse("sheet_diff", args=[new.pk]))
    assert response.status_code == 200
    assert response.context["previous"] is None
    assert (
        "分科会の進捗管理"
        not in response.content.decode().split("<main")[1].split("前年度との比較")[0]
    )


def test_demo_741_2_diff(client, demo_data):
    town = Municipality.objects.get(code="432067")
    planning = get_user_model().objects.get(username="tamana-planning")
    open_fiscal_year(planning, town, 2024, staff_salary=5500, part_time_salary=1300)
    new = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2024)
    client.force_login(planning)
    response = client.get(reverse("sheet_diff", args=[new.pk]))
    assert response.status_code == 200
    diff = response.context["diff"]
    assert diff.previous.fiscal_year == 2023
    outcome = {d.label: d for d in diff.outcomes}["特別交付税措置率(%)"]
    years = {year: (t, a) for year, t, a in outcome.years}
    assert (years[2022][1].old, years[2022][1].new) == ("100", "100")
    assert (years[2020][1].old, years[2020][1].new) == ("37.7", "")
