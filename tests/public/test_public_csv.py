"""The CSV of a public list: UTF-8 with BOM, the demo figures, the filters applied."""

import csv
import io

import pytest

from evalsheets.models import EvaluationSheet, Project
from municipalities.models import Section

pytestmark = pytest.mark.django_db

HEADER = [
    "事務事業コード",
    "事務事業名",
    "所管課",
    "施策",
    "実施年度",
    "事業費（令和4年度・千円）",
    "合計（令和4年度・千円）",
    "今後の方向性",
    "URL",
]


def read_csv(response):
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_tamana_2023_csv(client, demo_data):
    response = client.get("/public/432067/2023/sheets.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="evalsheets-432067-2023.csv"'
    assert b"\r\n" in response.content  # CRLF, as Excel writes it
    header, *rows = read_csv(response)
    assert header == HEADER
    chain = "⑦健全な行政運営 › （４）広域連携の推進 › （１）近隣自治体との連携"
    assert rows == [
        [
            "741-2",
            "定住自立圏構想事業",
            "企画経営課",
            chain,
            "令和5年度",
            "355",
            "2826",
            "現状のまま継続",
            "http://testserver/public/432067/2023/741-2/",
        ],
        [
            "741-3",
            "連携中枢都市圏構想推進事業",
            "企画経営課",
            chain,
            "令和5年度",
            "359",
            "1988",
            "現状のまま継続",
            "http://testserver/public/432067/2023/741-3/",
        ],
    ]


def test_csv_follows_the_filters(client, demo_data):
    section = Section.objects.get(municipality__code="432032", name="税務課")
    response = client.get("/public/432032/2024/sheets.csv", {"section": section.pk})
    header, *rows = read_csv(response)
    assert header[5] == "事業費（令和5年度・千円）"
    assert [row[0] for row in rows] == ["6-5-6"]
    assert rows[0][4] == "令和6年度"
    assert rows[0][8].endswith("/public/432032/2024/6-5-6/")


def test_csv_links_from_the_list_page_keep_the_filters(client, demo_data):
    section = Section.objects.get(municipality__code="432032", name="税務課")
    response = client.get("/public/432032/2024/", {"section": section.pk})
    assert f"sheets.csv?section={section.pk}" in response.content.decode()


def test_csv_cells_that_look_like_formulas_are_neutralised(client, demo_data):
    project = Project.objects.get(municipality__code="432067", code="741-2")
    project.name = '=HYPERLINK("http://example.invalid")'
    project.save()
    _header, *rows = read_csv(client.get("/public/432067/2023/sheets.csv"))
    assert rows[0][1] == '\'=HYPERLINK("http://example.invalid")'


def test_csv_blank_costs_when_the_results_year_has_none(client, demo_data):
    sheet = EvaluationSheet.objects.get(project__code="741-3", fiscal_year=2023)
    sheet.cost_rows.filter(fiscal_year=2022).delete()
    _header, *rows = read_csv(client.get("/public/432067/2023/sheets.csv"))
    assert rows[1][0] == "741-3"
    assert rows[1][5:7] == ["", ""]


def test_csv_query_count(client, demo_data, django_assert_num_queries):
    # 1 municipality, 2 exists(), 3 sheets (+ project, section, plan node), 4 cost rows,
    # 5 efforts, 6 average salaries, 7 plan nodes for the 施策 chains.
    with django_assert_num_queries(7):
        response = client.get("/public/432032/2024/sheets.csv")
    assert len(read_csv(response)) == 20
