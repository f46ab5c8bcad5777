"""The entry form in a real browser (Debian's chromium through Playwright): live figures,
errors next to the fields, and a conflict between two logged-in people.

The browser is the session one of tests/e2e/conftest.py."""

import pytest
from django.contrib.auth import get_user_model

from evalsheets.demo import DEMO_PASSWORD
from evalsheets.models import EvaluationSheet
from municipalities.choices import Role
from tests.conftest import make_user
from tests.e2e.conftest import login, screenshot
from tests.support.entry import make_draft, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_as(new_page, username):
    page = new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    login(page, username)
    return page


def save(page):
    with page.expect_navigation():
        page.click("button[name=save]")


def out(page, kind, col):
    return page.locator(f'output[data-out="{kind}"][data-col="{col}"]').inner_text()


def test_live_totals_errors_and_conflict(new_page, demo_data):
    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2"))
    first = get_user_model().objects.get(username="tamana-staff")
    second = make_user(
        "tamana-staff-b", first.profile.municipality, Role.STAFF, first.profile.section
    )
    second.set_password(DEMO_PASSWORD)
    second.last_name, second.first_name = "別担当", "次子"
    second.save()
    edit = f"/sheets/{sheet.pk}/edit/"

    # Two people, two browser contexts (two sessions), the same draft open at 第1版.
    alice = open_as(new_page, "tamana-staff")
    bob = open_as(new_page, "tamana-staff-b")
    alice.goto(f"/sheets/{sheet.pk}/")
    alice.click("text=編集")
    alice.wait_for_url(f"**{edit}")
    bob.goto(edit)

    # Figures as the seed prints them, then live as full-width digits are typed.
    assert out(alice, "personnel", "settled-2020") == "4,185"
    assert out(alice, "total", "settled-2020") == "4,385"
    alice.fill('[name="effort-2020-staff_fte"]', "１．００")
    alice.fill('[name="cost-settled-2020-prefectural_subsidy"]', "１，０００")
    assert out(alice, "subtotal", "settled-2020") == "1,200"
    assert out(alice, "personnel", "settled-2020") == "5,554"
    assert out(alice, "total", "settled-2020") == "6,754"
    alice.fill('[name="out-0-actual_2021"]', "５０")
    assert alice.locator('output[data-row="out-0"][data-year="2021"]').inner_text() == "50%"

    # A bad value: the error is shown next to the field, the typed text stays.
    alice.fill('[name="cost-settled-2021-general_revenue"]', "八百")
    save(alice)
    cell = alice.locator('[name="cost-settled-2021-general_revenue"]')
    assert cell.input_value() == "八百"
    assert "数値で入力してください" in cell.locator("xpath=..").inner_text()
    screenshot(alice, "entry-field-error")
    assert "誤りのない項目は保存しました（第2版）" in alice.content()
    assert out(alice, "personnel", "settled-2020") == "5,554"  # the server's figure
    alice.fill('[name="cost-settled-2021-general_revenue"]', "８００")
    save(alice)
    assert "下書きを保存しました（第3版" in alice.content()

    # Bob's form was opened at 第1版: his save shows the conflict page, nothing is lost.
    stored = snapshot(sheet)
    bob.fill('[name="sheet-intent"]', "Bさんの意図")
    bob.fill('[name="cost-settled-2021-general_revenue"]', "９９９")
    with bob.expect_navigation() as navigation:
        bob.click("button[name=save]")
    assert navigation.value.status == 409
    assert "ほかの人が先に更新しています" in bob.content()
    assert "あなたの入力は保存していません。相手の内容も上書きしていません。" in bob.content()
    screenshot(bob, "entry-conflict")
    assert snapshot(sheet) == stored  # not one value written, children included
    assert bob.locator("tr.differs").count() >= 4
    yours = bob.locator("tr.differs td.yours textarea")
    assert "Bさんの意図" in [yours.nth(i).input_value() for i in range(yours.count())]
    sheet.refresh_from_db()
    assert sheet.version == 3 and sheet.intent != "Bさんの意図"
    assert sheet.cost_rows.get(fiscal_year=2021, kind="settled").general_revenue == 800
    with bob.expect_navigation():
        bob.click("text=最新の内容（第3版）で編集をやり直す")
    assert bob.locator('[name="version"]').input_value() == "3"
    # The fresh form shows Alice's figures; Bob types his text again and saves (第4版).
    assert bob.locator('[name="cost-settled-2021-general_revenue"]').input_value() == "800"
    bob.fill('[name="sheet-intent"]', "Bさんの意図")
    save(bob)
    assert "下書きを保存しました（第4版、1項目を変更）" in bob.content()
    sheet.refresh_from_db()
    assert sheet.intent == "Bさんの意図"
    assert sheet.cost_rows.get(fiscal_year=2021, kind="settled").general_revenue == 800
    assert alice.js_errors == [] and bob.js_errors == []
