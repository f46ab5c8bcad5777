"""Every computed figure of a sheet, in one module.

Rounding rule: amounts are computed exactly with Decimal and rounded once, at the
end, half up to a whole unit (四捨五入): 人件費 to 千円, 単位当たりコスト to 円,
achievement rates to 0.1 %. ``x.5`` rounds away from zero (2,470.5 → 2,471),
never to even. Money is never a float.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SOURCE_FIELDS = (
    "national_subsidy",
    "prefectural_subsidy",
    "municipal_bonds",
    "other_specific",
    "user_charges",
    "general_revenue",
)
STAFF = "staff"
PART_TIME = "part_time"


def round_half_up(value, places: str = "1") -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def project_cost(row) -> int:
    """事業費 (小計) = Σ 財源: 国庫・県支出金・起債・その他・受益者負担・一般財源."""
    return sum(int(getattr(row, name) or 0) for name in SOURCE_FIELDS)


def general_revenue_from_total(total: int, subsidies: int, bonds: int, other: int) -> int:
    """伊勢原: 一般財源 = (a) − ① − ② − ③."""
    return int(total) - int(subsidies) - int(bonds) - int(other)


def personnel_cost(staff_fte, part_time_fte, staff_salary, part_time_salary) -> int:
    """人件費 (千円) = 職員人工数 × 平均給与 + 会計年度任用職員人工数 × 平均給与, rounded once."""
    exact = Decimal(staff_fte or 0) * Decimal(staff_salary or 0) + Decimal(
        part_time_fte or 0
    ) * Decimal(part_time_salary or 0)
    return int(round_half_up(exact))


def total_cost(project: int, personnel: int) -> int:
    """合計 / トータルコスト (a)+(b)."""
    return int(project) + int(personnel)


def unit_cost_yen(total_thousand_yen: int, target_count) -> int | None:
    """単位当たりコスト (円) = トータルコスト (千円 × 1,000) ÷ 対象数, rounded half up."""
    if not target_count:
        return None
    return int(round_half_up(Decimal(total_thousand_yen) * 1000 / Decimal(target_count)))


def achievement_rate(actual, target) -> Decimal | None:
    """達成率 (%) = 実績 ÷ 目標 × 100, to 0.1 %. None when either is missing or target is 0."""
    if actual is None or target in (None, 0, Decimal(0)):
        return None
    return round_half_up(Decimal(actual) / Decimal(target) * 100, "0.1")


def salary_table(salaries: Iterable) -> dict[tuple[int, str], int]:
    return {(s.fiscal_year, s.staff_kind): s.amount for s in salaries}


@dataclass
class CostColumn:
    """One column of the cost table: a fiscal year and kind (決算・予算・計画・全体計画)."""

    fiscal_year: int | None
    kind: str
    row: object | None = None
    effort: object | None = None
    staff_salary: int | None = None
    part_time_salary: int | None = None
    project_cost: int = 0
    personnel_cost: int = 0
    total: int = 0
    unit_cost: int | None = None
    extra: dict = field(default_factory=dict)


def cost_columns(rows: list, efforts: list, salaries: dict[tuple[int, str], int]):
    """Join cost rows with the year's 人工 and 平均給与 and compute 小計・人件費・合計."""
    effort_by_year = {e.fiscal_year: e for e in efforts}
    columns = []
    order = {"settled": 0, "budget": 1, "plan": 2, "overall": 3}
    for row in sorted(
        rows, key=lambda r: (r.fiscal_year is None, r.fiscal_year or 0, order.get(r.kind, 9))
    ):
        column = CostColumn(fiscal_year=row.fiscal_year, kind=row.kind, row=row)
        column.project_cost = project_cost(row)
        effort = effort_by_year.get(row.fiscal_year) if row.fiscal_year else None
        if effort is not None:
            column.effort = effort
            column.staff_salary = salaries.get((row.fiscal_year, STAFF))
            column.part_time_salary = salaries.get((row.fiscal_year, PART_TIME))
            column.personnel_cost = personnel_cost(
                effort.staff_fte,
                effort.part_time_fte,
                column.staff_salary,
                column.part_time_salary,
            )
        column.total = total_cost(column.project_cost, column.personnel_cost)
        if effort is not None:
            column.unit_cost = unit_cost_yen(column.total, effort.target_count)
        columns.append(column)
    return columns


def kpi_progress(baseline, target, actual) -> Decimal | None:
    """Progress (%) from baseline towards target: (actual − baseline) ÷ (target − baseline)."""
    if baseline is None or target is None or actual is None:
        return None
    span = Decimal(target) - Decimal(baseline)
    if span == 0:
        return None
    return round_half_up((Decimal(actual) - Decimal(baseline)) / span * 100, "0.1")
