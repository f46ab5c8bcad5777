"""玉名市 事務ふりかえりシート: the 様式 of the 玉名市 demo sheets (741-2, 741-3)."""

from core.choices import CostKind, Direction, ImplementationMethod
from evalsheets.layouts.base import SheetLayout, Viewpoint

ROOM = (("no_room", "余地なし"), ("room", "余地あり"))

VIEWPOINTS = (
    Viewpoint(
        "20-1",
        "妥当性（必要性）",
        "【実施主体の妥当性】",
        "市が実施すべきであるか（民間、NPOなどが実施できないか。）。",
        (("city_should", "市が実施すべき"), ("city_need_not", "市が実施する必要はない")),
        "20-1",
    ),
    Viewpoint(
        "20-2",
        "妥当性（必要性）",
        "【目的の妥当性】",
        "社会情勢の変化により、目的（対象・意図）の見直しは必要でないか。",
        (("not_needed", "必要なし"), ("needed", "必要あり")),
        "20-2",
    ),
    Viewpoint(
        "20-3",
        "妥当性（必要性）",
        "【休廃止の影響】",
        "事務事業を休止・廃止をした場合、市民に影響はないか。",
        (("no_impact", "影響なし"), ("impact", "影響あり")),
        "20-3",
    ),
    Viewpoint(
        "22-4",
        "妥当性（必要性）",
        "【類似事業との統合】",
        "目的が類似する他の事業との統合について、検討の余地はないか。",
        ROOM,
        "22-4",
    ),
    Viewpoint(
        "21-1",
        "有効性",
        "【目標の達成度】",
        "成果指標の目標は達成できたか。未達成の場合、原因はどのようなことが考えられるか。",
        (("achieved", "達成"), ("not_achieved", "未達成")),
        "21-1",
    ),
    Viewpoint(
        "21-2",
        "有効性",
        "【細事業の適当性】",
        "目的（意図）を達成するため、細事業の構成は適当であるか。",
        (("adequate", "適当"), ("inadequate", "不適当")),
        "21-2",
    ),
    Viewpoint(
        "fairness",
        "公平性",
        "",
        "受益者負担について、検討の余地はないか。徴収を行っている場合は、"
        "負担水準（対象・金額）について検討の余地はないか。",
        (("room", "余地あり"), ("no_room", "余地なし")),
    ),
    Viewpoint(
        "22-1",
        "効率性",
        "【コストの低減】",
        "コストの低減について、検討の余地はないか。",
        ROOM,
        "22-1",
    ),
    Viewpoint(
        "22-2",
        "効率性",
        "【執行過程の見直し】",
        "執行過程の簡素化・改善について、検討の余地はないか。（デジタル技術の導入など）",
        ROOM,
        "22-2",
    ),
    Viewpoint(
        "22-3",
        "効率性",
        "【民間活力の活用】",
        "民間のノウハウ活用について、検討の余地はないか。",
        ROOM,
        "22-3",
    ),
)

LAYOUT = SheetLayout(
    key="tamana_furikaeri",
    title="事務ふりかえりシート",
    page_template="evalsheets/layouts/tamana_furikaeri.html",
    entry_template="evalsheets/entry/tamana_furikaeri.html",
    pdf_template="pdf/tamana_furikaeri.html",
    fields=(
        "author_name",
        "implementation_methods",
        "implementation_other",
        "actors",
        "actors_other",
        "background",
        "target",
        "intent",
        "content",
        "previous_review",
        "previous_review_status",
        "direction",
        "improvement",
    ),
    labels={
        "background": "事務事業の実施背景",
        "content": "事務事業の具体的内容",
        "improvement": "今後の方向性に対する見直し・改善の具体的内容",
        "implementation_other": "実施方法【その他の内容】",
        "actors_other": "事業主体【その他の内容】",
    },
    implementation_choices=tuple(
        c for c in ImplementationMethod.choices if c[0] != ImplementationMethod.DESIGNATED_MANAGER
    ),
    viewpoints=VIEWPOINTS,
    directions=(
        Direction.EXPAND,
        Direction.MAINTAIN,
        Direction.REDUCE,
        Direction.IMPROVE,
        Direction.SUSPEND,
        Direction.END,
    ),
    cost_rows=(
        ("national_subsidy", "国庫支出金"),
        ("prefectural_subsidy", "県支出金"),
        ("municipal_bonds", "起債"),
        ("other_specific", "その他"),
        ("user_charges", "受益者負担"),
        ("general_revenue", "一般財源"),
    ),
    cost_columns=(
        (CostKind.SETTLED, -3),
        (CostKind.SETTLED, -2),
        (CostKind.SETTLED, -1),
        (CostKind.BUDGET, 0),
        (CostKind.OVERALL, None),
    ),
    column_headings={"*": "{short}年度{kind}"},
    indicator_years=(-3, -2, -1, 0),
    sub_projects="means",
    activity_indicators=True,
    activity_years_follow_indicators=True,
    outcome_fields=("method",),
    short_year_labels=True,
)
