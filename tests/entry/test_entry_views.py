"""The entry form of each 様式: sections in the paper's order, round trips, figures, formsets."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from core import calculations
from core.normalize import parse_decimal
from evalsheets.models import EvaluationSheet, OutcomeValue, SubProject
from evalsheets.workflow.audit import entries_for
from tests.support.entry import (
    DEMO_SHEETS,
    make_draft,
    post_data,
    read_form,
    snapshot,
    user,
)

SECTIONS = {
    "tamana_furikaeri": [
        "≪基本情報≫",
        "≪事務事業の目的≫",
        "≪事務事業の概要≫",
        "≪事務事業実施に係るコスト≫",
        "≪事務事業の手段と活動指標≫",
        "≪事務事業の成果≫",
        "≪事務事業の評価≫",
        "≪前回からのふりかえり結果と今後の方向性≫",
    ],
    "isehara_hyoka": ["計画 (Plan)", "事業実施 (Do)", "評価 (Check)", "取組内容の改善 (Action)"],
    "hitoyoshi_plan": [
        "総合計画での位置付け",
        "事務事業実績",
        "事務事業評価",
        "総合戦略・市長マニフェスト",
    ],
}


@pytest.fixture
def drafts(demo_data):
    """The three demo sheets of the brief, back in 下書き, with their 担当者."""
    result = {}
    for form, (code, staff, chief, viewer) in DEMO_SHEETS.items():
        sheet = make_draft(EvaluationSheet.objects.get(project__code=code))
        client = Client()
        client.force_login(user(staff))
        result[form] = {"sheet": sheet, "client": client, "chief": chief, "viewer": viewer}
    return result


def edit_url(sheet):
    return f"/sheets/{sheet.pk}/edit/"


@pytest.mark.parametrize("form", SECTIONS)
def test_sections_in_the_order_of_the_paper_form(drafts, form):
    sheet, client = drafts[form]["sheet"], drafts[form]["client"]
    response = client.get(edit_url(sheet))
    assert response.status_code == 200
    headings = re.findall(r"<h2>(.*?)</h2>", response.content.decode())
    assert headings == SECTIONS[form]
    html = response.content.decode()
    assert 'name="version" value="1"' in html
    assert "js/entry.js" in html and "https://" not in html.split("<main")[1]


@pytest.mark.parametrize("form", SECTIONS)
def test_posting_the_form_unchanged_changes_nothing(drafts, form):
    sheet, client = drafts[form]["sheet"], drafts[form]["client"]
    before = snapshot(sheet)
    data, _kinds, _options = read_form(client.get(edit_url(sheet)).content)
    response = client.post(edit_url(sheet), post_data(data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot(sheet) == before
    assert not entries_for(sheet).exists()


def _changed_value(name, kind, value, options):
    """A different valid value for every input of the form."""
    if kind == "num":
        if "fte" in name:
            return "１．２５"
        if name.endswith("baseline_year"):
            return "2019"
        if name.endswith("-total"):
            return "９９，９９９"  # 伊勢原 (a) ≥ ①+②+③
        return "１２，３４５"
    if kind == "textarea":
        return (value or "") + "（改訂）\n二行目"
    if kind == "radio":
        choices = [o for o in options[name] if o not in value]
        return choices[0]
    if kind == "checkbox":
        return [o for o in options[name] if o not in value]
    if kind == "select":
        return value[0] if value else options[name][0]
    if kind == "text":
        return "改"
    return None


@pytest.mark.parametrize("form", SECTIONS)
def test_every_field_round_trips(drafts, form):
    sheet, client = drafts[form]["sheet"], drafts[form]["client"]
    data, kinds, options = read_form(client.get(edit_url(sheet)).content)
    typed = {}
    for name, values in data.items():
        kind = kinds.get(name)
        if name in ("csrfmiddlewaretoken", "version") or kind == "hidden":
            continue
        if name.endswith("-DELETE"):
            continue
        if kind in ("radio", "checkbox"):
            new = _changed_value(name, kind, values, options)
        else:
            new = _changed_value(name, kind, values[0] if values else "", options)
        typed[name] = new if isinstance(new, list) else [new]
    assert len(typed) > 40
    data.update(typed)
    response = client.post(edit_url(sheet), post_data(data))
    assert response.status_code == 302, re.findall(
        r'<ul class="errorlist"[^>]*>(.*?)</ul>', response.content.decode()
    )
    sheet.refresh_from_db()
    assert sheet.version == 2
    again, _kinds, _options = read_form(client.get(edit_url(sheet)).content)
    for name, values in typed.items():
        shown = again[name]
        if kinds[name] == "num":
            assert parse_decimal(shown[0]) == parse_decimal(values[0]), name
        elif kinds[name] == "textarea":
            assert shown[0].replace("\r\n", "\n") == values[0], name
        else:
            assert sorted(shown) == sorted(values), name
    entry = entries_for(sheet).get()
    assert entry.action == "sheet.edit" and entry.actor.username.endswith("-staff")
    assert len(entry.changes) >= len(typed) - 5
    old, new = next(v for k, v in entry.changes.items() if k in ("background", "summary"))
    assert new == old + "（改訂）\n二行目"


def _cost_input(kind, year, field):
    return f"cost-{kind}-{year}-{field}"


def test_full_width_digits_and_commas_are_stored_as_integers(drafts):
    sheet, client = drafts["tamana_furikaeri"]["sheet"], drafts["tamana_furikaeri"]["client"]
    data, _k, _o = read_form(client.get(edit_url(sheet)).content)
    data[_cost_input("settled", 2022, "general_revenue")] = ["１２，３４５"]
    data[_cost_input("settled", 2022, "national_subsidy")] = ["2,068千円"]
    data["effort-2022-staff_fte"] = ["０．５０人"]
    assert client.post(edit_url(sheet), post_data(data)).status_code == 302
    row = sheet.cost_rows.get(fiscal_year=2022, kind="settled")
    assert (row.general_revenue, row.national_subsidy) == (12345, 2068)
    assert sheet.efforts.get(fiscal_year=2022).staff_fte == Decimal("0.50")


def _outputs(html, kind):
    return dict(re.findall(rf'data-out="{kind}" data-col="([^"]+)">([^<]*)<', html.decode()))


def test_figures_after_save_are_the_servers(drafts):
    sheet, client = drafts["tamana_furikaeri"]["sheet"], drafts["tamana_furikaeri"]["client"]
    html = client.get(edit_url(sheet)).content
    # 741-2 R02: 0.75 × 5,476 + 0.04 × 1,950 = 4,185; 合計 200 + 4,185 = 4,385 (the seed).
    assert _outputs(html, "personnel")["settled-2020"] == "4,185"
    assert _outputs(html, "total")["settled-2020"] == "4,385"
    assert _outputs(html, "subtotal")["settled-2021"] == "826"
    data, _k, _o = read_form(html)
    data["effort-2020-staff_fte"] = ["１"]
    data[_cost_input("settled", 2020, "prefectural_subsidy")] = ["１，０００"]
    response = client.post(edit_url(sheet), post_data(data), follow=True)
    html = response.content
    expected_personnel = calculations.personnel_cost(Decimal(1), Decimal("0.04"), 5476, 1950)
    assert expected_personnel == 5554
    assert _outputs(html, "personnel")["settled-2020"] == "5,554"
    assert _outputs(html, "subtotal")["settled-2020"] == "1,200"
    assert _outputs(html, "total")["settled-2020"] == "6,754"
    column = next(c for c in sheet.cost_columns() if c.fiscal_year == 2020)
    assert (column.project_cost, column.personnel_cost, column.total) == (1200, 5554, 6754)
    assert "下書きを保存しました（第2版" in html.decode()


def test_isehara_general_revenue_and_unit_cost(drafts):
    sheet, client = drafts["isehara_hyoka"]["sheet"], drafts["isehara_hyoka"]["client"]
    html = client.get(edit_url(sheet)).content
    assert _outputs(html, "unit")["settled-2021"] == "8"
    data, _k, _o = read_form(html)
    data.update(
        {
            "cost-settled-2022-total": ["１，０００"],
            "cost-settled-2022-subsidies": ["300"],
            "cost-settled-2022-municipal_bonds": ["200"],
            "cost-settled-2022-other": ["100"],
        }
    )
    html = client.post(edit_url(sheet), post_data(data), follow=True).content
    row = sheet.cost_rows.get(fiscal_year=2022)
    # 一般財源 = (a) − ① − ② − ③ = 1,000 − 300 − 200 − 100
    assert row.general_revenue == 400 and row.subtotal == 1000
    assert _outputs(html, "general")["settled-2022"] == "400"
    # トータルコスト 1,000 + 857 = 1,857 千円 → 1,857,000 円 ÷ 101,119 人 = 18.36… → 18 円
    assert _outputs(html, "total")["settled-2022"] == "1,857"
    assert _outputs(html, "unit")["settled-2022"] == "18"


def test_indicators_not_applicable_and_rates(drafts):
    sheet, client = drafts["tamana_furikaeri"]["sheet"], drafts["tamana_furikaeri"]["client"]
    html = client.get(edit_url(sheet)).content.decode()
    assert 'data-row="out-0" data-year="2020">37.7%<' in html
    data, _k, _o = read_form(html)
    data["out-0-actual_2021"] = ["***"]
    data["out-0-target_2020"] = ["0"]
    assert client.post(edit_url(sheet), post_data(data)).status_code == 302
    value = OutcomeValue.objects.get(indicator__sheet=sheet, fiscal_year=2021)
    assert value.actual is None and value.actual_na is True
    value = OutcomeValue.objects.get(indicator__sheet=sheet, fiscal_year=2020)
    assert value.target == 0 and value.target_na is False
    again, _k, _o = read_form(client.get(edit_url(sheet)).content)
    assert again["out-0-actual_2021"] == ["***"]
    assert again["out-0-target_2020"] == ["0"]


def test_add_and_remove_rows(drafts):
    sheet, client = drafts["tamana_furikaeri"]["sheet"], drafts["tamana_furikaeri"]["client"]
    data, _k, _o = read_form(client.get(edit_url(sheet)).content)
    first_sub = SubProject.objects.get(sheet=sheet)
    # A second 細事業 with an activity indicator of its own, and a second 成果指標.
    data.update(
        {
            "sub-TOTAL_FORMS": ["2"],
            "sub-1-name": ["移住相談会の開催"],
            "sub-1-means": ["相談会を年2回開催する。"],
            "act-TOTAL_FORMS": ["2"],
            "act-1-sub": ["2"],
            "act-1-name": ["相談会の開催回数"],
            "act-1-unit": ["回"],
            "act-1-actual_2022": ["２"],
            "act-1-target_2023": ["***"],
            "out-TOTAL_FORMS": ["2"],
            "out-1-name": ["移住者数"],
            "out-1-unit": ["人"],
            "out-1-target_2023": ["１，２００"],
        }
    )
    assert client.post(edit_url(sheet), post_data(data)).status_code == 302
    subs = list(sheet.sub_projects.order_by("sort_order"))
    assert [s.name for s in subs] == [first_sub.name, "移住相談会の開催"]
    new_indicator = subs[1].indicators.get()
    assert new_indicator.name == "相談会の開催回数"
    values = {v.fiscal_year: v for v in new_indicator.values.all()}
    assert values[2022].actual == 2 and values[2023].target_na
    assert sheet.outcome_indicators.get(name="移住者数").values.get().target == 1200

    # Remove the new 細事業 together with its indicator, and the first 成果指標.
    data, _k, _o = read_form(client.get(edit_url(sheet)).content)
    data["sub-1-DELETE"] = ["on"]
    data["act-1-DELETE"] = ["on"]
    data["out-0-DELETE"] = ["on"]
    assert client.post(edit_url(sheet), post_data(data)).status_code == 302
    assert list(sheet.sub_projects.values_list("name", flat=True)) == [first_sub.name]
    assert list(sheet.outcome_indicators.values_list("name", flat=True)) == ["移住者数"]


def test_deleting_a_sub_project_still_used_by_an_indicator_is_refused(drafts):
    sheet, client = drafts["tamana_furikaeri"]["sheet"], drafts["tamana_furikaeri"]["client"]
    before = snapshot(sheet)
    data, _k, _o = read_form(client.get(edit_url(sheet)).content)
    data["sub-0-DELETE"] = ["on"]
    response = client.post(edit_url(sheet), post_data(data))
    assert response.status_code == 200
    assert "削除する細事業を指しています" in response.content.decode()
    assert snapshot(sheet) == before


def test_edit_link_on_the_sheet_page_only_for_those_who_may_edit(drafts):
    sheet = drafts["tamana_furikaeri"]["sheet"]
    client = drafts["tamana_furikaeri"]["client"]
    assert edit_url(sheet) in client.get(f"/sheets/{sheet.pk}/").content.decode()
    chief = Client()
    chief.force_login(user(drafts["tamana_furikaeri"]["chief"]))
    assert edit_url(sheet) not in chief.get(f"/sheets/{sheet.pk}/").content.decode()
    published = EvaluationSheet.objects.get(project__code="741-3")
    assert (
        f"/sheets/{published.pk}/edit/"
        not in client.get(f"/sheets/{published.pk}/").content.decode()
    )
