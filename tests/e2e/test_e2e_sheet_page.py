"""A person logs in and reads 741-2 as the paper form shows it."""

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_reads_741_2(new_page, demo_data):
    page = new_page()
    login(page, "tamana-staff")
    page.goto("/sheets/")
    page.get_by_role("link", name="定住自立圏構想事業").click()
    page.wait_for_load_state()
    total_row = page.locator("tr.total").first
    assert total_row.inner_text().split()[1:5] == ["4,385", "5,804", "2,826", "2,886"]
    assert page.get_by_role("heading", name="事務ふりかえりシート").is_visible()
    path = screenshot(page, "sheet-741-2")
    assert path.stat().st_size > 10_000


def test_wrong_password_shows_a_japanese_error(new_page, demo_data):
    page = new_page()
    login(page, "tamana-staff", "wrong")
    assert "正しいユーザー名とパスワードを入力してください" in page.content()
