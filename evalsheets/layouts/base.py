"""What a 様式 (sheet layout) is: one frozen ``SheetLayout`` says everything that differs
between the municipalities' evaluation sheets. The data model is the same for all of them;
a layout decides which fields the entry form edits and in which order, the paper's wording,
the viewpoints and their choices, the directions, the cost grid's rows and year columns,
which indicator and schedule grids exist, and which templates render the sheet page, the
entry form and the PDF.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from core.choices import CostKind
from core.wareki import fiscal_year_label, fiscal_year_short


class UnknownLayout(LookupError):
    """A sheet layout key that no layout is registered under: a configuration error, never
    silently replaced by another layout."""

    def __init__(self, key):
        super().__init__(f"評価シート様式「{key}」は登録されていません。")
        self.key = key


@dataclass(frozen=True)
class Choice:
    """One choice of a list the definition declares (a direction, a ■/□ option)."""

    value: str
    label: str

    def __str__(self):
        return self.value


@dataclass(frozen=True)
class ExtraField:
    """A field the core model does not have (存廃判断, NPO協働, 所属コード …), declared by a
    定義 and stored in the sheet's ``extra`` (JSON), validated, diffed, exported and printed
    like the built-in ones. Kinds: text, choice, number, yes_no, year_numbers (a number per
    year, ``year_offsets`` from the sheet's fiscal year)."""

    name: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 2000
    unit: str = ""
    year_offsets: tuple[int, ...] = ()
    carry: bool = True  # copied into next year's draft when the 企画課 opens the year

    def carried(self, value, fiscal_year: int):
        """What next year's draft (of ``fiscal_year``) starts with: the value as it is, a
        number per year only for the years the new sheet shows; None if nothing is carried."""
        if not self.carry or value in (None, "", {}):
            return None
        if self.kind == "year_numbers":
            years = {str(fiscal_year + offset) for offset in self.year_offsets}
            kept = {year: number for year, number in value.items() if year in years}
            return kept or None
        return value

    def choice_label(self, key) -> str:
        return dict(self.choices).get(key, "")

    @property
    def all_choices(self) -> tuple[tuple, ...]:
        """The choices, as stored values: yes/no as True/False."""
        if self.kind == "yes_no":
            labels = dict(self.choices or YES_NO)
            return ((True, labels["yes"]), (False, labels["no"]))
        return self.choices

    @property
    def full_label(self) -> str:
        return self.label + (f"（{self.unit}）" if self.unit else "")

    def shown(self, value) -> str:
        """The stored value as the page and the PDF print it."""
        if value in (None, "", {}):
            return ""
        if self.kind == "choice":
            return self.choice_label(value) or str(value)
        if self.kind == "yes_no":
            return dict(self.choices or YES_NO).get("yes" if value else "no", "")
        if self.kind == "number":
            return _grouped(value)
        if self.kind == "year_numbers":
            return "、".join(
                f"{fiscal_year_label(int(year))} {_grouped(number)}"
                for year, number in sorted(value.items())
            )
        return str(value)


YES_NO = (("yes", "可"), ("no", "否"))


def _grouped(number) -> str:
    return f"{Decimal(str(number)):,f}"


@dataclass(frozen=True)
class Viewpoint:
    """One assessment question (評価の視点) with its choices, as the paper words it."""

    code: str
    group: str
    label: str
    question: str
    choices: tuple[tuple[str, str], ...]
    field_number: str = ""
    reason_label: str = "判断理由"  # the text box beside the choice
    group_number: str = ""  # printed as 【n】 beside the group's name (玉名: 【20】 妥当性)

    def choice_label(self, key: str) -> str:
        return dict(self.choices).get(key, "")


def _frozen(mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class SheetLayout:
    # Identity
    key: str  # stored in Municipality.sheet_layout
    title: str  # printed at the top: 事務ふりかえりシート …
    name: str = ""  # shown where a 様式 is chosen: 事務ふりかえりシート（玉名市様式）
    version: int = 1
    # Templates: the read-only sheet body, the entry form's sections, the PDF.
    page_template: str = "evalsheets/layouts/generated.html"
    entry_template: str = "evalsheets/entry/generated.html"
    pdf_template: str = "pdf/generated.html"
    # The sheet's own fields the entry form edits, in the order of the paper form, and the
    # paper's wording where it differs from the model's verbose_name.
    fields: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    field_numbers: Mapping[str, str] = field(default_factory=dict)  # printed as 【n】
    extra_fields: tuple[ExtraField, ...] = ()
    # The generated page and PDF: sections in order, each a heading and its blocks
    # ({"type": …, "fields": (…), "label": …, "style": …}), the heading's look
    # ("heading_style", "number", "page_break"); page breaks before these section numbers.
    sections: tuple = ()
    page_breaks: tuple[int, ...] = ()
    title_style: str = ""  # the printed title area: pdf/title/<style or "default">.html
    header_fields: tuple[str, ...] = ()  # printed in the title area, two to a row
    label_width: int = 40  # mm: the label column of the plain printed blocks
    font_size: str = ""  # pt: the printed sheet's text size ("" = the stylesheet's 7.6pt)
    # What must be filled in before the 担当者 may submit (提出前の確認): fields (built-in or
    # own; a number per year needs the sheet's year), every viewpoint answered, every
    # 成果指標 with a 目標 (or ***) for the sheet's year. None of them by default.
    required_fields: tuple[str, ...] = ()
    check_viewpoints: bool = False
    check_outcome_targets: bool = False
    implementation_choices: tuple[tuple[str, str], ...] = ()
    viewpoints: tuple[Viewpoint, ...] = ()
    directions: tuple[Choice, ...] = ()  # offered as 今後の方向性 (values of Direction)
    # The cost grid: rows entered per column (field, label); the columns of a new sheet as
    # (kind, year offset from the sheet's fiscal year; None for 全体計画); each kind's heading
    # ({short}: R05, {long}: 令和5年度, {kind}: 決算 …).
    cost_rows: tuple[tuple[str, str], ...] = ()
    cost_columns: tuple[tuple[str, int | None], ...] = ()
    column_headings: Mapping[str, str] = field(default_factory=dict)
    # 伊勢原: 事業費合計(a) and ①②③ are entered, 一般財源 is what remains.
    net_cost_entry: bool = False
    personnel: bool = True  # 人件費 (人工 × 平均給与) is part of the sheet
    target_counts: bool = False  # 対象数 per year (単位当たりコスト)
    cost_labels: Mapping[str, str] = field(default_factory=dict)  # the grid's sum rows
    # Indicator and schedule grids: year offsets of a new sheet.
    indicator_years: tuple[int, ...] = ()
    sub_projects: str = "means"  # "means" (細事業 + 手段), "is_new" (取組 + 新規／既存), ""
    activity_indicators: bool = False  # 活動指標 per 細事業
    activity_years_follow_indicators: bool = False  # a new sheet's 活動指標 grid has its years
    outcome_fields: tuple[str, ...] = ()  # extra 成果指標 columns: method, baseline …
    schedule: bool = False  # 事業行程 (計画 per year)
    short_year_labels: bool = False  # R05年度 (玉名) rather than 令和5年度 in grids and history
    plan_description: bool = False  # the 政策's description after its name (伊勢原)

    def __post_init__(self):
        for name in ("labels", "field_numbers", "column_headings", "cost_labels"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def generated_entry(self) -> bool:
        """The entry form is composed from the sections (no hand-made entry template)."""
        return self.entry_template == SheetLayout.entry_template

    # ------------------------------------------------------------------ years
    def year_label(self, year: int) -> str:
        """A year in the grids' column heads: R05 (玉名) or 令和5年度."""
        return fiscal_year_short(year) if self.short_year_labels else fiscal_year_label(year)

    def new_cost_columns(self, fiscal_year: int) -> list[tuple[str, int | None]]:
        """The cost columns (kind, year) a new sheet of this layout shows, in order."""
        return [
            (kind, None if offset is None else fiscal_year + offset)
            for kind, offset in self.cost_columns
        ]

    def new_indicator_years(self, fiscal_year: int) -> list[int]:
        return [fiscal_year + offset for offset in self.indicator_years]

    def column_label(self, kind: str, year: int | None) -> str:
        if kind == CostKind.OVERALL:
            return "全体計画"
        heading = self.column_headings.get(kind, self.column_headings.get("*", "{long} {kind}"))
        return heading.format(
            short=fiscal_year_short(year), long=fiscal_year_label(year), kind=CostKind(kind).label
        )

    # ------------------------------------------------------------------ wording
    def label(self, name: str, default: str) -> str:
        return self.labels.get(name, default)

    def carried_extra(self, stored: dict | None, fiscal_year: int) -> dict:
        """Last year's own fields (``stored``) as a new draft of ``fiscal_year`` starts."""
        result = {}
        for extra in self.extra_fields:
            value = extra.carried((stored or {}).get(extra.name), fiscal_year)
            if value is not None:
                result[extra.name] = value
        return result

    def viewpoint(self, code: str) -> Viewpoint | None:
        return next((v for v in self.viewpoints if v.code == code), None)

    def extra_field(self, name: str) -> ExtraField | None:
        return next((f for f in self.extra_fields if f.name == name), None)

    def direction_label(self, value: str) -> str:
        return next((d.label for d in self.directions if d.value == value), "")
