"""提出前の確認: a 様式's definition says what must be filled in before submitting; the
sheet page lists what is missing above the 「提出」 button, and submitting is refused, in
Japanese, until it is there. 大船渡市's 様式 requires its fields, this year's numbers and
every 成果指標's 目標; the built-in 様式 require nothing (as before)."""

from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from core.choices import SheetState
from evalsheets.layouts import get_layout
from evalsheets.layouts.definition import DefinitionError, parse
from evalsheets.models import AssessmentAnswer, AuditEntry, EvaluationSheet, OutcomeValue
from evalsheets.workflow.checks import submit_problems
from evalsheets.workflow.transitions import WorkflowError, perform

MISSING_2026 = [
    "「今回の方向性」が入力されていません。",
    "「今後の方向性」が入力されていません。",
    "「担当課の評価」が入力されていません。",
    "「延べ業務時間（時間）」の令和8年度が入力されていません。",
    "「トータルコスト(A)+(B)（千円）」の令和8年度が入力されていません。",
]


def user(name):
    return get_user_model().objects.get(username=name)


def draft_2026():
    return EvaluationSheet.objects.get(project__code="0086", fiscal_year=2026)


def test_the_sheet_page_lists_what_is_missing_and_submitting_is_refused(client, demo_data):
    sheet = draft_2026()
    client.force_login(user("ofunato-staff"))
    page = client.get(f"/sheets/{sheet.pk}/").content.decode()
    listed = page.split('class="submit-problems"')[1].split("</ul>")[0]
    for problem in MISSING_2026:
        assert problem in listed
    assert "成果指標「活動ア 意識啓発事業の回数」の令和8年度の目標がありません。" in listed
    assert f'href="/sheets/{sheet.pk}/edit/"' in listed
    entries = AuditEntry.objects.count()
    response = client.post(f"/sheets/{sheet.pk}/submit/", {"comment": "提出します"})
    assert response.status_code == 302
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert message == (
        "提出できません。入力されていない項目が9件あります（「今回の方向性」が入力されていません…）。"
    )
    sheet.refresh_from_db()
    assert sheet.state == SheetState.DRAFT and AuditEntry.objects.count() == entries


def test_once_everything_is_there_the_sheet_is_submitted(demo_data):
    sheet = draft_2026()
    sheet.direction = "maintain"
    sheet.extra.update(current_direction="maintain", section_comment="引き続き監視する。")
    sheet.extra["work_hours"]["2026"] = "280"
    sheet.extra["total_cost"]["2026"] = "3950"
    sheet.save()
    missing = submit_problems(sheet)
    assert len(missing) == 4 and all(p.startswith("成果指標「") for p in missing)
    for indicator in sheet.outcome_indicators.all():
        OutcomeValue.objects.update_or_create(
            indicator=indicator, fiscal_year=2026, defaults={"target": 1}
        )
    assert submit_problems(EvaluationSheet.objects.get(pk=sheet.pk)) == []
    submitted = perform("submit", sheet, user("ofunato-staff"), "")
    assert submitted.state == SheetState.SUBMITTED


def test_the_built_in_layouts_require_nothing(world):
    sheet = world["sheets"]["a"]
    assert sheet.layout.required_fields == () and not sheet.layout.check_viewpoints
    assert submit_problems(sheet) == []
    assert perform("submit", sheet, world["users"]["staff_a"], "").state == SheetState.SUBMITTED


def test_viewpoints_answered_names_each_unanswered_viewpoint(world, monkeypatch):
    tamana = get_layout("tamana_furikaeri")
    monkeypatch.setattr(
        EvaluationSheet, "layout", property(lambda s: replace(tamana, check_viewpoints=True))
    )
    sheet = EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk)
    missing = submit_problems(sheet)
    assert len(missing) == len(tamana.viewpoints) == 10
    assert "評価の視点「実施主体の妥当性」が選ばれていません。" in missing
    for v in tamana.viewpoints:
        AssessmentAnswer.objects.create(sheet=sheet, viewpoint=v.code, choice=v.choices[0][0])
    assert submit_problems(EvaluationSheet.objects.get(pk=sheet.pk)) == []
    AssessmentAnswer.objects.filter(sheet=sheet, viewpoint="20-1").delete()
    with pytest.raises(WorkflowError) as refused:  # and while one is missing, perform refuses
        perform("submit", sheet, world["users"]["staff_a"], "")
    assert refused.value.problems == ["評価の視点「実施主体の妥当性」が選ばれていません。"]
    assert EvaluationSheet.objects.get(pk=sheet.pk).state == SheetState.DRAFT


def test_a_check_on_a_field_the_form_does_not_have_is_refused():
    text = """
format: 1
key: test_checks
version: 1
name: テスト
title: テスト
fields: [background]
checks:
  required: [background, budget_note]
  outcome_targets: maybe
"""
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    found = [str(p) for p in caught.value.problems]
    unknown = "「budget_note」は fields にない"
    assert any(p.startswith("checks.required[1]（") and unknown in p for p in found)
    assert any(p.startswith("checks.outcome_targets（") and "true か false" in p for p in found)
    layout = parse(text.replace(", budget_note", "").replace("maybe", "true"))
    assert layout.required_fields == ("background",) and layout.check_outcome_targets
