"""The demo data reproduces the seeds, figure for figure."""

from decimal import Decimal

import pytest

from evalsheets import demo
from evalsheets.models import EvaluationSheet, Project
from municipalities.models import Municipality, PlanKPI
from municipalities.validators import check_digit
from regions.models import Initiative, Region

pytestmark = pytest.mark.django_db


def sheet(code):
    return EvaluationSheet.objects.get(project__code=code)


def columns_by_key(sheet):
    return {
        f"{c.kind}:{c.fiscal_year}" if c.fiscal_year else c.kind: c for c in sheet.cost_columns()
    }


def test_counts(demo_data):
    assert Region.objects.get(name="熊本連携中枢都市圏").memberships.count() == 20
    assert Region.objects.get(name="玉名圏域定住自立圏").memberships.count() == 4
    per_municipality = {
        m.name: EvaluationSheet.objects.filter(project__municipality=m).count()
        for m in Municipality.objects.filter(sheet_layout__gt="")
    }
    # 大船渡市: two transcribed 令和7年度 sheets and their 令和8年度 drafts (open_years).
    assert per_municipality == {"玉名市": 2, "伊勢原市": 1, "人吉市": 19, "大船渡市": 4}
    assert PlanKPI.objects.filter(node__plan__municipality__code="432032").count() == 12


def test_loading_twice_changes_nothing(demo_data):
    before = (
        EvaluationSheet.objects.count(),
        Project.objects.count(),
        Municipality.objects.count(),
        Initiative.objects.count(),
    )
    demo.load_all()
    after = (
        EvaluationSheet.objects.count(),
        Project.objects.count(),
        Municipality.objects.count(),
        Initiative.objects.count(),
    )
    assert before == after
    assert columns_by_key(sheet("741-2"))["settled:2020"].total == 4385


def test_tamana_741_2_figures(demo_data):
    cols = columns_by_key(sheet("741-2"))
    keys = ["settled:2020", "settled:2021", "settled:2022", "budget:2023"]
    assert [cols[k].project_cost for k in keys] == [200, 826, 355, 433]
    assert [cols[k].personnel_cost for k in keys] == [4185, 4978, 2471, 2453]
    assert [cols[k].total for k in keys] == [4385, 5804, 2826, 2886]
    assert cols["overall"].project_cost == 0


def test_tamana_741_3_figures(demo_data):
    cols = columns_by_key(sheet("741-3"))
    keys = ["settled:2020", "settled:2021", "settled:2022", "budget:2023"]
    assert [cols[k].personnel_cost for k in keys] == [0, 0, 1629, 1635]
    assert [cols[k].total for k in keys] == [0, 0, 1988, 1735]


def test_every_printed_figure_matches_the_computation(demo_data):
    """Each fixture records what its seed prints; the computed figures must equal it."""
    checked = 0
    for name in demo.MUNICIPALITY_FILES:
        data = demo.read_yaml(name)
        code = data["municipality"]["code"]
        for sheet_data in data["sheets"]:
            s = EvaluationSheet.objects.get(
                project__municipality__code=code,
                project__code=str(sheet_data["project"]),
                fiscal_year=sheet_data["fiscal_year"],
            )
            cols = columns_by_key(s)
            for key, printed in (sheet_data.get("printed_totals") or {}).items():
                assert cols[key].project_cost == printed, (s, key)
                checked += 1
            by_year = {c.fiscal_year: c for c in cols.values() if c.effort is not None}
            for year, printed in (sheet_data.get("printed_personnel") or {}).items():
                assert by_year[int(year)].personnel_cost == printed, (s, year)
                checked += 1
            for field in ("printed_grand_totals", "printed_total_cost"):
                for year, printed in (sheet_data.get(field) or {}).items():
                    assert by_year[int(year)].total == printed, (s, year)
                    checked += 1
            for year, printed in (sheet_data.get("printed_unit_cost") or {}).items():
                assert by_year[int(year)].unit_cost == printed, (s, year)
                checked += 1
    assert checked > 100  # 人吉's 19 sheets alone print ~90 事業費 figures


def test_isehara_40_106(demo_data):
    s = sheet("40-106")
    cols = {c.fiscal_year: c for c in s.cost_columns()}
    assert (cols[2021].personnel_cost, cols[2021].total, cols[2021].unit_cost) == (818, 818, 8)
    assert (cols[2022].personnel_cost, cols[2022].total, cols[2022].unit_cost) == (857, 857, 8)
    assert [e.target_count for e in s.efforts.all()] == [101381, 101119]
    node = s.project.plan_node
    assert [n.code for n in node.ancestors()] == ["5", "10", "18", "40"]
    assert node.plan.level_label(3) == "施策"
    assert {a.viewpoint: a.choice for a in s.assessments.all()} == {
        "progress": "A",
        "level": "B",
        "effectiveness": "A",
        "efficiency": "A",
    }
    assert s.review.head_comment.startswith("大学や企業等の持つノウハウ")


def test_not_applicable_is_not_zero(demo_data):
    s = sheet("741-3")
    indicator = s.outcome_indicators.get()
    values = {v.fiscal_year: v for v in indicator.values.all()}
    assert values[2020].actual is None and values[2020].actual_na
    assert values[2022].target == Decimal("100") and not values[2022].target_na
    activity = s.sub_projects.get().indicators.get()
    acts = {v.fiscal_year: v for v in activity.values.all()}
    assert acts[2020].actual_na and acts[2022].actual == 2


def test_tamana_plan_position_and_region_links(demo_data):
    s = sheet("741-2")
    chain = s.project.plan_node.ancestors()
    assert [(n.code, n.name) for n in chain] == [
        ("⑦", "健全な行政運営"),
        ("（４）", "広域連携の推進"),
        ("（１）", "近隣自治体との連携"),
    ]
    assert s.project.region.name == "玉名圏域定住自立圏"
    assert sheet("741-3").project.region.name == "熊本連携中枢都市圏"
    assert s.review.remarks.startswith("第2期共生ビジョンに基づく取組が始まり")
    assert s.review.reviewer_name == "石貫誠哉"
    assert s.direction == "maintain"
    assert s.author_name == "德永信太" and sheet("741-3").author_name == "徳永信太"


def test_hitoyoshi_kpis(demo_data):
    kpi = PlanKPI.objects.get(name="移住希望者からの相談件数")
    assert (kpi.actual, kpi.achievement, kpi.target) == (Decimal("47"), "△", Decimal("80"))
    assert kpi.achievement_rate == Decimal("58.8")
    nodes = sorted(
        {k.node.code for k in PlanKPI.objects.filter(node__plan__municipality__code="432032")}
    )
    assert nodes == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    cols = columns_by_key(sheet("6-1-1"))
    assert cols["settled:2023"].project_cost == 2518
    assert cols["budget:2024"].project_cost == 8621


def test_metro_region(demo_data):
    region = Region.objects.get(name="熊本連携中枢都市圏")
    assert region.kind == "metro"
    central = region.central_members()
    assert [m.municipality.name for m in central] == ["熊本市"]
    assert central[0].municipality.designated_city
    kumamoto = central[0].municipality
    assert kumamoto.population == 738020 and kumamoto.stats_date.isoformat() == "2023-10-01"
    assert sum(m.municipality.population for m in region.memberships.all()) == 1268400
    vision = region.visions.get()
    assert (vision.period_start.isoformat(), vision.period_end.isoformat()) == (
        "2021-04-01",
        "2026-03-31",
    )
    assert vision.revisions.count() >= 2
    assert [a.name for a in vision.policy_areas.all()] == [
        "圏域全体の経済成長のけん引",
        "高次の都市機能の集積・強化",
        "圏域全体の生活関連機能サービスの向上",
    ]
    initiatives = {i.code: i for i in Initiative.objects.filter(policy_area__vision=vision)}
    assert {"ア", "イ", "ウ", "エ"} <= set(initiatives)
    assert initiatives["ア"].total_cost == 29552
    assert initiatives["ア"].participants.count() == 20
    assert region.kpis.count() >= 10
    for m in region.memberships.all():
        assert check_digit(m.municipality.code[:5]) == int(m.municipality.code[5])


def test_settlement_region(demo_data):
    region = Region.objects.get(name="玉名圏域定住自立圏")
    assert region.kind == "settlement"
    roles = {m.municipality.name: m.role for m in region.memberships.all()}
    assert roles == {
        "玉名市": "central",
        "玉東町": "neighbour",
        "和水町": "neighbour",
        "南関町": "neighbour",
    }
    vision = region.visions.get()
    assert (vision.period_start.year, vision.period_end.year) == (2022, 2027)


def test_demo_users_for_each_role(demo_data):
    rows = demo.demo_user_table()
    for municipality in ("玉名市", "伊勢原市", "人吉市"):
        roles = {role for _u, m, role, _s in rows if m == municipality}
        assert roles == {"担当者", "課長", "企画課", "閲覧者"}
