"""Opening a year for a 様式 of a definition: its own fields are carried into the drafts
(a number per year only for the years the new sheet shows; a field declared ``carry:
false`` starts empty), and a 様式 without 人件費 asks for no average salary.

The demo's fourth city (大船渡市) has its 令和8年度 opened this way by the demo loader."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from evalsheets.layouts.definition import parse
from evalsheets.models import AuditEntry, AverageSalary, EvaluationSheet
from evalsheets.sheets.diff import compare
from evalsheets.workflow.audit import ACTION_COPY
from evalsheets.workflow.years import FiscalYearError, open_fiscal_year
from municipalities.models import Municipality

OFUNATO = "032034"


def user(name):
    return get_user_model().objects.get(username=name)


def test_the_demo_opens_the_fourth_citys_second_year_carrying_its_own_fields(demo_data):
    last = EvaluationSheet.objects.get(project__code="0086", fiscal_year=2025)
    draft = EvaluationSheet.objects.get(project__code="0086", fiscal_year=2026)
    assert draft.state == "draft" and last.state == "published"
    assert draft.extra["unit_name"] == last.extra["unit_name"] == "環境衛生係"
    assert draft.extra["result"] == "不法投棄廃棄物を適正に処理する。"
    # carry: false — the year's own judgement starts empty.
    assert last.extra["current_direction"] == "maintain" and last.extra["section_comment"]
    assert "current_direction" not in draft.extra and "section_comment" not in draft.extra
    # A number per year: the new sheet shows 令和3〜8年度; 令和2年度 is not carried.
    assert sorted(last.extra["work_hours"]) == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert sorted(draft.extra["work_hours"]) == ["2021", "2022", "2023", "2024", "2025"]
    assert draft.extra["total_cost"]["2024"] == last.extra["total_cost"]["2024"] == "3963"
    # Opened as the 企画課 would, with its history; no salary set (no 人件費 on this 様式).
    assert AuditEntry.objects.filter(action=ACTION_COPY, object_id=str(draft.pk)).exists()
    assert not AverageSalary.objects.filter(municipality__code=OFUNATO).exists()


def test_the_open_year_page_asks_no_salary_for_a_layout_without_personnel(client, demo_data):
    client.force_login(user("ofunato-planning"))
    page = client.get(reverse("fiscal_year_new")).content.decode()
    assert "平均給与額" not in page.split("<form")[1]
    assert "人件費（人工 × 平均給与）の欄がないため、平均給与は入力しません" in page
    response = client.post(reverse("fiscal_year_new"), {"fiscal_year": "令和９年度"})
    assert response.status_code == 302
    drafts = EvaluationSheet.objects.filter(project__municipality__code=OFUNATO, fiscal_year=2027)
    assert drafts.count() == 2
    # Copied from 令和8年度's drafts: their own fields again, shifted one more year.
    assert sorted(drafts.get(project__code="0582").extra["work_hours"]) == [
        "2022",
        "2023",
        "2024",
        "2025",
    ]
    assert not AverageSalary.objects.filter(municipality__code=OFUNATO).exists()


def test_a_layout_with_personnel_still_needs_both_salaries(client, demo_data):
    tamana = Municipality.objects.get(code="432067")
    with pytest.raises(FiscalYearError) as caught:
        open_fiscal_year(
            user("tamana-planning"), tamana, 2024, staff_salary=None, part_time_salary=None
        )
    assert caught.value.field == "staff_salary"
    assert not EvaluationSheet.objects.filter(project__municipality=tamana, fiscal_year=2024)
    client.force_login(user("tamana-planning"))
    response = client.post(reverse("fiscal_year_new"), {"fiscal_year": "令和6年度"})
    assert response.status_code == 200
    assert "金額を入力してください。" in response.content.decode()


def test_carry_is_a_yes_or_no_in_the_definition():
    text = """
format: 1
key: test_carry
version: 1
name: テスト
title: テスト
fields: [npo]
extra_fields:
  - {name: npo, label: NPO協働, type: yes_no, carry: maybe}
"""
    with pytest.raises(Exception) as caught:
        parse(text)
    assert any("extra_fields[0].carry" in str(p) for p in caught.value.problems)
    layout = parse(text.replace("carry: maybe", "carry: false"))
    assert layout.extra_field("npo").carry is False
    assert layout.carried_extra({"npo": True}, 2026) == {}
    assert parse(text.replace(", carry: maybe", "")).carried_extra({"npo": True}, 2026) == {
        "npo": True
    }


def test_the_second_years_diff_shows_what_was_not_carried_in_the_layouts_words(client, demo_data):
    draft = EvaluationSheet.objects.get(project__code="0086", fiscal_year=2026)
    client.force_login(user("ofunato-chief"))
    response = client.get(f"/sheets/{draft.pk}/diff/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "今回の方向性" in html and "１　現状維持" in html
    last = EvaluationSheet.objects.get(project__code="0086", fiscal_year=2025)
    diffs = {d.label: d for d in compare(draft, last).choices}
    assert (diffs["今回の方向性"].old, diffs["今回の方向性"].new) == ("１　現状維持", "")
    assert diffs["今回の方向性"].changed
    assert not diffs["結果（上位の基本事業への結果）"].changed  # carried as it was
    # The direction in the 様式's own words, not the model's (現状のまま継続).
    assert (diffs["今後の方向性"].old, diffs["今後の方向性"].new) == ("１　現状維持", "")
