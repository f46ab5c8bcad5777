"""Every calculation against the figures printed in the seeds."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core import calculations as calc

# 玉名市 average salaries (千円): 職員 / 会計年度任用職員, R02–R05.
TAMANA_SALARIES = {2020: (5476, 1950), 2021: (5223, 1632), 2022: (5429, 1382), 2023: (5451, 1291)}


@pytest.mark.parametrize(
    ("year", "staff", "part", "expected"),
    [
        # 741-2 人件費 小計: 4,185 / 4,978 / 2,471 / 2,453
        (2020, "0.75", "0.04", 4185),
        (2021, "0.95", "0.01", 4978),
        (2022, "0.45", "0.02", 2471),
        (2023, "0.45", "0.00", 2453),
        # 741-3 人件費 小計: 0 / 0 / 1,629 / 1,635
        (2020, "0.00", "0.00", 0),
        (2022, "0.30", "0.00", 1629),
        (2023, "0.30", "0.00", 1635),
    ],
)
def test_personnel_cost_tamana(year, staff, part, expected):
    staff_salary, part_salary = TAMANA_SALARIES[year]
    assert calc.personnel_cost(Decimal(staff), Decimal(part), staff_salary, part_salary) == expected


@pytest.mark.parametrize(
    ("project", "personnel", "expected"),
    [
        (200, 4185, 4385),
        (826, 4978, 5804),
        (355, 2471, 2826),
        (433, 2453, 2886),  # 741-2
        (0, 0, 0),
        (359, 1629, 1988),
        (100, 1635, 1735),  # 741-3
        (0, 818, 818),
        (0, 857, 857),  # 伊勢原 40-106 トータルコスト
    ],
)
def test_total_cost(project, personnel, expected):
    assert calc.total_cost(project, personnel) == expected


def test_project_cost_is_sum_of_sources():
    # 人吉 移住促進事業 R5 決算: 0 + 450 + 0 + 0 + 2,068 = 2,518
    row = SimpleNamespace(
        national_subsidy=0,
        prefectural_subsidy=450,
        municipal_bonds=0,
        other_specific=0,
        user_charges=0,
        general_revenue=2068,
    )
    assert calc.project_cost(row) == 2518
    # 人吉 市民活動推進事業 R5 決算: 105 + 73 + 0 + 19,400 + 48,181 = 67,759
    row = SimpleNamespace(
        national_subsidy=105,
        prefectural_subsidy=73,
        municipal_bonds=0,
        other_specific=19400,
        user_charges=0,
        general_revenue=48181,
    )
    assert calc.project_cost(row) == 67759


def test_general_revenue_isehara():
    # 一般財源 = (a) − ① − ② − ③; 40-106 all zero; a worked example too.
    assert calc.general_revenue_from_total(0, 0, 0, 0) == 0
    assert calc.general_revenue_from_total(10000, 2500, 3000, 500) == 4000


def test_isehara_personnel_and_unit_cost():
    # 正規職員 0.1 人 × 8,180 千円 = 818 千円 (R3), × 8,570 = 857 千円 (R4)
    assert calc.personnel_cost(Decimal("0.1"), 0, 8180, 0) == 818
    assert calc.personnel_cost(Decimal("0.1"), 0, 8570, 0) == 857
    # 単位当たりコスト: 818 千円 / 101,381 人 = 8.07 円 → 8; 857 千円 / 101,119 人 = 8.48 → 8
    assert calc.unit_cost_yen(818, 101381) == 8
    assert calc.unit_cost_yen(857, 101119) == 8
    assert calc.unit_cost_yen(857, 0) is None
    assert calc.unit_cost_yen(857, None) is None


def test_rounding_rule_half_up_at_x5():
    # 0.5 rounds up (四捨五入), never to even: 2,470.5 → 2,471; 2,469.5 → 2,470.
    assert calc.personnel_cost(Decimal("0.5"), 0, 4941, 0) == 2471  # 2,470.5
    assert calc.personnel_cost(Decimal("0.5"), 0, 4939, 0) == 2470  # 2,469.5
    assert calc.personnel_cost(Decimal("0.5"), 0, 4937, 0) == 2469  # 2,468.5
    # just below .5 rounds down
    assert calc.personnel_cost(Decimal("0.49"), 0, 1000, 0) == 490
    assert calc.personnel_cost(Decimal("0.01"), 0, 49, 0) == 0  # 0.49
    # unit cost: 1.5 円 → 2, 2.5 円 → 3
    assert calc.unit_cost_yen(3, 2000) == 2
    assert calc.unit_cost_yen(5, 2000) == 3
    assert calc.round_half_up(Decimal("-2.5")) == Decimal("-3")


def test_rounding_is_once_on_the_sum():
    # 0.95 × 5,223 = 4,961.85 and 0.01 × 1,632 = 16.32: rounded separately 4,962 + 16 = 4,978,
    # on the sum 4,978.17 → 4,978; a case where it matters: 0.5 × 3 + 0.5 × 3 = 3 (1.5 + 1.5).
    assert calc.personnel_cost(Decimal("0.5"), Decimal("0.5"), 3, 3) == 3


def test_achievement_rate():
    # 人吉 KPI 移住希望者からの相談件数: 47 / 80 = 58.75 % → 58.8 %
    assert calc.achievement_rate(47, 80) == Decimal("58.8")
    # 玉名 特別交付税措置率 R02: 37.7 / 100 = 37.7 %
    assert calc.achievement_rate(Decimal("37.7"), 100) == Decimal("37.7")
    assert calc.achievement_rate(10, 8) == Decimal("125.0")  # ICT等を活用した事業累計件数 ◎
    assert calc.achievement_rate(None, 80) is None
    assert calc.achievement_rate(47, 0) is None
    assert calc.achievement_rate(1, 8) == Decimal("12.5")
    assert calc.achievement_rate(1, 16) == Decimal("6.3")  # 6.25 → 6.3 half up


def test_kpi_progress():
    assert calc.kpi_progress(0, 100, 50) == Decimal("50.0")
    assert calc.kpi_progress(100, 100, 50) is None
    assert calc.kpi_progress(None, 100, 50) is None


def test_cost_columns_join_effort_and_salary():
    rows = [
        SimpleNamespace(
            fiscal_year=2020,
            kind="settled",
            national_subsidy=0,
            prefectural_subsidy=0,
            municipal_bonds=0,
            other_specific=0,
            user_charges=0,
            general_revenue=200,
        ),
        SimpleNamespace(
            fiscal_year=None,
            kind="overall",
            national_subsidy=0,
            prefectural_subsidy=0,
            municipal_bonds=0,
            other_specific=0,
            user_charges=0,
            general_revenue=0,
        ),
    ]
    efforts = [
        SimpleNamespace(
            fiscal_year=2020,
            staff_fte=Decimal("0.75"),
            part_time_fte=Decimal("0.04"),
            target_count=None,
        )
    ]
    salaries = {(2020, "staff"): 5476, (2020, "part_time"): 1950}
    first, overall = calc.cost_columns(rows, efforts, salaries)
    assert (first.project_cost, first.personnel_cost, first.total) == (200, 4185, 4385)
    assert overall.kind == "overall" and overall.total == 0
