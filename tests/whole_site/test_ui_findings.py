"""What a user hit in the browser (issue 11, finding 8), one test per finding."""

import re

import pytest
from django.test import Client

from tests.site.test_urls_unlocalized import site  # noqa: F401 (the demo data with a new year)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


# --- The list's sort choices are Japanese ---------------------------------------------------


def test_sort_choices_of_the_list_are_japanese(world):
    html = login(world["users"]["staff_a"]).get("/sheets/").content.decode()
    labels = dict(options(html, "sort"))
    assert labels["code"] == "事務事業コード（昇順）"
    assert labels["-code"] == "事務事業コード（降順）"
    assert labels["-updated"] == "更新日時（降順）"
    assert "descending" not in html


# --- 圏域計 over incomplete data says so -------------------------------------------------------


def test_region_total_over_incomplete_members_says_which_are_missing(demo_data, client):
    from municipalities.models import Municipality
    from regions.models import Region

    region = Region.objects.get(name="玉名圏域定住自立圏")
    # Two of the four members have a population on record, the two others none.
    Municipality.objects.filter(name__in=["玉名市", "南関町"]).update(population=1000)
    Municipality.objects.filter(name__in=["玉東町", "和水町"]).update(population=None)
    html = client.get(f"/public/regions/{region.pk}/").content.decode()
    total_row = re.search(r'<tr class="total">.*?</tr>', html, re.S).group(0)
    assert "2,000" in total_row
    assert "4団体中2団体の合計（未記入：玉東町、和水町）" in total_row


def test_region_total_over_complete_members_has_no_note(demo_data, client):
    from municipalities.models import Municipality
    from regions.models import Region

    region = Region.objects.get(name="玉名圏域定住自立圏")
    towns = Municipality.objects.filter(memberships__region=region)
    towns.update(population=10, households=5, area="1.5")
    html = client.get(f"/public/regions/{region.pk}/").content.decode()
    total_row = re.search(r'<tr class="total">.*?</tr>', html, re.S).group(0)
    assert "<td>40</td><td>20</td><td>6</td>" in total_row
    assert "未記入" not in total_row


def test_region_total_names_missing_members_per_column_when_they_differ(demo_data, client):
    from municipalities.models import Municipality
    from regions.models import Region

    region = Region.objects.get(name="玉名圏域定住自立圏")
    towns = Municipality.objects.filter(memberships__region=region)
    towns.update(population=10, households=5, area="1.5")
    towns.filter(name="玉東町").update(households=None)
    html = client.get(f"/public/regions/{region.pk}/").content.decode()
    total_row = re.search(r'<tr class="total">.*?</tr>', html, re.S).group(0)
    assert "<td>40</td>" in total_row
    assert "15" in total_row and "4団体中3団体の合計（未記入：玉東町）" in total_row


# --- The conflict page tells a save of one's own from someone else's ------------------------


def test_conflict_with_ones_own_save_in_another_window_says_so(demo_data):
    import html as htmllib

    from evalsheets.models import EvaluationSheet
    from tests.support.entry import make_draft, post_data, read_form, user

    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2"))
    me = login(user("tamana-staff"))
    url = f"/sheets/{sheet.pk}/edit/"
    first_window, _k, _o = read_form(me.get(url).content)
    second_window, _k, _o = read_form(me.get(url).content)
    first_window["sheet-intent"] = ["一つ目のタブで書いた意図。"]
    assert me.post(url, post_data(first_window)).status_code == 302
    second_window["sheet-intent"] = ["二つ目のタブで書いた意図。"]
    response = me.post(url, post_data(second_window))
    assert response.status_code == 409
    page = htmllib.unescape(response.content.decode())
    assert "別のウィンドウまたはタブで（あなた自身が）保存しました" in page
    assert "ほかの人" not in page


# --- The export job page has a real title ---------------------------------------------------


def test_export_job_page_is_titled_by_municipality_year_and_kind(world):
    from core.choices import ExportKind
    from evalsheets.models import ExportJob

    job = ExportJob.objects.create(
        municipality=world["town"],
        requested_by=world["users"]["planning"],
        kind=ExportKind.BOOKLET,
        parameters={"year": 2023, "department": None, "plan_node": None, "state": ""},
    )
    html = login(world["users"]["planning"]).get(f"/exports/{job.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("玉名市 令和5年度 PDF一括出力（冊子）")
    assert f"一括出力 {job.pk}" not in html
    assert "<h1>玉名市 令和5年度 PDF一括出力（冊子）</h1>" in html


# --- A favicon ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/login/", "/public/"])
def test_pages_link_a_favicon_that_exists(db, client, url):
    from django.contrib.staticfiles import finders

    html = client.get(url).content.decode()
    icons = re.findall(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert icons == ["favicon.svg", "favicon.ico"]
    svg = open(finders.find("favicon.svg"), encoding="utf-8").read()
    assert svg.startswith("<svg") and "</svg>" in svg
    with open(finders.find("favicon.ico"), "rb") as ico:
        assert ico.read(4) == b"\0\0\1\0"  # an ICO header


def test_favicon_ico_answers_with_the_icon(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"


# --- One date style: 和暦, no zero-padded era years, no ISO dates -----------------------------

ISO_DATE = re.compile(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}")
PADDED_ERA = re.compile(r"(令和|平成|昭和)0\d")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<textarea\b.*?</textarea>", " ", html, flags=re.S)  # typed text
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "username", ["tamana-staff", "tamana-chief", "isehara-planning", "hitoyoshi-chief", None]
)
@pytest.mark.usefixtures("site")
def test_pages_show_dates_in_one_style(username):
    from django.contrib.auth import get_user_model

    from evalsheets.models import EvaluationSheet
    from evalsheets.workflow import transitions as services
    from tests.site.test_urls_unlocalized import start_urls

    # An approved and a returned sheet: history rows with dates, 差戻し notes, the queue.
    users = {u.username: u for u in get_user_model().objects.all()}
    approved = EvaluationSheet.objects.get(project__code="741-2", state="draft")
    services.submit_sheet(approved, users["tamana-staff"])
    services.approve_sheet(approved, users["tamana-chief"], "所見です。")
    returned = EvaluationSheet.objects.get(project__code="40-106", state="draft")
    services.submit_sheet(returned, users["isehara-staff"])
    services.return_sheet(returned, users["isehara-chief"], "数字を確認してください。")
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    problems = []
    for url in [*start_urls(), "/sheets/?sort=-updated", "/exports/"]:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        problems += [f"{url}: {m.group(0)}" for m in ISO_DATE.finditer(text)]
        problems += [f"{url}: {m.group(0)}" for m in PADDED_ERA.finditer(text)]
    assert problems == []


# --- 伊勢原's 作成者（担当者） ------------------------------------------------------------------


def test_isehara_sheet_shows_its_author_on_the_page_and_in_the_pdf(demo_data):
    from django.contrib.auth import get_user_model

    from evalsheets.models import EvaluationSheet
    from tests.support.pdf import flat, pdf_text, render_pdf

    sheet = EvaluationSheet.objects.get(project__code="40-106")
    assert sheet.author_name == "担当太郎"  # the demo 担当者 of 経営企画課
    viewer = get_user_model().objects.get(username="isehara-viewer")
    html = login(viewer).get(f"/sheets/{sheet.pk}/").content.decode()
    cell = re.search(r"作成者（担当者）</th><td>([^<]*)</td>", html).group(1)
    assert cell == "担当太郎"
    text = flat(pdf_text(render_pdf(sheet).pdf))
    assert "作成者（担当者）" in text and "担当太郎" in text


def test_entry_form_proposes_the_staff_member_as_author_when_blank(demo_data):
    from django.contrib.auth import get_user_model

    from evalsheets.models import EvaluationSheet
    from tests.support.entry import make_draft, post_data, read_form

    sheet = make_draft(EvaluationSheet.objects.get(project__code="40-106"))
    EvaluationSheet.objects.filter(pk=sheet.pk).update(author_name="")
    users = get_user_model().objects
    staff = login(users.get(username="isehara-staff"))
    form, _k, _o = read_form(staff.get(f"/sheets/{sheet.pk}/edit/").content)
    assert form["sheet-author_name"] == ["担当太郎"]
    assert staff.post(f"/sheets/{sheet.pk}/edit/", post_data(form)).status_code == 302
    assert EvaluationSheet.objects.get(pk=sheet.pk).author_name == "担当太郎"
    # A 課長 or the 企画課 opening the form is not proposed as the author.
    EvaluationSheet.objects.filter(pk=sheet.pk).update(author_name="")
    planner = login(users.get(username="isehara-planning"))
    response = planner.get(f"/sheets/{sheet.pk}/edit/")
    if response.status_code == 200:
        form, _k, _o = read_form(response.content)
        assert form["sheet-author_name"] == [""]


# --- A rewritten long text: old and new side by side, changes by sentence or word ------------

OLD_TEXT = (
    "本市は定住自立圏の中心市として、圏域の連携を推進する。"
    "分科会を年2回開催し、進捗を管理した。\n"
    "移住相談は窓口で受け付けた。"
)
NEW_TEXT = (
    "本市は定住自立圏の中心市として、圏域の連携を強く推進する。"
    "オンライン移住相談会を新設し、首都圏の若年層に向けた発信を強化した。\n"
    "移住相談は窓口で受け付けた。"
)


def test_side_by_side_marks_whole_sentences_and_reworded_words():
    from evalsheets.sheets.diff import side_by_side

    left, right = side_by_side(OLD_TEXT, NEW_TEXT)
    assert "".join(text for _op, text in left) == OLD_TEXT
    assert "".join(text for _op, text in right) == NEW_TEXT
    assert {op for op, _t in left} <= {"equal", "del"}
    assert {op for op, _t in right} <= {"equal", "ins"}
    # A reworded sentence: the added word only.
    assert ("ins", "強く") in right
    # A rewritten sentence: marked whole on each side, not as fragments.
    assert ("del", "分科会を年2回開催し、進捗を管理した。") in left
    assert ("ins", "オンライン移住相談会を新設し、首都圏の若年層に向けた発信を強化した。") in right
    assert right[-1] == ("equal", "\n移住相談は窓口で受け付けた。")


def test_diff_page_shows_last_years_and_this_years_text_side_by_side(world):
    from django.urls import reverse

    from evalsheets.models import EvaluationSheet
    from evalsheets.workflow.years import open_fiscal_year

    old = world["sheets"]["a"]
    old.background = OLD_TEXT
    old.save()
    open_fiscal_year(
        world["users"]["planning"], world["town"], 2024, staff_salary=5500, part_time_salary=1300
    )
    new = EvaluationSheet.objects.get(project=old.project, fiscal_year=2024)
    new.background = NEW_TEXT
    new.save()
    html = login(world["users"]["chief_a"]).get(reverse("sheet_diff", args=[new.pk])).content
    row = re.search(
        r"<tr class=\"changed\"><th scope=\"row\">実施の背景.*?</tr>", html.decode(), re.S
    )
    assert row, "the 背景 row"
    old_cell, new_cell = re.findall(
        r"<td class=\"text pre (?:old|new)\">(.*?)</td>", row.group(0), re.S
    )
    assert re.sub(r"</?(ins|del)>", "", old_cell) == OLD_TEXT
    assert re.sub(r"</?(ins|del)>", "", new_cell) == NEW_TEXT
    assert "<del>" not in new_cell and "<ins>" not in old_cell
    assert "<del>分科会を年2回開催し、進捗を管理した。</del>" in old_cell
    assert "<ins>強く</ins>" in new_cell


def test_a_sentence_added_before_a_reworded_one_leaves_the_reworded_one_marked_by_word():
    from evalsheets.sheets.diff import side_by_side

    old = "前文。圏域全体で様々な事業に取り組む。"
    new = "前文。相談会を新設した。玉名圏域全体で様々な事業に取り組む。"
    left, right = side_by_side(old, new)
    assert left == [("equal", old)]
    assert right == [
        ("equal", "前文。"),
        ("ins", "相談会を新設した。玉名"),
        ("equal", "圏域全体で様々な事業に取り組む。"),
    ]


# --- A new year's copied cost columns say so until someone enters them -------------------------


def test_copied_cost_columns_are_marked_until_someone_enters_them(world):
    from core.choices import CostKind
    from evalsheets.models import CostRow, EvaluationSheet
    from evalsheets.workflow.years import open_fiscal_year
    from tests.support.entry import post_data, read_form

    old = world["sheets"]["a"]
    CostRow.objects.create(sheet=old, fiscal_year=2023, kind=CostKind.SETTLED, general_revenue=500)
    open_fiscal_year(
        world["users"]["planning"], world["town"], 2024, staff_salary=5500, part_time_salary=1300
    )
    new = EvaluationSheet.objects.get(project=old.project, fiscal_year=2024)
    states = dict(new.cost_rows.values_list("fiscal_year", "copy_state"))
    assert states == {2023: "carried", 2024: "blank"}
    assert new.cost_rows.get(fiscal_year=2023).general_revenue == 500

    staff = login(world["users"]["staff_a"])
    page = staff.get(f"/sheets/{new.pk}/").content.decode()
    assert page.count('class="copy-mark copy-carried">前年度からの引継ぎ<') == 1
    assert page.count('class="copy-mark copy-blank">未入力（新年度で追加）<') == 1
    assert "copy-note" in page
    form_page = staff.get(f"/sheets/{new.pk}/edit/").content
    assert "前年度からの引継ぎ" in form_page.decode()

    # Entering a figure of the carried column: that column is no longer marked.
    form, _k, _o = read_form(form_page)
    form["cost-settled-2023-general_revenue"] = ["520"]
    assert staff.post(f"/sheets/{new.pk}/edit/", post_data(form)).status_code == 302
    states = dict(new.cost_rows.values_list("fiscal_year", "copy_state"))
    assert states == {2023: "", 2024: "blank"}
    page = staff.get(f"/sheets/{new.pk}/").content.decode()
    assert "前年度からの引継ぎ<" not in page and "未入力（新年度で追加）<" in page


def test_last_years_sheet_and_submitted_sheets_show_no_copy_mark(world):
    from evalsheets.models import CostRow

    sheet = world["sheets"]["a"]
    CostRow.objects.filter(sheet=sheet).update(copy_state="carried")
    sheet.state = "submitted"
    sheet.save()
    page = login(world["users"]["chief_a"]).get(f"/sheets/{sheet.pk}/").content.decode()
    assert "copy-mark" not in page and "copy-note" not in page
