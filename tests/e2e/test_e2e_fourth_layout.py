"""The fourth 様式 (大船渡市, a definition file only) walked once in a real browser: the
generated entry form (its own fields, a number per year typed in full-width digits, a
choice), saving with the version check, submit → approve → confirm → publish, the history
in the layout's words, the public page and the published PDF."""

import pytest
from playwright.sync_api import expect

from core.choices import SheetState
from evalsheets.models import EvaluationSheet
from tests.e2e.conftest import login, screenshot
from tests.support.entry import make_draft
from tests.support.pdf import flat, pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESULT = "不法投棄廃棄物を適正に処理し、再発を防ぐ。"


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_the_fourth_layout_through_the_year(new_page, demo_data):
    errors = []
    staff, chief, planning, citizen = (new_page() for _ in range(4))
    for page in (staff, chief, planning, citizen):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    sheet = make_draft(EvaluationSheet.objects.get(project__code="0086", fiscal_year=2025))
    login(staff, "ofunato-staff")
    login(chief, "ofunato-chief")
    login(planning, "ofunato-planning")

    # The generated entry form: the definition's sections and its own fields.
    staff.goto(f"/sheets/{sheet.pk}/edit/")
    main = staff.locator("main")
    for heading in (
        "事務事業の概要",
        "現状把握の部：事務事業の目的と指標",
        "総投入量（千円）",
        "評価",
    ):
        expect(main.locator("h2", has_text=heading)).to_have_count(1)
    expect(staff.locator('[name="sheet-result"]')).to_have_value("不法投棄廃棄物を適正に処理する。")
    expect(staff.locator('[name="sheet-work_hours__2025"]')).to_have_value("280")
    staff.fill('[name="sheet-result"]', RESULT)
    staff.fill('[name="sheet-work_hours__2025"]', "３００")
    staff.check('[name="sheet-current_direction"][value="improve"]')
    staff.fill('[name="cost-budget-2025-general_revenue"]', "２，９００")
    screenshot(staff, "fourth-layout-entry")
    click_and_wait(staff, "button[name=save]")
    assert "下書きを保存しました（第2版" in staff.content()
    expect(staff.locator('[name="sheet-work_hours__2025"]')).to_have_value("300")
    sheet.refresh_from_db()
    assert sheet.extra["result"] == RESULT
    assert sheet.extra["work_hours"]["2025"] == "300"
    assert sheet.extra["current_direction"] == "improve"

    # The read-only page and the workflow, as for every 様式.
    click_and_wait(staff, "text=シートの表示に戻る")
    expect(staff.locator("article.sheet")).to_contain_text(RESULT)
    expect(staff.locator("article.sheet")).to_contain_text("■ ２　改革改善（縮小・統合含む）")
    staff.fill("#id_submit_comment", "令和7年度分を入力しました。")
    click_and_wait(staff, "form.workflow-submit button")
    chief.goto(f"/sheets/{sheet.pk}/")
    chief.fill("#id_approve_remarks", "監視と啓発を続ける。")
    click_and_wait(chief, "form.workflow-approve button")
    planning.goto(f"/sheets/{sheet.pk}/")
    click_and_wait(planning, "form.workflow-confirm button")
    planning.fill("#id_publish_comment", "公表")
    click_and_wait(planning, "form.workflow-publish button")
    history = planning.locator("table.history tr.history-sheetedit")
    expect(history).to_contain_text("結果（上位の基本事業への結果）")
    expect(history).to_contain_text("延べ業務時間（時間）")
    expect(history).to_contain_text("令和7年度 300")
    screenshot(planning, "fourth-layout-published")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.PUBLISHED

    # Anyone finds it on the public page, and its published PDF carries what was typed.
    citizen.goto("/public/032034/2025/0086/")
    expect(citizen.locator("main")).to_contain_text(RESULT)
    expect(citizen.locator("main")).to_contain_text("監視と啓発を続ける。")
    screenshot(citizen, "fourth-layout-public")
    response = citizen.request.get("/public/032034/2025/0086/pdf/")
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
    text = flat(pdf_text(response.body()))
    assert flat(RESULT) in text and "2,900" in pdf_text(response.body())
    assert errors == []
