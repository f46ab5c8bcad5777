"""The Excel export, opened again with openpyxl."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(b"".join(response)), read_only=True)


def test_export_of_the_demo_year_reopens_with_the_seed_figures(client, demo_data):
    client.force_login(get_user_model().objects.get(username="tamana-planning"))
    book = workbook_of(client.get(reverse("sheet_list_xlsx")))
    assert book.sheetnames == ["評価シート", "事業費"]
    rows = list(book["評価シート"].values)
    assert rows[0][:3] == ("事務事業コード", "事務事業名", "部")
    codes = {row[0]: row for row in rows[1:]}
    assert set(codes) == {"741-2", "741-3"}  # only the user's municipality
    assert codes["741-2"][5] == "令和5年度" and codes["741-2"][6] == "公表"
    assert codes["741-2"][4] == "⑦健全な行政運営 › （４）広域連携の推進 › （１）近隣自治体との連携"
    assert codes["741-2"][9].startswith("第2期共生ビジョンに基づく取組")
    costs = [row for row in book["事業費"].values if row[0] == "741-2"]
    totals = [row[-1] for row in costs if row[4] in ("決算", "予算")]
    assert totals == [4385, 5804, 2826, 2886]
    personnel = [row[14] for row in costs if row[4] in ("決算", "予算")]
    assert personnel == [4185, 4978, 2471, 2453]


def test_export_follows_the_list_filters(client, demo_data):
    client.force_login(get_user_model().objects.get(username="hitoyoshi-planning"))
    book = workbook_of(client.get(reverse("sheet_list_xlsx")))
    assert len(list(book["評価シート"].values)) == 1 + 19
    book = workbook_of(client.get(reverse("sheet_list_xlsx"), {"q": "移住"}))
    rows = list(book["評価シート"].values)[1:]
    assert [row[1] for row in rows] == ["移住促進事業"]


def test_staff_may_not_export(client, demo_data):
    client.force_login(get_user_model().objects.get(username="tamana-staff"))
    assert client.get(reverse("sheet_list_xlsx")).status_code == 403


def test_a_layouts_own_fields_have_their_worksheet(client, demo_data):
    """大船渡市's 様式 adds fields: they are exported, a number per year one row per year."""
    client.force_login(get_user_model().objects.get(username="ofunato-planning"))
    book = workbook_of(client.get(reverse("sheet_list_xlsx"), {"year": 2025}))
    assert book.sheetnames == ["評価シート", "事業費", "様式独自の項目"]
    rows = [row for row in book["様式独自の項目"].values if row[0] == "0582"]
    assert (
        "0582",
        "大船渡市魚市場維持管理事業",
        "令和7年度",
        "結果（上位の基本事業への結果）",
        None,
        "・魚市場の水揚量の増加。",
    ) in rows
    hours = [row for row in rows if row[3] == "延べ業務時間（時間）"]
    assert [(row[4], row[5]) for row in hours][:2] == [("令和2年度", 30), ("令和3年度", 100)]
    sheets = {row[0]: row for row in book["評価シート"].values}
    assert sheets["0582"][8] == "２　改革改善（縮小・統合含む）"
