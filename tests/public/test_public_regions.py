"""Public region pages: 定住自立圏 / 連携中枢都市圏 with members, vision, initiatives, KPIs."""

import datetime
import re

import pytest

from regions.models import Membership, Region

pytestmark = pytest.mark.django_db


def region(name):
    return Region.objects.get(name=name)


def text_of(response):
    """The page's text without tags, for phrases that span inline markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_region_list(client, demo_data):
    response = client.get("/public/regions/")
    assert response.status_code == 200
    items = {item["region"].name: item for item in response.context["items"]}
    assert items["熊本連携中枢都市圏"]["member_count"] == 20
    assert items["玉名圏域定住自立圏"]["member_count"] == 4
    assert [t.name for t in items["熊本連携中枢都市圏"]["centrals"]] == ["熊本市"]
    text = text_of(response)
    assert "熊本市 （連携中枢都市）" in text or "熊本市（連携中枢都市）" in text
    assert "玉名市（中心市）" in text.replace(" ", "")
    assert "令和3年4月1日～令和8年3月31日" in text


def test_metro_region_page(client, demo_data):
    response = client.get(f"/public/regions/{region('熊本連携中枢都市圏').pk}/")
    assert response.status_code == 200
    assert len(response.context["members"]) == 20
    text = text_of(response)
    assert "構成市町村（20市町村）" in text
    assert "連携協約締結日" in text
    assert "熊本市 連携中枢都市" in text
    assert text.count("近隣市町村") >= 19
    # Population, households and area with separators, and their reference date.
    assert "738,020" in text and "338,474" in text and "390.32" in text
    assert "人口・世帯数・面積は令和5年10月1日現在" in text
    assert "1,268,400" in text  # 圏域計
    # Vision: period and revisions in 和暦.
    assert "令和3年4月1日～令和8年3月31日（令和3年度～令和7年度）" in text
    assert "平成28年3月1日 策定" in text and "令和6年3月1日 改定" in text
    # Policy areas and initiatives ア…エ.
    for name in ("圏域全体の経済成長のけん引", "高次の都市機能の集積・強化"):
        assert name in text
    for name in (
        "ア 産学連携支援事業",
        "イ 医療・介護・健康サービス産業支援",
        "エ SDGsパートナー事業",
    ):
        assert name in text


def test_participation_matrix_and_costs(client, demo_data):
    response = client.get(f"/public/regions/{region('熊本連携中枢都市圏').pk}/")
    (vision,) = response.context["visions"]
    assert [row.initiative.code for row in vision.rows] == ["ア", "イ", "ウ", "エ"]
    assert len(vision.matrix) == 20
    assert all(all(entry["cells"]) for entry in vision.matrix)  # ○ for all 20 in ア…エ
    assert [row.participant_count for row in vision.rows] == [20, 20, 20, 20]
    html = response.content.decode()
    assert html.count('<span aria-hidden="true">○</span>') == 80
    # Yearly 事業費 and totals: ア prints 合計 29,552.
    costs = {row.initiative.code: row for row in vision.rows}
    assert costs["ア"].total == 29552
    assert vision.cost_years == [2021, 2022, 2023, 2024, 2025]
    assert "29,552" in html and "令和3年度" in html
    assert vision.grand_total == sum(row.total for row in vision.rows)
    assert costs["エ"].costs_by_year == {}
    assert "エ SDGsパートナー事業：事業費の記載はありません。" in html


def test_participation_matrix_marks_non_participants(client, demo_data):
    metro = region("熊本連携中枢都市圏")
    initiative = metro.visions.get().policy_areas.get(code="1").initiatives.get(code="ア")
    yamato = Membership.objects.get(region=metro, municipality__name="山都町").municipality
    initiative.participants.remove(yamato)
    response = client.get(f"/public/regions/{metro.pk}/")
    (vision,) = response.context["visions"]
    yamato_row = next(e for e in vision.matrix if e["member"].municipality == yamato)
    assert yamato_row["cells"] == [False, True, True, True]
    assert vision.rows[0].participant_count == 19
    assert response.content.decode().count('<span aria-hidden="true">○</span>') == 79


def test_kpis_with_progress(client, demo_data):
    metro = region("熊本連携中枢都市圏")
    kpi = metro.kpis.get(name="圏域内の創業者数")  # baseline 1,076 → target 1,190
    kpi.values.update_or_create(
        fiscal_year=2023, defaults={"value": 1133, "is_demo": False, "round": None}
    )
    response = client.get(f"/public/regions/{metro.pk}/")
    rows = {row.kpi.name: row for row in response.context["kpis"]}
    assert len(rows) == 13
    row = rows["圏域内の創業者数"]
    assert row.latest.value == 1133
    assert str(row.progress) == "50.0"  # (1133 − 1076) ÷ (1190 − 1076)
    text = text_of(response)
    assert "1,133 （2023）" in text
    assert "50%" in text
    assert "4,790,058 （2020）" in text  # the year is not printed as 2,020
    assert "（2,0" not in text
    # No target as a number: the printed text, and no progress.
    assert rows["圏域出生数"].progress is None
    assert "現状維持" in text


def test_settlement_region_page(client, demo_data):
    tamana = region("玉名圏域定住自立圏")
    response = client.get(f"/public/regions/{tamana.pk}/")
    assert response.status_code == 200
    members = response.context["members"]
    assert [m.municipality.name for m in members] == ["玉名市", "玉東町", "和水町", "南関町"]
    assert [m.role_label for m in members] == ["中心市", "近隣市町村", "近隣市町村", "近隣市町村"]
    text = text_of(response)
    assert "構成市町村（4市町村）" in text
    assert "形成協定締結日" in text
    assert "令和4年4月1日～令和9年3月31日（令和4年度～令和8年度）" in text
    assert "令和5年3月31日 見直し" in text
    for name in ("生活機能の強化", "結びつきやネットワークの強化", "圏域マネジメント能力の強化"):
        assert name in text
    # 玉名市 has published sheets: its name links to its public page; 玉東町 has none.
    html = response.content.decode()
    assert 'href="/public/432067/"' in html
    assert 'href="/public/433641/"' not in html


def test_agreement_date_in_wareki(client, demo_data):
    tamana = region("玉名圏域定住自立圏")
    Membership.objects.filter(region=tamana, municipality__code="433641").update(
        agreement_date=datetime.date(2016, 3, 25)
    )
    text = text_of(client.get(f"/public/regions/{tamana.pk}/"))
    assert "玉東町 近隣市町村 平成28年3月25日" in text


def test_unknown_region_is_404(client, demo_data):
    assert client.get("/public/regions/999999/").status_code == 404
    assert client.get("/public/regions/abc/").status_code == 404


def test_region_page_query_count(client, demo_data, django_assert_num_queries):
    metro = region("熊本連携中枢都市圏")
    # 1 region, 2 memberships (+ municipality), 3 visions, 4 revisions, 5 policy areas,
    # 6 initiatives, 7 participants, 8 initiative costs, 9 KPIs (+ policy area),
    # 10 KPI values, 11 members with published sheets, 12 published rounds; the latest
    # published round (regions.summary.round_context): 13 memberships, 14–16 initiatives
    # (+ participants, costs), 17 earlier rounds (none in the demo; their reports would be
    # one more), 18 its reports, 19–20 KPIs (+ values); 21 member projects (+ 22 their
    # sheets) — as many however many members, initiatives or reports.
    with django_assert_num_queries(22):
        client.get(f"/public/regions/{metro.pk}/")
