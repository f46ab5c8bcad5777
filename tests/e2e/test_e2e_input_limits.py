"""Input limits as a user meets them (issue 11, finding 5), with screenshots in
test-artifacts/input-limits-*.png: the admin's import states its limits and refuses a
file over them under the file field; a 所見 over 2000 characters gets the entry form's
message under the field, the text kept; form data that is not UTF-8 answers a Japanese
page and stores nothing.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from core.choices import SheetState
from evalsheets.models import AuditEntry, EvaluationSheet
from evalsheets.workflow.audit import ACTION_APPROVE
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_import_states_and_applies_its_limits(new_page, demo_data, settings, tmp_path):
    settings.EVALSHEETS_IMPORT_MAX_ROWS = 5
    get_user_model().objects.create_superuser("root", "root@example.jp", "pw-root-long-enough")
    page = new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root-long-enough")
    page.click("input[type=submit]")
    page.goto("/admin/municipalities/department/import/")
    expect(page.locator("p.help")).to_contain_text("10 MB、5行（見出しの行を除く）まで")
    rows = "".join(f"432067,部{i},部長{i},{i}\n" for i in range(6))
    upload = tmp_path / "departments.csv"
    upload.write_text("municipality,name,head_name,sort_order\n" + rows, encoding="utf-8")
    page.set_input_files("#id_import_file", str(upload))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation():
        page.click("input[type=submit]")
    errors = page.locator("ul.errorlist")
    expect(errors).to_contain_text("行が多すぎます。一度に取り込めるのは5行")
    screenshot(page, "input-limits-01-admin-import-rows")


def test_a_too_long_remark_is_kept_with_the_entry_forms_message(new_page, demo_data):
    sheet = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2023)
    EvaluationSheet.objects.filter(pk=sheet.pk).update(
        state=SheetState.SUBMITTED, approved_at=None, published_at=None, approved_by=None
    )
    page = new_page()
    login(page, "tamana-chief")
    page.goto(f"/sheets/{sheet.pk}/")
    text = "所" * 2001
    page.fill("textarea[name=remarks]", text)
    with page.expect_navigation():
        page.click("form[action$='/approve/'] button[type=submit]")
    field = page.locator("textarea[name=remarks]")
    expect(field).to_have_value(text)  # nothing typed is lost
    expect(page.locator("form[action$='/approve/']")).to_contain_text(
        "2000文字以内で入力してください（現在2001文字）。"
    )
    screenshot(page, "input-limits-02-remarks-too-long")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED


def test_form_data_that_is_not_utf8_is_refused_with_a_page(new_page, demo_data):
    sheet = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2023)
    EvaluationSheet.objects.filter(pk=sheet.pk).update(
        state=SheetState.SUBMITTED, approved_at=None, published_at=None, approved_by=None
    )
    page = new_page()
    login(page, "tamana-chief")
    page.goto(f"/sheets/{sheet.pk}/")

    def corrupt(route):
        # What a broken client or proxy might send: the text's bytes cut mid-character.
        body = route.request.post_data_buffer.replace(b"remarks=", b"remarks=%E6%89%80%FF", 1)
        route.continue_(post_data=body)

    page.route("**/approve/", corrupt)
    page.fill("textarea[name=remarks]", "所見です。")
    with page.expect_navigation():
        page.click("form[action$='/approve/'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("送信を受け付けられませんでした（400）")
    expect(page.locator("main")).to_contain_text("文字コード（UTF-8）として正しくないもの")
    screenshot(page, "input-limits-03-invalid-utf8")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    assert not AuditEntry.objects.filter(action=ACTION_APPROVE).exists()
