"""The official workbook in the browser: a 担当者 downloads 741-2's .xlsx from the entry
page, edits three cells offline, uploads it, sees exactly those three changes in the
preview, confirms, and finds them on the entry form."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from evalsheets.models import EvaluationSheet
from tests.e2e.conftest import login, screenshot
from tests.support.entry import make_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_download_edit_offline_and_import(new_page, demo_data, tmp_path):
    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2"))
    page = new_page()
    login(page, "tamana-staff")
    page.goto(f"/sheets/{sheet.pk}/edit/")
    with page.expect_download() as info:
        page.click("text=公式様式のExcelをダウンロード")
    path = tmp_path / "741-2.xlsx"
    info.value.save_as(path)

    book = load_workbook(path)
    ws = book.worksheets[0]
    places = {
        row[3]: row[0]
        for row in book["_evalsheets"].iter_rows(min_row=8, values_only=True)
        if row[0]
    }
    ws[places["事務事業の実施背景"]] = "オフラインで書いた背景。"
    ws[places["R05年度予算 県支出金"]] = "１，５００"
    ws[places["今後の方向性"]] = "執行方法の改善"
    out = io.BytesIO()
    book.save(out)
    (tmp_path / "edited.xlsx").write_bytes(out.getvalue())

    page.click("text=入力したExcelを取り込む")
    page.set_input_files("input[name=workbook]", str(tmp_path / "edited.xlsx"))
    with page.expect_navigation():
        page.click("text=確認する")
    expect(page.locator("h2", has_text="変更される項目")).to_have_text("変更される項目（3件）")
    rows = page.locator("table.changes tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.changes")).to_contain_text("執行方法の改善")
    screenshot(page, "workbook-import-preview")
    with page.expect_navigation():
        page.click("text=この内容で取り込む")
    expect(page.locator("ul.messages")).to_contain_text(
        "Excelの内容を取り込みました（第2版、3項目を変更）"
    )
    expect(page.locator('[name="sheet-background"]')).to_have_value("オフラインで書いた背景。")
    expect(page.locator('[name="cost-budget-2023-prefectural_subsidy"]')).to_have_value("1,500")
    screenshot(page, "workbook-imported")
