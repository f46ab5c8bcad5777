"""In a real browser: an out-of-range number is refused next to its field, and a
number-like text is shown as typed on the sheet page and in its history (issue 11,
findings 1 and 2). Screenshots: test-artifacts/bounds-*.png, text-as-text-*.png."""

import pytest

from evalsheets.models import EvaluationSheet
from tests.e2e.conftest import login, screenshot
from tests.support.entry import make_draft, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def save(page):
    with page.expect_navigation():
        page.click("button[name=save]")


def test_out_of_range_baseline_is_refused_next_to_the_field(new_page, demo_data):
    sheet = make_draft(EvaluationSheet.objects.get(project__code="40-106"))
    before = snapshot(sheet)
    page = new_page()
    login(page, "isehara-staff")
    page.goto(f"/sheets/{sheet.pk}/edit/")
    page.fill('[name="out-0-baseline"]', "-999999999999999999999")
    page.fill('[name="out-0-baseline_year"]', "2201")
    save(page)
    cell = page.locator('.cell.has-error:has([name="out-0-baseline"])')
    assert "-999,999,999,999.99以上で入力してください。" in cell.inner_text()
    year = page.locator('.cell.has-error:has([name="out-0-baseline_year"])')
    assert "2200以下で入力してください。" in year.inner_text()
    assert page.input_value('[name="out-0-baseline"]') == "-999999999999999999999"
    cell.scroll_into_view_if_needed()
    screenshot(page, "bounds-isehara-baseline")
    assert snapshot(sheet) == before


def test_number_like_text_is_shown_as_typed(new_page, demo_data):
    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2"))
    page = new_page()
    login(page, "tamana-staff")
    page.goto(f"/sheets/{sheet.pk}/edit/")
    page.fill('[name="sheet-background"]', "1e1000000")
    page.fill('[name="sheet-author_name"]', "Infinity")
    save(page)
    chief = new_page()
    login(chief, "tamana-chief")
    response = chief.goto(f"/sheets/{sheet.pk}/")
    assert response.status == 200
    assert "1e1000000" in chief.locator("main").inner_text()
    history = chief.locator(".workflow-history")
    history.scroll_into_view_if_needed()
    assert "1e1000000" in history.inner_text() and "Infinity" in history.inner_text()
    screenshot(chief, "text-as-text-history")
