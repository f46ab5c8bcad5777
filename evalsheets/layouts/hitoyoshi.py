"""人吉市 総合計画 事務事業シート: the 様式 of the 人吉市 demo sheets (6-1-1 …)."""

from core.choices import CostKind, Direction, ImplementationMethod
from evalsheets.layouts.base import SheetLayout

LAYOUT = SheetLayout(
    key="hitoyoshi_plan",
    title="総合計画 事務事業シート",
    page_template="evalsheets/layouts/hitoyoshi_plan.html",
    entry_template="evalsheets/entry/hitoyoshi_plan.html",
    pdf_template="pdf/hitoyoshi_plan.html",
    fields=(
        "author_name",
        "summary",
        "results",
        "issues",
        "improvement",
        "direction",
        "funding_allocation",
        "staffing_allocation",
        "strategies",
        "manifesto",
    ),
    labels={
        "results": "成果・課題 (Check)（取組成果）",
        "issues": "成果・課題 (Check)（今後の課題）",
        "improvement": "改善内容 (Action)",
        "direction": "事業の方向性",
        "funding_allocation": "資源配分（財源）",
        "staffing_allocation": "資源配分（人員）",
    },
    implementation_choices=tuple(
        c for c in ImplementationMethod.choices if c[0] != ImplementationMethod.DESIGNATED_MANAGER
    ),
    directions=(
        Direction.GROW,
        Direction.KEEP,
        Direction.SHRINK,
        Direction.MERGE,
        Direction.ABOLISH,
        Direction.COMPLETE,
    ),
    cost_rows=(
        ("national_subsidy", "国庫補助金"),
        ("prefectural_subsidy", "県補助金"),
        ("municipal_bonds", "起債"),
        ("other_specific", "その他"),
        ("general_revenue", "一般財源"),
    ),
    cost_columns=(
        (CostKind.SETTLED, -1),
        (CostKind.BUDGET, 0),
        (CostKind.PLAN, 1),
        (CostKind.PLAN, 2),
        (CostKind.PLAN, 3),
    ),
    column_headings={
        CostKind.SETTLED: "{long} 決算額",
        CostKind.BUDGET: "{long} 予算額",
        CostKind.PLAN: "{long} 予算額",
    },
    personnel=False,
    cost_labels={"project_cost": "事業費"},
    indicator_years=(-1, 0, 1, 2, 3),
    sub_projects="is_new",
)
