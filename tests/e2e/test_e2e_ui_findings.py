"""What a user saw in the browser (issue 11, finding 8): the layout findings, measured."""

import pytest

from evalsheets.models import EvaluationSheet
from municipalities.models import StaffProfile
from tests.e2e.conftest import login, screenshot
from tests.support.entry import make_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# Lines of text in an element: its text boxes grouped by the vertical band they share (a
# small and a normal font on one line have different tops but overlap).
LINES = """el => {
  const range = document.createRange(); range.selectNodeContents(el);
  const boxes = [...range.getClientRects()].filter(b => b.width > 0)
    .sort((a, b) => a.top - b.top);
  let lines = 0, bottom = -Infinity;
  for (const b of boxes) {
    if (b.top >= bottom - 2) { lines += 1; }
    bottom = Math.max(bottom, b.bottom);
  }
  return lines;
}"""


@pytest.mark.parametrize("code", ["741-2", "40-106", "6-1-1"])
def test_the_save_bar_never_covers_the_total_row_brought_into_view(new_page, demo_data, code):
    sheet = make_draft(EvaluationSheet.objects.get(project__code=code))
    staff = StaffProfile.objects.get(role="staff", section=sheet.project.section).user
    page = new_page((1280, 800))
    login(page, staff.username)
    page.goto(f"/sheets/{sheet.pk}/edit/")
    bar = page.locator(".entry .actions").first
    # The cost table's last total (合計, トータルコスト, 単位当たりコスト; 人吉: 事業費).
    total = page.locator("#entry-form table:has(tr.sum)").first.locator("tr.total, tr.sum").last
    # As the browser brings a row into view (a focused input, a link to an error, Find):
    # the nearest edge, here the bottom of the window, where the save bar sits.
    total.evaluate("row => row.scrollIntoView({block: 'end'})")
    page.wait_for_timeout(100)
    row_box, bar_box = total.bounding_box(), bar.bounding_box()
    screenshot(page.locator("body").page, f"save-bar-{code}")
    assert row_box["y"] + row_box["height"] <= bar_box["y"] + 1
    # At the very end of the page the last row of the form is above the bar too.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(100)
    form_box = page.locator("#entry-form").bounding_box()
    bar_box = bar.bounding_box()
    last_row = page.locator("#entry-form table tr").last.bounding_box()
    assert last_row["y"] + last_row["height"] <= bar_box["y"] + 1
    assert form_box is not None


def test_isehara_check_viewpoints_keep_their_labels_on_one_or_two_lines(new_page, demo_data):
    sheet = EvaluationSheet.objects.get(project__code="40-106")
    page = new_page((1280, 900))
    login(page, "isehara-viewer")
    page.goto(f"/sheets/{sheet.pk}/")
    heads = page.locator("table.viewpoints tbody th[scope=row]")
    assert heads.count() >= 4
    for i in range(heads.count()):
        # 「評価 (Check) 進捗状況」 on one line and 「左記判断理由」 on the next: two lines.
        lines = heads.nth(i).evaluate(LINES)
        assert lines <= 2, heads.nth(i).inner_text()
    page.locator("table.viewpoints").first.screenshot(
        path=str(screenshot(page, "isehara-viewpoints").parent / "isehara-viewpoints-table.png")
    )
