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
