"""Bad input on every form: a field error (or 403/404), never a 500, never a silent change."""

import html as htmllib

import pytest
from django.test import Client

from evalsheets.models import EvaluationSheet, SubProject
from tests.support.entry import DEMO_SHEETS, make_draft, post_data, read_form, snapshot, user

# (form, input name, typed value, message shown next to the field)
BAD = [
    (
        "tamana_furikaeri",
        "cost-settled-2022-general_revenue",
        "三百五十五",
        "数値で入力してください",
    ),
    ("tamana_furikaeri", "cost-settled-2022-general_revenue", "-355", "0以上で入力してください"),
    ("tamana_furikaeri", "cost-budget-2023-national_subsidy", "12.5", "整数で入力してください"),
    ("tamana_furikaeri", "effort-2022-staff_fte", "100", "人工は99.99以下"),
    ("tamana_furikaeri", "effort-2022-part_time_fte", "abc", "数値で入力してください"),
    ("tamana_furikaeri", "out-0-actual_2022", "百", "数値で入力してください"),
    ("tamana_furikaeri", "sheet-background", "あ" * 2001, "2000文字以内で入力してください"),
    ("tamana_furikaeri", "vp-reason_20-1", "い" * 2001, "2000文字以内で入力してください"),
    ("tamana_furikaeri", "sheet-author_name", "う" * 51, "50文字以内で入力してください"),
    ("tamana_furikaeri", "sheet-direction", "forged", "選択肢から選んでください"),
    ("tamana_furikaeri", "sub-0-name", "", "入力してください"),
    ("isehara_hyoka", "cost-settled-2022-total", "ABC", "数値で入力してください"),
    ("isehara_hyoka", "cost-settled-2022-subsidies", "△10", "0以上で入力してください"),
    ("isehara_hyoka", "cost-settled-2022-subsidies", "500", "事業費合計(a)は①②③の合計"),
    ("isehara_hyoka", "effort-2022-staff_fte", "１２０", "人工は99.99以下"),
    ("isehara_hyoka", "effort-2022-target_count", "多数", "数値で入力してください"),
    ("isehara_hyoka", "sheet-work_done", "え" * 2001, "2000文字以内で入力してください"),
    ("isehara_hyoka", "vp-choice_progress", "Z", "選択肢から選んでください"),
    (
        "hitoyoshi_plan",
        "cost-budget-2024-prefectural_subsidy",
        "2,250円x",
        "数値で入力してください",
    ),
    ("hitoyoshi_plan", "cost-settled-2023-general_revenue", "-1", "0以上で入力してください"),
    ("hitoyoshi_plan", "out-0-target_2025", "六十五", "数値で入力してください"),
    ("hitoyoshi_plan", "sheet-results", "お" * 2001, "2000文字以内で入力してください"),
    ("hitoyoshi_plan", "sheet-funding_allocation", "double", "選択肢から選んでください"),
]


@pytest.fixture
def sheets(demo_data):
    return {
        form: make_draft(EvaluationSheet.objects.get(project__code=code))
        for form, (code, *_users) in DEMO_SHEETS.items()
    }


def client_for(username):
    client = Client()
    client.force_login(user(username))
    return client


def url(sheet):
    return f"/sheets/{sheet.pk}/edit/"


@pytest.mark.parametrize(("form", "name", "typed", "message"), BAD)
def test_bad_input_is_a_field_error_and_changes_nothing(sheets, form, name, typed, message):
    sheet = sheets[form]
    client = client_for(DEMO_SHEETS[form][1])
    data, kinds, _options = read_form(client.get(url(sheet)).content)
    assert name in data, name
    before = snapshot(sheet)
    data[name] = [typed]
    response = client.post(url(sheet), post_data(data))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    # The error is next to the field, and what was typed is shown again as typed.
    again, _kinds, _options = read_form(page)
    if typed and kinds[name] != "radio":  # a forged choice has no radio button to show
        assert again[name] == [typed]
    position = page.index(f'name="{name}"')
    assert message in page[position : position + 6000] or message in page[position - 6000 :]
    assert "入力内容に誤りがあります" in page
    assert snapshot(sheet) == before


def test_valid_parts_are_saved_and_invalid_ones_kept_as_typed(sheets):
    sheet = sheets["tamana_furikaeri"]
    client = client_for("tamana-staff")
    data, _kinds, _options = read_form(client.get(url(sheet)).content)
    data["sheet-intent"] = ["意図を書き直した。"]
    data["cost-settled-2022-general_revenue"] = ["３５５千円x"]
    data["out-0-actual_2022"] = ["９９．５"]
    response = client.post(url(sheet), post_data(data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "誤りのない項目は保存しました（第2版）" in page
    sheet.refresh_from_db()
    assert sheet.version == 2 and sheet.intent == "意図を書き直した。"
    assert sheet.cost_rows.get(fiscal_year=2022, kind="settled").general_revenue == 355
    again, _kinds, _options = read_form(page)
    assert again["cost-settled-2022-general_revenue"] == ["３５５千円x"]
    assert again["version"] == ["2"]
    # Correcting the field and saving again is not a conflict with one's own save.
    again["cost-settled-2022-general_revenue"] = ["３５６"]
    assert client.post(url(sheet), post_data(again)).status_code == 302
    assert sheet.cost_rows.get(fiscal_year=2022, kind="settled").general_revenue == 356


def test_a_new_row_saved_by_a_partial_save_is_not_created_twice(sheets):
    sheet = sheets["tamana_furikaeri"]
    client = client_for("tamana-staff")
    data, _kinds, _options = read_form(client.get(url(sheet)).content)
    data.update({"sub-TOTAL_FORMS": ["2"], "sub-1-name": ["新しい細事業"], "sub-1-means": [""]})
    data["sheet-background"] = ["長" * 2001]
    page = client.post(url(sheet), post_data(data)).content.decode()
    assert sheet.sub_projects.count() == 2
    again, _kinds, _options = read_form(page)
    assert again["sub-1-id"] == [str(sheet.sub_projects.get(name="新しい細事業").pk)]
    again["sheet-background"] = ["短くした背景。"]
    assert client.post(url(sheet), post_data(again)).status_code == 302
    assert sheet.sub_projects.count() == 2


@pytest.mark.parametrize("form", list(DEMO_SHEETS))
def test_roles_that_may_not_edit_get_403_and_change_nothing(sheets, form):
    sheet = sheets[form]
    owner = client_for(DEMO_SHEETS[form][1])
    data, _kinds, _options = read_form(owner.get(url(sheet)).content)
    data["sheet-author_name"] = ["なりすまし"]
    before = snapshot(sheet)
    prefix = DEMO_SHEETS[form][1].split("-")[0]
    for username in (f"{prefix}-chief", f"{prefix}-viewer", f"{prefix}-planning"):
        client = client_for(username)
        assert client.get(url(sheet)).status_code == 403, username
        assert client.post(url(sheet), post_data(data)).status_code == 403, username
    assert snapshot(sheet) == before


@pytest.mark.parametrize("form", list(DEMO_SHEETS))
def test_another_municipalitys_sheet_is_404_and_changes_nothing(sheets, form):
    sheet = sheets[form]
    owner = client_for(DEMO_SHEETS[form][1])
    data, _kinds, _options = read_form(owner.get(url(sheet)).content)
    data["sheet-author_name"] = ["越境"]
    before = snapshot(sheet)
    for other_form, (_code, staff, *_rest) in DEMO_SHEETS.items():
        if other_form == form:
            continue
        client = client_for(staff)
        assert client.get(url(sheet)).status_code == 404
        assert client.post(url(sheet), post_data(data)).status_code == 404
    anonymous = Client()
    assert anonymous.post(url(sheet), post_data(data)).status_code == 302  # to the login page
    assert snapshot(sheet) == before


def test_a_published_sheet_is_not_editable(demo_data):
    sheet = EvaluationSheet.objects.get(project__code="741-3")
    client = client_for("tamana-staff")
    before = snapshot(sheet)
    assert client.get(url(sheet)).status_code == 403
    assert client.post(url(sheet), {"version": "1", "sheet-intent": "x"}).status_code == 403
    assert snapshot(sheet) == before


def test_forged_row_ids_and_management_forms_touch_nothing(sheets):
    tamana = sheets["tamana_furikaeri"]
    other = SubProject.objects.exclude(sheet=tamana).first()
    other_before = snapshot(other.sheet)
    before = snapshot(tamana)
    client = client_for("tamana-staff")
    data, _kinds, _options = read_form(client.get(url(tamana)).content)
    data["sub-0-id"] = [str(other.pk)]
    data["sub-0-name"] = ["乗っ取り"]
    data["sub-0-DELETE"] = ["on"]
    data["out-TOTAL_FORMS"] = ["abc"]
    response = client.post(url(tamana), post_data(data))
    assert response.status_code == 200
    assert "このシートのものではありません" in htmllib.unescape(response.content.decode())
    assert snapshot(other.sheet) == other_before
    assert snapshot(tamana) == before


def test_missing_version_is_a_bad_request(sheets):
    sheet = sheets["tamana_furikaeri"]
    before = snapshot(sheet)
    response = client_for("tamana-staff").post(url(sheet), {"sheet-intent": "x"})
    assert response.status_code == 400
    assert snapshot(sheet) == before
