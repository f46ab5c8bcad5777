"""The whole yearly cycle in a real browser, one browser context per person.

企画課 opens 令和6年度 (average salaries typed in full-width digits) → 担当者 edits the
copied draft of 741-2 (live totals), saves and submits → 課長 tries to return it without a
reason (Japanese error), returns it with one → 担当者 finds it on the home page as
returned, corrects it and submits again → 課長 approves with a 所見 → 企画課 confirms and
publishes → a citizen finds it on /public/432067/2024/. The state is checked on the page at
every step, the history (audit trail) at the end; every step leaves a screenshot in
test-artifacts/ named workflow-NN-<who>-<what>.png.
"""

import re

import pytest
from playwright.sync_api import expect

from core.choices import SheetState
from evalsheets.models import AuditEntry, AverageSalary, EvaluationSheet
from evalsheets.workflow.audit import ACTION_PUBLISH
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

YEAR = 2024  # 令和6年度: the demo data's latest year for 玉名 is 令和5年度
REASON = "R05決算の一般財源が未入力です。決算書の額を入れてください。"
REMARKS = "広域連携の効果が数字で示されており、妥当である。"


def shot(page, step, name):
    return screenshot(page, f"workflow-{step:02d}-{name}")


def state_on_page(page) -> str:
    return page.locator("table.head .state").inner_text()


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def message(page) -> str:
    return page.locator("ul.messages").inner_text()


def history_actions(page) -> list[str]:
    """The 操作 column of the history table, oldest first."""
    return list(reversed(page.locator("table.history td.what").all_inner_texts()))


def out(page, kind, col):
    return page.locator(f'output[data-out="{kind}"][data-col="{col}"]').inner_text()


def test_draft_to_published_cycle(new_page, demo_data):
    errors = []
    planning, staff, chief, citizen = (new_page() for _ in range(4))
    for page in (planning, staff, chief, citizen):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(planning, "tamana-planning")
    login(staff, "tamana-staff")
    login(chief, "tamana-chief")

    # 1. 企画課 opens 令和6年度 from the home page; the salaries typed in full-width digits.
    expect(planning.locator("#progress-title")).to_have_text("令和5年度の提出状況")
    click_and_wait(planning, "text=新しい年度を開始する")
    expect(planning.locator("#id_fiscal_year")).to_have_value("令和6年度")
    planning.fill("#id_staff_salary", "５，５００")
    planning.fill("#id_part_time_salary", "１，３００千円")
    shot(planning, 1, "planning-open-year")
    click_and_wait(planning, "main button[type=submit]")
    assert "令和6年度を開始しました。評価シート2件を作成しました" in message(planning)
    expect(planning.locator("#progress-title")).to_have_text("令和6年度の提出状況")
    expect(planning.locator(".progress-summary .progress-text")).to_have_text("0 / 2 件（0%）")
    shot(planning, 2, "planning-year-opened")
    assert set(
        AverageSalary.objects.filter(municipality__code="432067", fiscal_year=YEAR).values_list(
            "staff_kind", "amount"
        )
    ) == {("staff", 5500), ("part_time", 1300)}
    sheet = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=YEAR)
    assert sheet.state == SheetState.DRAFT

    # 2. 担当者: the new draft is on the home page; edit it in the entry form.
    staff.goto("/")
    drafts = staff.locator("#due-title ~ ul.due")
    expect(drafts).to_contain_text("741-2 定住自立圏構想事業")
    shot(staff, 3, "staff-home-drafts")
    click_and_wait(staff, "ul.due >> text=741-2 定住自立圏構想事業")
    assert state_on_page(staff) == "下書き"
    click_and_wait(staff, ".sheet-actions >> text=編集")
    assert staff.url.endswith(f"/sheets/{sheet.pk}/edit/")
    # R06 予算 column: 0 until typed; the 人件費 uses the salary 企画課 just set (5,500).
    staff.fill('[name="cost-budget-2024-prefectural_subsidy"]', "１，０００")
    staff.fill('[name="cost-budget-2024-general_revenue"]', "２３４")
    staff.fill('[name="effort-2024-staff_fte"]', "０．５")
    expect(staff.locator('output[data-out="subtotal"][data-col="budget-2024"]')).to_have_text(
        "1,234"
    )
    assert out(staff, "personnel", "budget-2024") == "2,750"  # 0.5 × 5,500
    assert out(staff, "total", "budget-2024") == "3,984"
    staff.check('[name="sheet-direction"][value="maintain"]')
    staff.fill('[name="sheet-improvement"]', "共生ビジョンの進捗管理を続ける。")
    shot(staff, 4, "staff-entry-live-totals")
    click_and_wait(staff, "button[name=save]")
    assert "下書きを保存しました（第2版" in message(staff)
    expect(staff.locator('[name="effort-2024-staff_fte"]')).to_have_value("0.50")
    assert out(staff, "total", "budget-2024") == "3,984"  # now the server's figure
    sheet.refresh_from_db()
    assert sheet.version == 2 and sheet.direction == "maintain"
    budget = sheet.cost_rows.get(fiscal_year=YEAR, kind="budget")
    assert (budget.prefectural_subsidy, budget.general_revenue) == (1000, 234)

    # 3. 担当者 submits from the sheet page.
    click_and_wait(staff, "text=シートの表示に戻る")
    staff.fill("#id_submit_comment", "令和6年度分を作成しました。")
    click_and_wait(staff, "form.workflow-submit button")
    assert "「提出」を行いました。" in message(staff)
    assert state_on_page(staff) == "提出済"
    expect(staff.locator(".sheet-actions")).to_have_count(0)  # no 編集 once submitted
    expect(staff.locator(".workflow-waiting")).to_have_text("課長の承認待ちです。")
    shot(staff, 5, "staff-submitted")

    # 4. 課長: the sheet is in the review queue; returning without a reason is refused.
    chief.goto("/")
    queue = chief.locator("#queue-title + table")
    expect(queue).to_contain_text("定住自立圏構想事業")
    expect(chief.locator("#queue-title .badge")).to_have_text("1 件")
    shot(chief, 6, "chief-home-queue")
    click_and_wait(chief, "#queue-title + table >> text=定住自立圏構想事業")
    assert state_on_page(chief) == "提出済"
    # The 担当者's note is next to the buttons, not only at the bottom in the history.
    expect(chief.locator(".workflow-last")).to_contain_text("担当太郎「提出」")
    expect(chief.locator(".workflow-last")).to_contain_text("令和6年度分を作成しました。")
    click_and_wait(chief, "form.workflow-return button")
    error = chief.locator("#id_return_reason_error")
    expect(error).to_have_text("差戻しの理由を入力してください。")
    assert state_on_page(chief) == "提出済"
    shot(chief, 7, "chief-return-needs-reason")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED and sheet.version == 3

    chief.fill("#id_return_reason", REASON)
    click_and_wait(chief, "form.workflow-return button")
    assert "「差戻し」を行いました。" in message(chief)
    assert state_on_page(chief) == "下書き"
    shot(chief, 8, "chief-returned")

    # 5. 担当者: the home page shows the sheet as returned, with the reason.
    staff.goto("/")
    returned = staff.locator("ul.due.returned")
    expect(returned).to_contain_text("741-2 定住自立圏構想事業")
    expect(returned.locator("blockquote.reason")).to_have_text(f"差し戻し理由：{REASON}")
    expect(staff.locator("h3", has_text="差し戻されたシート")).to_contain_text("1 件")
    expect(staff.locator("table.list tr", has_text="741-2")).to_contain_text("下書き 差戻し")
    shot(staff, 9, "staff-home-returned")
    click_and_wait(staff, "ul.due.returned >> text=741-2 定住自立圏構想事業")
    expect(staff.locator(".workflow-last")).to_contain_text(f"課長一郎「差戻し」{REASON}")
    click_and_wait(staff, ".sheet-actions >> text=編集")
    staff.fill('[name="cost-settled-2023-general_revenue"]', "３５５")
    expect(staff.locator('output[data-out="total"][data-col="settled-2023"]')).to_have_text(
        "2,808"  # 355 + 0.45 × 5,451 = 355 + 2,453
    )
    click_and_wait(staff, "button[name=save]")
    assert "下書きを保存しました（第5版" in message(staff)
    click_and_wait(staff, "text=シートの表示に戻る")
    staff.fill("#id_submit_comment", "R05決算の一般財源を入力しました。")
    click_and_wait(staff, "form.workflow-submit button")
    assert state_on_page(staff) == "提出済"
    shot(staff, 10, "staff-resubmitted")

    # 6. 課長 approves with the 所見; it is printed in the 評価責任者 block.
    chief.goto("/")
    click_and_wait(chief, "#queue-title + table >> text=定住自立圏構想事業")
    chief.fill("#id_approve_remarks", REMARKS)
    click_and_wait(chief, "form.workflow-approve button")
    assert "「承認」を行いました。" in message(chief)
    assert state_on_page(chief) == "課長承認"
    expect(chief.locator("article.sheet")).to_contain_text(REMARKS)
    expect(chief.locator(".workflow-waiting")).to_have_text("企画課の確認待ちです。")
    shot(chief, 11, "chief-approved")

    # 7. 企画課 sees the progress move, confirms, then publishes.
    planning.goto("/")
    expect(planning.locator(".progress-summary .progress-text")).to_have_text("1 / 2 件（50%）")
    planning.goto(f"/sheets/{sheet.pk}/")
    assert state_on_page(planning) == "課長承認"
    click_and_wait(planning, "form.workflow-confirm button")
    assert state_on_page(planning) == "企画課確認"
    shot(planning, 12, "planning-confirmed")
    planning.fill("#id_publish_comment", "令和6年度分として公表")
    click_and_wait(planning, "form.workflow-publish button")
    assert "「公表」を行いました。" in message(planning)
    assert state_on_page(planning) == "公表"

    # The history (audit trail) on the sheet page, oldest first.
    assert history_actions(planning) == [
        "前年度から複写",
        "編集",
        "提出",
        "差戻し",
        "編集",
        "提出",
        "承認",
        "企画課確認",
        "公表",
    ]
    history = planning.locator("table.history")
    expect(history.locator("tr.history-sheetreturn")).to_contain_text("課長一郎")
    expect(history.locator("tr.history-sheetreturn")).to_contain_text(REASON)
    expect(history.locator("tr.history-sheetreturn")).to_contain_text("提出済 → 下書き")
    expect(history.locator("tr.history-sheetapprove")).to_contain_text(REMARKS)
    expect(history.locator("tr.history-sheetpublish")).to_contain_text("企画課確認 → 公表")
    first_edit = history.locator("tr.history-sheetedit").last  # what the 担当者 typed
    for change in (
        "今後の方向性：（なし） → 現状のまま継続",
        "R06年度予算 県支出金：0 → 1,000",
        "R06年度 職員人工数：0.00 → 0.50",
    ):
        expect(first_edit).to_contain_text(change)
    expect(history.locator("tr.history-sheetcopy")).to_contain_text(
        "令和5年度のシートから複写しました"
    )
    shot(planning, 13, "planning-published-history")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.PUBLISHED and sheet.published_at is not None
    assert sheet.review.remarks == REMARKS
    assert AuditEntry.objects.filter(object_id=sheet.pk, action=ACTION_PUBLISH).count() == 1

    # 8. Anyone, without logging in, finds it on the public list of 令和6年度.
    citizen.goto(f"/public/432067/{YEAR}/")
    expect(citizen.locator("h1")).to_contain_text("令和6年度")
    expect(citizen.locator("main")).to_contain_text("定住自立圏構想事業")
    expect(citizen.locator("main")).not_to_contain_text("連携中枢都市圏構想推進事業")  # a draft
    shot(citizen, 14, "public-year-list")
    click_and_wait(citizen, "main >> text=定住自立圏構想事業")
    assert re.search(rf"/public/432067/{YEAR}/741-2/$", citizen.url)
    expect(citizen.locator("main")).to_contain_text(REMARKS)
    shot(citizen, 15, "public-sheet")
    assert errors == []
