"""The read-only sheet page and list: login required, only the user's municipality."""

import pytest
from django.urls import reverse

from evalsheets.models import EvaluationSheet

pytestmark = pytest.mark.django_db


def test_login_required(client, world):
    sheet = world["sheets"]["a"]
    for url in (reverse("sheet_list"), reverse("sheet_detail", args=[sheet.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_other_municipality_sheet_is_404(client, world):
    client.force_login(world["users"]["planning_other"])
    response = client.get(reverse("sheet_detail", args=[world["sheets"]["a"].pk]))
    assert response.status_code == 404
    # …and their own is visible
    response = client.get(reverse("sheet_detail", args=[world["sheets"]["x"].pk]))
    assert response.status_code == 200


def test_list_shows_only_own_municipality(client, world):
    client.force_login(world["users"]["planning"])
    html = client.get(reverse("sheet_list")).content.decode()
    assert "定住自立圏構想事業" in html and "財政運営事業" in html
    assert "様々な主体との連携推進事業" not in html


def test_staff_sees_own_section_but_not_other_sections_drafts(client, world):
    client.force_login(world["users"]["staff_a"])
    assert client.get(reverse("sheet_detail", args=[world["sheets"]["a"].pk])).status_code == 200
    assert client.get(reverse("sheet_detail", args=[world["sheets"]["b"].pk])).status_code == 404


def test_user_without_profile_sees_nothing(client, world, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    assert client.get(reverse("sheet_detail", args=[world["sheets"]["a"].pk])).status_code == 404


def test_tamana_741_2_page_shows_the_seed_figures(client, demo_data, django_user_model):
    client.force_login(django_user_model.objects.get(username="tamana-staff"))
    sheet = EvaluationSheet.objects.get(project__code="741-2")
    html = client.get(reverse("sheet_detail", args=[sheet.pk])).content.decode()
    for figure in (
        "4,385",
        "5,804",
        "2,826",
        "2,886",
        "4,185",
        "4,978",
        "2,471",
        "2,453",
        "5,476",
        "1,950",
        "0.75",
        "0.04",
        "37.7",
        "42.5",
    ):
        assert figure in html
    for label in (
        "事務ふりかえりシート",
        "令和5年度（令和4年度実績）",
        "R02年度決算",
        "R05年度予算",
        "定住自立圏構想推進要綱",
        "石貫誠哉",
        "■ 現状のまま継続",
        "⑦健全な行政運営",
        "【実施主体の妥当性】",
        "■ 市が実施すべき",
    ):
        assert label in html, label


def test_741_3_shows_not_applicable_as_stars(client, demo_data, django_user_model):
    client.force_login(django_user_model.objects.get(username="tamana-planning"))
    sheet = EvaluationSheet.objects.get(project__code="741-3")
    html = client.get(reverse("sheet_detail", args=[sheet.pk])).content.decode()
    assert "***" in html
    assert "1,988" in html and "1,735" in html


def test_isehara_and_hitoyoshi_pages(client, demo_data, django_user_model):
    client.force_login(django_user_model.objects.get(username="isehara-staff"))
    html = client.get(
        reverse("sheet_detail", args=[EvaluationSheet.objects.get(project__code="40-106").pk])
    ).content.decode()
    for text in (
        "事務事業評価シート",
        "818",
        "857",
        "101,381",
        "101,119",
        "8 円",
        "昭和44年度",
        "市民に信頼される市政の推進",
        "■ 計画どおり (A)",
    ):
        assert text in html, text
    client.force_login(django_user_model.objects.get(username="hitoyoshi-planning"))
    html = client.get(
        reverse("sheet_detail", args=[EvaluationSheet.objects.get(project__code="6-1-1").pk])
    ).content.decode()
    for text in ("移住促進事業", "2,518", "8,621", "2,068", "商工観光課", "58.8%"):
        assert text in html, text
    # the 人吉 planning user cannot open 玉名's sheet
    other = EvaluationSheet.objects.get(project__code="741-2")
    assert client.get(reverse("sheet_detail", args=[other.pk])).status_code == 404


def test_list_filters_and_counts(client, demo_data, django_user_model):
    client.force_login(django_user_model.objects.get(username="hitoyoshi-planning"))
    html = client.get(reverse("sheet_list")).content.decode()
    assert "19 件" in html
    html = client.get(reverse("sheet_list"), {"q": "移住"}).content.decode()
    assert "1 件" in html and "移住促進事業" in html
