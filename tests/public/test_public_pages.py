"""Public pages (no login) with the demo data: lists, filters, sheet pages."""

import pytest
from django.urls import reverse

from evalsheets.models import EvaluationSheet
from municipalities.models import PlanNode, Section

pytestmark = pytest.mark.django_db

TAMANA, ISEHARA, HITOYOSHI, OFUNATO = "432067", "142140", "432032", "032034"


def codes_in(response):
    return [row.project.code for row in response.context["rows"]]


def test_top_page_lists_municipalities_with_published_sheets(client, demo_data):
    response = client.get("/public/")
    assert response.status_code == 200
    listed = {m.code: m for m in response.context["municipalities"]}
    assert set(listed) == {TAMANA, ISEHARA, HITOYOSHI, OFUNATO}
    assert listed[TAMANA].sheet_count == 2
    assert listed[HITOYOSHI].sheet_count == 19
    assert listed[HITOYOSHI].latest_year == 2024
    html = response.content.decode()
    assert reverse("public:municipality", args=[TAMANA]) in html
    assert reverse("public:year", args=[HITOYOSHI, 2024]) in html
    # Members of a region without sheets (玉東町) are not on the top page.
    assert "玉東町" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/public/",
        f"/public/{TAMANA}/",
        f"/public/{TAMANA}/2023/",
        f"/public/{TAMANA}/2023/sheets.csv",
        f"/public/{TAMANA}/2023/741-2/",
        f"/public/{ISEHARA}/2023/40-106/",
        f"/public/{HITOYOSHI}/2024/6-1-1/",
        "/public/regions/",
    ],
)
def test_anonymous_access_without_login_redirect(client, demo_data, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "/login/" not in response.get("Location", "")


def test_municipality_page_lists_years(client, demo_data):
    response = client.get(f"/public/{TAMANA}/")
    assert [(y["fiscal_year"], y["sheet_count"]) for y in response.context["years"]] == [(2023, 2)]
    html = response.content.decode()
    assert "令和5年度" in html and "令和4年度の実績" in html
    assert "玉名圏域定住自立圏" in html and "熊本連携中枢都市圏" in html


def test_year_list_shows_the_published_sheets_with_costs(client, demo_data):
    response = client.get(f"/public/{TAMANA}/2023/")
    assert codes_in(response) == ["741-2", "741-3"]
    rows = {row.project.code: row for row in response.context["rows"]}
    assert rows["741-2"].total == 2826
    assert rows["741-3"].total == 1988
    html = response.content.decode()
    assert "2,826" in html and "1,988" in html
    assert "（１）近隣自治体との連携" in html
    assert reverse("public:sheet", args=[TAMANA, 2023, "741-2"]) in html


def test_unknown_municipality_year_or_project_is_404(client, demo_data):
    assert client.get("/public/999999/").status_code == 404
    assert client.get(f"/public/{TAMANA}/2019/").status_code == 404
    assert client.get(f"/public/{TAMANA}/2019/sheets.csv").status_code == 404
    assert client.get(f"/public/{TAMANA}/2023/999-9/").status_code == 404
    # A real project code, but of another municipality.
    assert client.get(f"/public/{TAMANA}/2023/40-106/").status_code == 404
    # A region member without any sheet.
    assert client.get("/public/433641/").status_code == 404


def test_filter_by_plan_node_includes_descendants(client, demo_data):
    root = PlanNode.objects.get(plan__municipality__code=HITOYOSHI, path="6")
    node = PlanNode.objects.get(plan__municipality__code=HITOYOSHI, path="6/(3)")
    everything = client.get(f"/public/{HITOYOSHI}/2024/")
    assert len(codes_in(everything)) == 19
    assert codes_in(client.get(f"/public/{HITOYOSHI}/2024/", {"plan_node": root.pk})) == (
        codes_in(everything)
    )
    assert codes_in(client.get(f"/public/{HITOYOSHI}/2024/", {"plan_node": node.pk})) == [
        "6-3-1",
        "6-3-2",
        "6-3-3",
        "6-3-4",
        "6-3-5",
    ]


def test_plan_filter_matches_whole_path_segments(client, demo_data):
    """施策 (1) must not pick up a sibling (10) whose path merely starts with the same text."""
    parent = PlanNode.objects.get(plan__municipality__code=HITOYOSHI, path="6")
    sibling = PlanNode.objects.create(plan=parent.plan, parent=parent, code="(10)", name="試験")
    sheet = EvaluationSheet.objects.get(project__code="6-5-6", fiscal_year=2024)
    sheet.project.plan_node = sibling
    sheet.project.save()
    node = PlanNode.objects.get(plan=parent.plan, path="6/(1)")
    response = client.get(f"/public/{HITOYOSHI}/2024/", {"plan_node": node.pk})
    assert codes_in(response) == ["6-1-1", "6-1-2"]
    response = client.get(f"/public/{HITOYOSHI}/2024/", {"plan_node": sibling.pk})
    assert codes_in(response) == ["6-5-6"]


def test_filter_by_section_and_combined(client, demo_data):
    section = Section.objects.get(municipality__code=HITOYOSHI, name="行財政改革課")
    node = PlanNode.objects.get(plan__municipality__code=HITOYOSHI, path="6/(5)")
    url = f"/public/{HITOYOSHI}/2024/"
    assert codes_in(client.get(url, {"section": section.pk})) == [
        "6-4-1",
        "6-4-2",
        "6-5-1",
        "6-5-3",
        "6-5-4",
    ]
    assert codes_in(client.get(url, {"section": section.pk, "plan_node": node.pk})) == [
        "6-5-1",
        "6-5-3",
        "6-5-4",
    ]
    assert codes_in(client.get(url, {"q": "財政"})) == ["6-5-1", "6-5-2"]


def test_filter_choices_belong_to_the_municipality(client, demo_data):
    response = client.get(f"/public/{TAMANA}/2023/")
    form = response.context["filter"].form
    sections = list(form.fields["section"].queryset)
    assert [s.name for s in sections] == ["企画経営課"]
    nodes = list(form.fields["plan_node"].queryset)
    assert {n.plan.municipality.code for n in nodes} == {TAMANA}
    labels = [label for _value, label in form.fields["plan_node"].choices]
    assert "　　（１） 近隣自治体との連携" in labels


def test_foreign_or_bad_filter_values_are_errors_not_500(client, demo_data):
    other_node = PlanNode.objects.filter(plan__municipality__code=HITOYOSHI).first()
    other_section = Section.objects.filter(municipality__code=HITOYOSHI).first()
    for params in (
        {"plan_node": other_node.pk},
        {"section": other_section.pk},
        {"plan_node": "abc", "section": "１"},
    ):
        response = client.get(f"/public/{TAMANA}/2023/", params)
        assert response.status_code == 200
        assert response.context["filter"].errors
        assert "正しく選択してください" in response.content.decode()
        # Invalid values narrow nothing: the list is still the whole year.
        assert codes_in(response) == ["741-2", "741-3"]


def test_empty_filter_result(client, demo_data):
    response = client.get(f"/public/{TAMANA}/2023/", {"q": "存在しない事業"})
    assert response.status_code == 200
    assert codes_in(response) == []
    assert "条件に合う評価シートはありません" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"/public/{TAMANA}/2023/741-2/", ["定住自立圏構想事業", "事務ふりかえりシート", "4,385"]),
        (f"/public/{ISEHARA}/2023/40-106/", ["様々な主体との連携推進事業", "計画 (Plan)"]),
        (f"/public/{HITOYOSHI}/2024/6-1-1/", ["移住促進事業", "事務事業実績"]),
    ],
)
def test_sheet_page_in_its_form(client, demo_data, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html
    assert "公表日" in html
    # Nothing of the logged-in UI: no state badge, no link to the staff list.
    assert reverse("sheet_list") not in html
    assert 'class="state' not in html


def test_sheet_page_links_the_frozen_pdf(client, demo_data):
    response = client.get(f"/public/{TAMANA}/2023/741-2/")
    assert response.context["pdf_url"] == f"/public/{TAMANA}/2023/741-2/pdf/"
    assert f'href="/public/{TAMANA}/2023/741-2/pdf/">公表用PDF' in response.content.decode()


def test_logged_in_sheet_page_still_works(client, demo_data):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="tamana-staff"))
    sheet = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2023)
    response = client.get(reverse("sheet_detail", args=[sheet.pk]))
    assert response.status_code == 200
    assert "事務ふりかえりシート" in response.content.decode()


def test_year_list_query_count(client, demo_data, django_assert_num_queries):
    # 1 municipality, 2 exists(), 3 sheets (+ project, section, plan node), 4 cost rows,
    # 5 efforts, 6 average salaries, 7 plan nodes for the 施策 chains,
    # 8 施策 choices, 9 課 choices.
    with django_assert_num_queries(9):
        response = client.get(f"/public/{HITOYOSHI}/2024/")
    assert len(response.context["rows"]) == 19


@pytest.mark.parametrize(
    "typed",
    ["７４１－２", "741-2", " ７４１−２ ", "７４１ー２"[:3] + "-２"],
)
def test_keyword_search_reads_full_width_input_as_typed(client, demo_data, typed):
    """A code typed with a Japanese keyboard (full-width digits, the full-width hyphen or
    the minus sign) finds the project, as on the logged-in list."""
    response = client.get(f"/public/{TAMANA}/2023/", {"q": typed})
    assert response.status_code == 200
    assert codes_in(response) == ["741-2"]


def test_keyword_search_reads_full_width_letters_of_a_name(client, demo_data):
    assert codes_in(client.get(f"/public/{HITOYOSHI}/2024/", {"q": "財政"})) == [
        "6-5-1",
        "6-5-2",
    ]
