"""The demo regions as the acceptance of issue 15 states them: the figures of the seed,
the demo rounds, the links to the sheets."""

import re

import pytest

from regions.models import ProgressRound, Region
from regions.progress import kpi_progress_of

pytestmark = pytest.mark.django_db


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def region(name):
    return Region.objects.get(name=name)


def test_kumamoto_page_figures_and_chart(client, demo_data):
    metro = region("熊本連携中枢都市圏")
    response = client.get(f"/public/regions/{metro.pk}/")
    assert response.status_code == 200
    assert len(response.context["members"]) == 20
    text = text_of(response)
    for figure in ("1,268,400", "551,384", "3,290.37", "29,552"):
        assert figure in text
    rows = {row.kpi.name: row for row in response.context["kpis"]}
    gdp = rows["圏域内総生産額"]
    assert gdp.points[0].value == 4790058 and gdp.points[0].year == 2020
    assert gdp.target.value == 4830000
    assert "4,790,058 （2020）" in text and "4,830,000" in text
    html = response.content.decode()
    assert 'aria-label="圏域内総生産額の推移"' in html
    # the published demo round: progress is not 0 %, and marked as demo values
    assert gdp.latest.year == 2023 and gdp.latest.demo
    assert gdp.progress not in (None, 0)
    assert "令和5年度（2023年度）の進捗状況" in text
    assert "小規模マッチング会を4回開催" in text
    assert "20団体中2団体の合計" in text  # not a silent sum of 2 of 20


def test_tamana_page_members_and_project_link(client, demo_data):
    tamana = region("玉名圏域定住自立圏")
    response = client.get(f"/public/regions/{tamana.pk}/")
    members = response.context["members"]
    assert [m.municipality.name for m in members] == ["玉名市", "玉東町", "和水町", "南関町"]
    assert members[0].role_label == "中心市"
    html = response.content.decode()
    assert 'href="/public/432067/2023/741-2/"' in html
    assert 'href="/public/432067/2023/741-2/pdf/"' in html
    # Its round is open, not published: nothing of it on the public page.
    assert response.context["round"] is None
    assert "分科会を1回" not in text_of(response)


@pytest.mark.parametrize("name", ["熊本連携中枢都市圏", "玉名圏域定住自立圏"])
def test_demo_round_per_region(demo_data, name):
    (round_,) = ProgressRound.objects.filter(region__name=name)
    reporters = {r.municipality_id for r in round_.reports.all()}
    assert len(reporters) >= 2
    progressed = []
    for kpi in round_.region.kpis.prefetch_related("values"):
        row = kpi_progress_of(kpi)
        if row.latest and row.progress not in (None, 0):
            progressed.append(row)
    assert progressed
    assert all(r.is_demo for r in round_.reports.all())


def test_sheet_page_shows_the_initiative(client, demo_data):
    response = client.get("/public/432067/2023/741-2/")
    text = text_of(response)
    assert "玉名圏域定住自立圏" in text
    assert re.search(r"ア\s*共生ビジョンの推進・進捗管理", text)
