"""Screenshots of the logged-in pages at 1280×900, after a short workflow in the browser.

Run against a server with FRESH demo data (the script opens 令和6年度 and moves sheets):

    python manage.py flush --no-input && python manage.py load_demo
    python manage.py runserver 127.0.0.1:8107 &
    python docs/screenshots/take_internal.py http://127.0.0.1:8107

Steps: 企画課 opens 令和6年度; the 担当者 edits and submits 741-2, submits 741-3; the 課長
returns 741-3 with a reason. Then: home-staff.png (差し戻し and drafts), home-chief.png
(the review queue), home-planning.png (progress), sheet-actions.png (741-2 as the 課長:
承認 / 差戻し forms and the history), entry-tamana.png (the entry form of 741-3).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8107"
HERE = Path(__file__).resolve().parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_as(browser, username):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", base_url=BASE
    )
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "evalsheets-demo")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


def click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def shot(page, name, *, full=False):
    page.screenshot(path=str(HERE / name), full_page=full)
    print(HERE / name)


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    planning = open_as(browser, "tamana-planning")
    staff = open_as(browser, "tamana-staff")
    chief = open_as(browser, "tamana-chief")

    planning.goto("/years/new/")
    planning.fill("#id_staff_salary", "5,500")
    planning.fill("#id_part_time_salary", "1,300")
    click(planning, "main button[type=submit]")

    staff.goto("/")
    click(staff, "ul.due >> text=741-2 定住自立圏構想事業")
    click(staff, ".sheet-actions >> text=編集")
    staff.fill('[name="cost-settled-2023-general_revenue"]', "２，６９１")
    staff.fill('[name="cost-budget-2024-general_revenue"]', "１，２００")
    staff.fill('[name="effort-2024-staff_fte"]', "０．４５")
    staff.check('[name="sheet-direction"][value="maintain"]')
    staff.fill('[name="sheet-improvement"]', "共生ビジョンの進捗管理を続け、分科会の運営を見直す。")
    click(staff, "button[name=save]")
    click(staff, "text=シートの表示に戻る")
    staff.fill("#id_submit_comment", "令和6年度分を作成しました。ご確認ください。")
    click(staff, "form.workflow-submit button")
    staff.goto("/")
    click(staff, "ul.due >> text=741-3 連携中枢都市圏構想推進事業")
    click(staff, "form.workflow-submit button")

    chief.goto("/")
    click(chief, "#queue-title + table >> text=連携中枢都市圏構想推進事業")
    chief.fill("#id_return_reason", "R05決算の一般財源が未入力です。決算書の額を入れてください。")
    click(chief, "form.workflow-return button")

    staff.goto("/")
    shot(staff, "home-staff.png")
    chief.goto("/")
    shot(chief, "home-chief.png")
    planning.goto("/")
    shot(planning, "home-planning.png")

    chief.goto("/")
    click(chief, "#queue-title + table >> text=定住自立圏構想事業")
    chief.locator("section.workflow-actions").scroll_into_view_if_needed()
    chief.evaluate("window.scrollTo(0, document.querySelector('table.head').offsetTop - 10)")
    shot(chief, "sheet-actions.png")
    chief.locator("#workflow-history-title").scroll_into_view_if_needed()
    chief.evaluate(
        "window.scrollTo(0, document.querySelector('#workflow-history-title').offsetTop - 400)"
    )
    shot(chief, "sheet-history.png")

    staff.goto("/")
    click(staff, "ul.due.returned >> text=741-3 連携中枢都市圏構想推進事業")
    click(staff, ".sheet-actions >> text=編集")
    staff.evaluate(
        "window.scrollTo(0, document.querySelector('.cost-grid').getBoundingClientRect().top"
        " + window.scrollY - 120)"
    )
    shot(staff, "entry-tamana.png")
    browser.close()
