"""The year workbook's layout: one worksheet per table, its Japanese headers, what each
column holds and how it is written and read.

Export and import share it, so an exported workbook imports back unchanged. Every table
is keyed by natural keys: 団体コード, 事務事業コード, 実施年度 and, for the rows of a sheet,
their own key columns (年度, 区分, 評価視点, or the 番号 of a 細事業, 指標 or 行程 — their
position in the sheet, 1, 2, …, as the export numbers them).
"""

from dataclasses import dataclass

from core.choices import (
    Account,
    Actor,
    AffairKind,
    Allocation,
    CostKind,
    Direction,
    ImplementationMethod,
    PeriodKind,
    ProjectType,
    SheetState,
)

# Column kinds (``parsing.parse_cell`` reads each, ``export`` writes each):
# text, code (half-width text), int, year (和暦 or western), money (千円, ≥ 0), fte (人工),
# figure (目標・実績: a number or *** for 該当なし), decimal, bool, yes_no_blank (有/無/空),
# choice, choices (several, separated by 、), copy_state.
COPY_STATES = (("carried", "前年度からの引継ぎ"), ("blank", "未入力（新年度で追加）"))


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "text"
    width: int = 14
    is_key: bool = False  # part of the row's natural key
    export_only: bool = False  # written for the reader, not read back (状態, 版, 名称)
    choices: tuple = ()  # (value, label) pairs of a choice column


@dataclass(frozen=True)
class Table:
    name: str  # internal name
    title: str  # the worksheet's name
    columns: tuple[Column, ...]
    per_sheet: bool = True  # rows of one evaluation sheet (not 事務事業)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.is_key)

    @property
    def value_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.is_key and not c.export_only)

    @property
    def read_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.export_only)


def _choices(choices) -> tuple:
    return tuple((str(value), str(label)) for value, label in choices.choices)


MUNICIPALITY = Column("団体コード", "municipality", "code", 10, is_key=True)
PROJECT = Column("事務事業コード", "project", "code", 12, is_key=True)
PROJECT_NAME = Column("事務事業名", "project_name", "text", 30, export_only=True)
FISCAL_YEAR = Column("実施年度", "fiscal_year", "year", 12, is_key=True)
SHEET_KEY = (MUNICIPALITY, PROJECT, FISCAL_YEAR)


def _text(header, key, width=30):
    return Column(header, key, "text", width)


PROJECTS = Table(
    "projects",
    "事務事業",
    (
        MUNICIPALITY,
        PROJECT,
        _text("事務事業名", "name"),
        Column("課コード", "section", "code", 10),
        Column("所管課", "section_name", "text", 16, export_only=True),
        _text("総合計画", "plan", 20),
        Column("施策の番号", "plan_node", "text", 18),
        Column("実施中", "active", "bool", 8),
        Column("開始年度", "start_year", "year", 12),
        Column("終了年度", "end_year", "year", 12),
        Column("事業期間", "period_kind", "choice", 12, choices=_choices(PeriodKind)),
        Column("根拠：法令、県・市条例等", "basis_law", "bool", 10),
        _text("根拠となる法令・条例等", "basis_law_text"),
        Column("根拠：市長公約", "basis_pledge", "bool", 10),
        Column("根拠：その他の計画", "basis_plan", "bool", 10),
        _text("根拠となる計画", "basis_plan_text"),
        Column("事業区分", "project_type", "choice", 14, choices=_choices(ProjectType)),
        Column("会計区分", "account", "choice", 12, choices=_choices(Account)),
        _text("特別・企業会計名", "account_name", 20),
        Column("款", "budget_kan", "text", 6),
        Column("項", "budget_kou", "text", 6),
        Column("目", "budget_moku", "text", 6),
        Column("細目", "budget_saimoku", "text", 6),
        _text("予算事業名", "budget_project_name"),
        Column("事務区分", "affair_kind", "choice", 12, choices=_choices(AffairKind)),
        _text("法令上の位置づけ", "legal_position"),
        _text("関連法令等", "related_laws"),
        _text("国・県の計画等", "national_plans"),
        _text("国・県の計画期間", "national_plans_period", 16),
        _text("関連個別計画", "related_plans"),
        _text("関連個別計画の期間", "related_plans_period", 16),
    ),
    per_sheet=False,
)

_NARRATIVE = (
    ("実施の背景", "background"),
    ("対象", "target"),
    ("意図", "intent"),
    ("目的", "purpose"),
    ("事業の具体的内容", "content"),
    ("事務事業概要", "summary"),
    ("取組方針（前年度評価）", "policy"),
    ("実施した取組の内容", "work_done"),
    ("取組成果", "results"),
    ("今後の課題", "issues"),
    ("見直し・改善の具体的内容", "improvement"),
    ("前回のふりかえりの内容", "previous_review"),
    ("前回のふりかえりに対する見直し・改善状況", "previous_review_status"),
    ("総合戦略", "strategies"),
    ("市長マニフェスト", "manifesto"),
)

SHEETS = Table(
    "sheets",
    "評価シート",
    (
        *SHEET_KEY,
        PROJECT_NAME,
        Column("状態", "state", "choice", 10, export_only=True, choices=_choices(SheetState)),
        Column("版", "version", "int", 5, export_only=True),
        _text("作成者（担当者）", "author_name", 14),
        *(_text(header, key, 40) for header, key in _NARRATIVE),
        Column(
            "実施方法",
            "implementation_methods",
            "choices",
            20,
            choices=_choices(ImplementationMethod),
        ),
        _text("実施方法（その他）", "implementation_other", 20),
        _text("委託先・指定管理者・補助先", "contractor", 24),
        Column("事業主体", "actors", "choices", 14, choices=_choices(Actor)),
        _text("事業主体（その他）", "actors_other", 16),
        Column("受益者負担の有無", "user_charge_exists", "yes_no_blank", 10),
        _text("受益者負担の前回改定時期", "user_charge_revised", 16),
        _text("国県支出金の内容", "subsidy_note", 24),
        _text("その他特財の内容", "other_specific_note", 24),
        _text("対象数の定義", "unit_target_definition", 20),
        _text("対象数の単位", "unit_target_unit", 10),
        Column(
            "前回の今後の方向性", "previous_direction", "choice", 16, choices=_choices(Direction)
        ),
        Column("今後の方向性", "direction", "choice", 16, choices=_choices(Direction)),
        Column(
            "資源配分（財源）", "funding_allocation", "choice", 12, choices=_choices(Allocation)
        ),
        Column(
            "資源配分（人員）", "staffing_allocation", "choice", 12, choices=_choices(Allocation)
        ),
    ),
)

EXTRA = Table(
    "extra",
    "様式独自の項目",
    (
        *SHEET_KEY,
        Column("項目名", "name", "code", 18, is_key=True),
        Column("項目", "label", "text", 30, export_only=True),
        Column("年度", "year", "year", 12, is_key=True),
        Column("値", "value", "text", 30),
    ),
)

_MONEY = (
    ("国庫支出金", "national_subsidy"),
    ("県支出金", "prefectural_subsidy"),
    ("起債", "municipal_bonds"),
    ("その他特定財源", "other_specific"),
    ("受益者負担", "user_charges"),
    ("一般財源", "general_revenue"),
)

COSTS = Table(
    "costs",
    "事業費",
    (
        *SHEET_KEY,
        Column("年度", "year", "year", 12, is_key=True),
        Column("区分", "kind", "choice", 10, is_key=True, choices=_choices(CostKind)),
        *(Column(f"{header}（千円）", key, "money", 13) for header, key in _MONEY),
        Column("新年度の複写", "copy_state", "choice", 16, choices=COPY_STATES),
    ),
)

EFFORTS = Table(
    "efforts",
    "人工",
    (
        *SHEET_KEY,
        Column("年度", "year", "year", 12, is_key=True),
        Column("職員人工数", "staff_fte", "fte", 11),
        Column("会計年度任用職員人工数", "part_time_fte", "fte", 13),
        Column("対象数", "target_count", "int", 13),
    ),
)

_VALUES = (
    Column("年度", "year", "year", 12, is_key=True),
    Column("目標", "target", "figure", 13),
    Column("実績", "actual", "figure", 13),
)

ACTIVITIES = Table(
    "activities",
    "細事業・活動指標",
    (
        *SHEET_KEY,
        Column("細事業番号", "sub_no", "int", 8, is_key=True),
        Column("細事業の表示順", "sub_order", "int", 8),
        _text("細事業名", "sub_name", 24),
        _text("手段（細事業の具体的内容）", "means", 40),
        Column("新規", "is_new", "bool", 6),
        Column("指標番号", "ind_no", "int", 8, is_key=True),
        Column("指標の表示順", "ind_order", "int", 8),
        _text("活動指標名", "ind_name", 24),
        Column("単位", "unit", "text", 8),
        *_VALUES,
    ),
)

OUTCOMES = Table(
    "outcomes",
    "成果指標",
    (
        *SHEET_KEY,
        Column("指標番号", "ind_no", "int", 8, is_key=True),
        Column("指標の表示順", "ind_order", "int", 8),
        _text("成果指標名", "ind_name", 24),
        Column("単位", "unit", "text", 8),
        _text("計算方法又は説明", "method", 30),
        Column("現状値", "baseline", "decimal", 13),
        Column("現状値の年度", "baseline_year", "year", 12),
        *_VALUES,
    ),
)

SCHEDULE = Table(
    "schedule",
    "事業行程",
    (
        *SHEET_KEY,
        Column("項目番号", "item_no", "int", 8, is_key=True),
        Column("項目の表示順", "item_order", "int", 8),
        _text("項目", "item_name", 24),
        Column("年度", "year", "year", 12, is_key=True),
        _text("事業行程（計画）", "plan", 30),
        _text("実施結果", "result", 30),
    ),
)

ASSESSMENTS = Table(
    "assessments",
    "評価視点",
    (
        *SHEET_KEY,
        Column("評価視点", "viewpoint", "code", 10, is_key=True),
        Column("評価", "choice", "text", 14),
        _text("判断理由", "reason", 50),
    ),
)

REVIEWS = Table(
    "reviews",
    "課長所見",
    (
        *SHEET_KEY,
        _text("評価責任者（課長）の所見", "remarks", 50),
        _text("所管部長による総評", "head_comment", 40),
        _text("評価責任者名", "reviewer_name", 14),
    ),
)

TABLES: tuple[Table, ...] = (
    PROJECTS,
    SHEETS,
    EXTRA,
    COSTS,
    EFFORTS,
    ACTIVITIES,
    OUTCOMES,
    SCHEDULE,
    ASSESSMENTS,
    REVIEWS,
)
BY_TITLE = {table.title: table for table in TABLES}
BY_NAME = {table.name: table for table in TABLES}
# The tables whose rows of a sheet are replaced as a whole when one of them changes.
CHILD_TABLES = tuple(t for t in TABLES if t.per_sheet and t.name != "sheets")
