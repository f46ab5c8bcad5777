from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, PlanNode, Section

from . import calculations
from .choices import (
    APPROVED_STATES,
    Account,
    AffairKind,
    Allocation,
    BookletScope,
    CostKind,
    Direction,
    ExportKind,
    ExportStatus,
    PeriodKind,
    ProjectType,
    SheetState,
    StaffKind,
)
from .querysets import ProjectQuerySet, SheetQuerySet

MONEY_FIELDS = (
    "national_subsidy",
    "prefectural_subsidy",
    "municipal_bonds",
    "other_specific",
    "user_charges",
    "general_revenue",
)
FTE_MAX = Decimal("99.99")
# Bounds of every number a user enters, checked by the entry form (with a Japanese
# message next to the field) and by a CheckConstraint of each model (migration 0006).
MONEY_MAX = 999_999_999_999  # 千円: larger than any municipal budget, inside BigIntegerField
COUNT_MAX = 999_999_999_999  # 対象数
# 目標・実績・現状値 may be negative (増減数); what DecimalField(14, 2) holds, either sign.
FIGURE_MAX = Decimal("999999999999.99")
YEAR_MIN, YEAR_MAX = 1868, 2200  # a year typed as such (現状値の年度)
SALARY_MAX = 100_000  # 千円 a year (平均給与)
# The longest narrative text, workflow comment, reason or 所見 (entry form, workflow form
# and service, and a database constraint on every such TextField: ``_text_bound``).
TEXT_MAX_LENGTH = 2000


def _text_bound(model_name: str, label: str, *names: str) -> models.CheckConstraint:
    """The database's side of ``TEXT_MAX_LENGTH``: each named column holds at most that many
    characters, whatever writes it (form, admin, import, shell)."""
    return models.CheckConstraint(
        condition=Q(*(LessThanOrEqual(Length(name), TEXT_MAX_LENGTH) for name in names)),
        name=f"evalsheets_{model_name}_text_length",
        violation_error_message=format_lazy(
            _("{label}は、それぞれ{max}文字以内で入力してください。"),
            label=label,
            max=TEXT_MAX_LENGTH,
        ),
    )


# The sheet's narrative text fields, in the order of the model (one list for the demo
# loader, the diff, the list's deferred columns and the new-year copy).
NARRATIVE_FIELDS = (
    "background",
    "target",
    "intent",
    "purpose",
    "content",
    "summary",
    "policy",
    "work_done",
    "results",
    "issues",
    "improvement",
    "previous_review",
    "previous_review_status",
    "strategies",
    "manifesto",
)
# A sheet's other yearly details (実施方法, 事業主体, 受益者負担, 対象数 …).
SHEET_DETAIL_FIELDS = (
    "implementation_methods",
    "implementation_other",
    "contractor",
    "actors",
    "actors_other",
    "user_charge_exists",
    "user_charge_revised",
    "subsidy_note",
    "other_specific_note",
    "unit_target_definition",
    "unit_target_unit",
)
# A project's descriptive master data (demo loader and the import/export resource).
PROJECT_DETAIL_FIELDS = (
    "name",
    "start_year",
    "end_year",
    "period_kind",
    "basis_law",
    "basis_law_text",
    "basis_pledge",
    "basis_plan",
    "basis_plan_text",
    "project_type",
    "account",
    "account_name",
    "budget_kan",
    "budget_kou",
    "budget_moku",
    "budget_saimoku",
    "budget_project_name",
    "affair_kind",
    "legal_position",
    "related_laws",
    "national_plans",
    "national_plans_period",
    "related_plans",
    "related_plans_period",
)


def _figure_range(name: str) -> Q:
    """A 目標・実績・現状値 column: blank, or within ±FIGURE_MAX."""
    return Q(**{f"{name}__isnull": True}) | Q(
        **{f"{name}__gte": -FIGURE_MAX, f"{name}__lte": FIGURE_MAX}
    )


def _year_range(name: str) -> Q:
    """A year column: blank, or from YEAR_MIN to YEAR_MAX."""
    return Q(**{f"{name}__isnull": True}) | Q(
        **{f"{name}__gte": YEAR_MIN, f"{name}__lte": YEAR_MAX}
    )


def money(label):
    return models.BigIntegerField(label, default=0)


def fte(label):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(FTE_MAX)],
    )


class AverageSalary(models.Model):
    """平均給与 of a municipality for one fiscal year and one kind of staff (千円)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="average_salaries",
        verbose_name=_("地方公共団体"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    staff_kind = models.CharField(_("職員区分"), max_length=20, choices=StaffKind.choices)
    amount = models.PositiveIntegerField(_("年間平均給与額（千円）"))

    class Meta:
        verbose_name = _("平均給与")
        verbose_name_plural = _("平均給与")
        ordering = ["municipality", "fiscal_year", "staff_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "staff_kind"],
                name="%(app_label)s_%(class)s_unique_year_kind",
                violation_error_message=_("この年度・職員区分の平均給与は既に登録されています。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=SALARY_MAX),
                name="%(app_label)s_%(class)s_amount_range",
                violation_error_message=_("平均給与は0以上100,000千円以下で入力してください。"),
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.fiscal_year} {self.get_staff_kind_display()}"


class Project(models.Model):
    """事務事業: stable across fiscal years."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("地方公共団体"),
    )
    code = models.CharField(_("事務事業コード"), max_length=30)
    name = models.CharField(_("事務事業名"), max_length=200)
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="projects", verbose_name=_("所管課")
    )
    plan_node = models.ForeignKey(
        PlanNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("総合計画での位置付け"),
    )
    active = models.BooleanField(_("実施中"), default=True)
    start_year = models.PositiveSmallIntegerField(_("開始年度"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("終了年度"), null=True, blank=True)
    period_kind = models.CharField(
        _("事業期間"), max_length=20, choices=PeriodKind.choices, blank=True
    )
    basis_law = models.BooleanField(_("根拠：法令、県・市条例等"), default=False)
    basis_law_text = models.CharField(_("根拠となる法令・条例等"), max_length=200, blank=True)
    basis_pledge = models.BooleanField(_("根拠：市長公約"), default=False)
    basis_plan = models.BooleanField(_("根拠：その他の計画"), default=False)
    basis_plan_text = models.CharField(_("根拠となる計画"), max_length=200, blank=True)
    project_type = models.CharField(
        _("事業区分"), max_length=20, choices=ProjectType.choices, blank=True
    )
    account = models.CharField(_("会計区分"), max_length=20, choices=Account.choices, blank=True)
    account_name = models.CharField(_("特別・企業会計名"), max_length=100, blank=True)
    budget_kan = models.CharField(_("款"), max_length=10, blank=True)
    budget_kou = models.CharField(_("項"), max_length=10, blank=True)
    budget_moku = models.CharField(_("目"), max_length=10, blank=True)
    budget_saimoku = models.CharField(_("細目"), max_length=10, blank=True)
    budget_project_name = models.CharField(_("予算事業名"), max_length=200, blank=True)
    affair_kind = models.CharField(
        _("事務区分"), max_length=20, choices=AffairKind.choices, blank=True
    )
    legal_position = models.CharField(_("法令上の位置づけ"), max_length=200, blank=True)
    related_laws = models.CharField(_("関連法令等"), max_length=300, blank=True)
    national_plans = models.CharField(_("国・県の計画等"), max_length=300, blank=True)
    national_plans_period = models.CharField(_("国・県の計画期間"), max_length=100, blank=True)
    related_plans = models.CharField(_("関連個別計画"), max_length=300, blank=True)
    related_plans_period = models.CharField(_("関連個別計画の期間"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("関係する広域連携圏域"),
    )
    initiative = models.ForeignKey(
        "regions.Initiative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("関係する具体的取組"),
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("事務事業")
        verbose_name_plural = _("事務事業")
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("この事務事業コードは既に登録されています。"),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("終了年度は開始年度以降にしてください。"),
            ),
            models.CheckConstraint(
                condition=_year_range("start_year") & _year_range("end_year"),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=_("開始年度・終了年度は1868年から2200年までです。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def has_no_basis(self) -> bool:
        return not (self.basis_law or self.basis_pledge or self.basis_plan)


class EvaluationSheet(models.Model):
    """One 事務事業評価シート per project and fiscal year (実施年度)."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("事務事業")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("実施年度"))
    state = models.CharField(
        _("状態"),
        max_length=20,
        choices=SheetState.choices,
        default=SheetState.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("版"), default=1)
    author_name = models.CharField(_("作成者（担当者）"), max_length=50, blank=True)
    # Narrative fields, in the order of the paper forms.
    background = models.TextField(_("実施の背景"), blank=True)
    target = models.TextField(_("対象"), blank=True)
    intent = models.TextField(_("意図"), blank=True)
    purpose = models.TextField(_("目的"), blank=True)
    content = models.TextField(_("事業の具体的内容"), blank=True)
    summary = models.TextField(_("事務事業概要"), blank=True)
    policy = models.TextField(_("取組方針（前年度評価）"), blank=True)
    work_done = models.TextField(_("実施した取組の内容"), blank=True)
    results = models.TextField(_("取組成果"), blank=True)
    issues = models.TextField(_("今後の課題"), blank=True)
    improvement = models.TextField(_("見直し・改善の具体的内容"), blank=True)
    previous_review = models.TextField(_("前回のふりかえりの内容"), blank=True)
    previous_direction = models.CharField(
        _("前回の今後の方向性"),
        max_length=20,
        choices=Direction.choices,
        blank=True,
        help_text=_("前年度シートの今後の方向性（新年度の開始時に複写）"),
    )
    previous_review_status = models.TextField(
        _("前回のふりかえりに対する見直し・改善状況"), blank=True
    )
    strategies = models.TextField(_("総合戦略"), blank=True)
    manifesto = models.TextField(_("市長マニフェスト"), blank=True)
    implementation_methods = models.JSONField(_("実施方法"), default=list, blank=True)
    implementation_other = models.CharField(_("実施方法（その他）"), max_length=200, blank=True)
    contractor = models.CharField(_("委託先・指定管理者・補助先"), max_length=200, blank=True)
    actors = models.JSONField(_("事業主体"), default=list, blank=True)
    actors_other = models.CharField(_("事業主体（その他）"), max_length=200, blank=True)
    user_charge_exists = models.BooleanField(_("受益者負担の有無"), null=True, blank=True)
    user_charge_revised = models.CharField(
        _("受益者負担の前回改定時期"), max_length=100, blank=True
    )
    subsidy_note = models.CharField(_("国県支出金の内容"), max_length=300, blank=True)
    other_specific_note = models.CharField(_("その他特財の内容"), max_length=300, blank=True)
    unit_target_definition = models.CharField(_("対象数の定義"), max_length=100, blank=True)
    unit_target_unit = models.CharField(_("対象数の単位"), max_length=20, blank=True)
    direction = models.CharField(
        _("今後の方向性"), max_length=20, choices=Direction.choices, blank=True
    )
    funding_allocation = models.CharField(
        _("資源配分（財源）"), max_length=20, choices=Allocation.choices, blank=True
    )
    staffing_allocation = models.CharField(
        _("資源配分（人員）"), max_length=20, choices=Allocation.choices, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_sheets",
        verbose_name=_("承認者"),
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    published_at = models.DateTimeField(_("公表日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("事務事業評価シート")
        verbose_name_plural = _("事務事業評価シート")
        ordering = ["project__municipality", "project__code", "-fiscal_year"]
        constraints = [
            _text_bound("evaluationsheet", _("評価シートの文章"), *NARRATIVE_FIELDS),
            models.UniqueConstraint(
                fields=["project", "fiscal_year"],
                name="%(app_label)s_%(class)s_one_per_year",
                violation_error_message=_("この事務事業のこの年度の評価シートは既にあります。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(state__in=APPROVED_STATES, approved_at__isnull=False)
                    | (~Q(state__in=APPROVED_STATES) & Q(approved_at__isnull=True))
                ),
                name="%(app_label)s_%(class)s_approved_has_time",
                violation_error_message=_("承認済みのシートには承認日時が必要です。"),
            ),
            models.CheckConstraint(
                condition=Q(state=SheetState.PUBLISHED, published_at__isnull=False)
                | (~Q(state=SheetState.PUBLISHED) & Q(published_at__isnull=True)),
                name="%(app_label)s_%(class)s_published_has_time",
                violation_error_message=_("公表済みのシートには公表日時が必要です。"),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.project.name}（{self.fiscal_year}年度）"

    @property
    def municipality(self):
        return self.project.municipality

    @property
    def results_year(self) -> int:
        """実績年度: a sheet of fiscal year N reports the results of N−1."""
        return self.fiscal_year - 1

    @property
    def form(self) -> str:
        return self.project.municipality.sheet_form

    # Computed figures, one place: evalsheets.calculations.
    def salary_table(self) -> dict[tuple[int, str], int]:
        return calculations.salary_table(self.project.municipality.average_salaries.all())

    def cost_columns(self):
        """Each cost column with its 小計, 人件費 and 合計, in the order of the form."""
        return calculations.cost_columns(
            list(self.cost_rows.all()), list(self.efforts.all()), self.salary_table()
        )


class SubProject(models.Model):
    """細事業 (玉名) / 主な取組内容 (人吉)."""

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="sub_projects",
        verbose_name=_("評価シート"),
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    name = models.CharField(_("細事業名"), max_length=200)
    means = models.TextField(_("手段（細事業の具体的内容）"), blank=True)
    is_new = models.BooleanField(_("新規"), default=False)

    class Meta:
        verbose_name = _("細事業")
        verbose_name_plural = _("細事業")
        ordering = ["sheet", "sort_order", "pk"]
        constraints = [_text_bound("subproject", _("手段（細事業の具体的内容）"), "means")]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def values_by_year(self) -> dict[int, "IndicatorValue"]:
        return {v.fiscal_year: v for v in self.values.all()}


class ActivityIndicator(Indicator):
    """活動指標 of a 細事業."""

    sub_project = models.ForeignKey(
        SubProject,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("細事業"),
    )

    class Meta:
        verbose_name = _("活動指標")
        verbose_name_plural = _("活動指標")
        ordering = ["sub_project", "sort_order", "pk"]


class OutcomeIndicator(Indicator):
    """成果指標 (意図の数値化)."""

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="outcome_indicators",
        verbose_name=_("評価シート"),
    )
    method = models.CharField(_("計算方法又は説明"), max_length=300, blank=True)
    baseline = models.DecimalField(
        _("現状値"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("現状値の年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("成果指標")
        verbose_name_plural = _("成果指標")
        ordering = ["sheet", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_figure_range("baseline") & _year_range("baseline_year"),
                name="%(app_label)s_%(class)s_baseline_range",
                violation_error_message=_(
                    "現状値は±999,999,999,999.99の範囲、その年度は1868年から2200年までです。"
                ),
            )
        ]


class IndicatorValue(models.Model):
    """A year's 目標 and 実績. ``*_na`` is the seeds' "***" (not applicable), distinct from 0."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    target = models.DecimalField(_("目標"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_na = models.BooleanField(_("目標 該当なし（***）"), default=False)
    actual = models.DecimalField(_("実績"), max_digits=14, decimal_places=2, null=True, blank=True)
    actual_na = models.BooleanField(_("実績 該当なし（***）"), default=False)

    class Meta:
        abstract = True
        ordering = ["fiscal_year"]

    @property
    def achievement_rate(self):
        if self.target_na or self.actual_na:
            return None
        return calculations.achievement_rate(self.actual, self.target)


def _value_constraints(parent: str):
    return [
        models.UniqueConstraint(
            fields=[parent, "fiscal_year"],
            name="%(app_label)s_%(class)s_unique_year",
            violation_error_message=_("同じ年度の値が既にあります。"),
        ),
        models.CheckConstraint(
            condition=Q(target_na=False) | Q(target__isnull=True),
            name="%(app_label)s_%(class)s_target_na_empty",
            violation_error_message=_("「該当なし」の目標には数値を入れられません。"),
        ),
        models.CheckConstraint(
            condition=Q(actual_na=False) | Q(actual__isnull=True),
            name="%(app_label)s_%(class)s_actual_na_empty",
            violation_error_message=_("「該当なし」の実績には数値を入れられません。"),
        ),
        models.CheckConstraint(
            condition=_figure_range("target") & _figure_range("actual"),
            name="%(app_label)s_%(class)s_value_range",
            violation_error_message=_("目標・実績は±999,999,999,999.99の範囲で入力してください。"),
        ),
    ]


class ActivityValue(IndicatorValue):
    indicator = models.ForeignKey(
        ActivityIndicator,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("活動指標"),
    )

    class Meta(IndicatorValue.Meta):
        verbose_name = _("活動指標の年度値")
        verbose_name_plural = _("活動指標の年度値")
        constraints = _value_constraints("indicator")

    def __str__(self):
        return f"{self.indicator} {self.fiscal_year}"


class OutcomeValue(IndicatorValue):
    indicator = models.ForeignKey(
        OutcomeIndicator,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("成果指標"),
    )

    class Meta(IndicatorValue.Meta):
        verbose_name = _("成果指標の年度値")
        verbose_name_plural = _("成果指標の年度値")
        constraints = _value_constraints("indicator")

    def __str__(self):
        return f"{self.indicator} {self.fiscal_year}"


class CostRow(models.Model):
    """財源内訳 of one column of the cost table (千円)."""

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="cost_rows",
        verbose_name=_("評価シート"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    kind = models.CharField(_("区分"), max_length=20, choices=CostKind.choices)
    national_subsidy = money(_("国庫支出金"))
    prefectural_subsidy = money(_("県支出金"))
    municipal_bonds = money(_("起債（地方債）"))
    other_specific = money(_("その他（特定財源）"))
    user_charges = money(_("受益者負担"))
    general_revenue = money(_("一般財源"))
    # A column the new fiscal year copied (evalsheets.fiscal_year) keeps saying so until
    # someone enters one of its figures: last year's figures (carried) or 0 to be filled
    # from the accounts (blank); "" once entered.
    copy_state = models.CharField(
        _("新年度の複写"),
        max_length=10,
        blank=True,
        default="",
        choices=[
            ("carried", _("前年度からの引継ぎ")),
            ("blank", _("未入力（新年度で追加）")),
        ],
    )

    class Meta:
        verbose_name = _("事業費（財源内訳）")
        verbose_name_plural = _("事業費（財源内訳）")
        ordering = ["sheet", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "fiscal_year", "kind"],
                name="%(app_label)s_%(class)s_unique_year_kind",
                violation_error_message=_("同じ年度・区分の事業費が既にあります。"),
            ),
            models.UniqueConstraint(
                fields=["sheet"],
                condition=Q(kind=CostKind.OVERALL),
                name="%(app_label)s_%(class)s_one_overall",
                violation_error_message=_("全体計画は1列だけです。"),
            ),
            models.CheckConstraint(
                condition=Q(kind=CostKind.OVERALL, fiscal_year__isnull=True)
                | (~Q(kind=CostKind.OVERALL) & Q(fiscal_year__isnull=False)),
                name="%(app_label)s_%(class)s_year_unless_overall",
                violation_error_message=_("全体計画以外の事業費には年度が必要です。"),
            ),
            models.CheckConstraint(
                condition=Q(national_subsidy__gte=0)
                & Q(prefectural_subsidy__gte=0)
                & Q(municipal_bonds__gte=0)
                & Q(other_specific__gte=0)
                & Q(user_charges__gte=0)
                & Q(general_revenue__gte=0),
                name="%(app_label)s_%(class)s_non_negative",
                violation_error_message=_("事業費（財源）に負の金額は入力できません。"),
            ),
            models.CheckConstraint(
                condition=Q(*(Q(**{f"{name}__lte": MONEY_MAX}) for name in MONEY_FIELDS)),
                name="%(app_label)s_%(class)s_money_max",
                violation_error_message=_(
                    "事業費（財源）は999,999,999,999千円以下で入力してください。"
                ),
            ),
        ]

    def __str__(self):
        year = self.fiscal_year or ""
        return f"{year}{self.get_kind_display()}"

    @property
    def subtotal(self) -> int:
        return calculations.project_cost(self)

    @property
    def subsidies(self) -> int:
        """国県支出金 ① (伊勢原)."""
        return self.national_subsidy + self.prefectural_subsidy


class StaffEffort(models.Model):
    """人工 of one fiscal year (職員 and 会計年度任用職員)."""

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="efforts",
        verbose_name=_("評価シート"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    staff_fte = fte(_("職員人工数"))
    part_time_fte = fte(_("会計年度任用職員人工数"))
    target_count = models.PositiveBigIntegerField(
        _("対象数"), null=True, blank=True, help_text=_("単位当たりコストの分母（伊勢原様式）")
    )

    class Meta:
        verbose_name = _("人工")
        verbose_name_plural = _("人工")
        ordering = ["sheet", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "fiscal_year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("同じ年度の人工が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(staff_fte__gte=0)
                & Q(part_time_fte__gte=0)
                & Q(staff_fte__lte=FTE_MAX)
                & Q(part_time_fte__lte=FTE_MAX),
                name="%(app_label)s_%(class)s_fte_range",
                violation_error_message=_("人工は0.00以上99.99以下で入力してください。"),
            ),
            models.CheckConstraint(
                condition=Q(target_count__isnull=True)
                | Q(target_count__gte=0, target_count__lte=COUNT_MAX),
                name="%(app_label)s_%(class)s_target_count_range",
                violation_error_message=_("対象数は0以上999,999,999,999以下で入力してください。"),
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year}"


class ScheduleItem(models.Model):
    """事業行程 / 実施結果 (伊勢原): an item with a plan and a result per year."""

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="schedule_items",
        verbose_name=_("評価シート"),
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    name = models.CharField(_("項目"), max_length=200)

    class Meta:
        verbose_name = _("事業行程の項目")
        verbose_name_plural = _("事業行程の項目")
        ordering = ["sheet", "sort_order", "pk"]

    def __str__(self):
        return self.name


class ScheduleEntry(models.Model):
    item = models.ForeignKey(
        ScheduleItem, on_delete=models.CASCADE, related_name="entries", verbose_name=_("項目")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    plan = models.CharField(_("事業行程（計画）"), max_length=200, blank=True)
    result = models.CharField(_("実施結果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("事業行程の年度")
        verbose_name_plural = _("事業行程の年度")
        ordering = ["item", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "fiscal_year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("同じ年度の行程が既にあります。"),
            )
        ]

    def __str__(self):
        return f"{self.item} {self.fiscal_year}"


class AssessmentAnswer(models.Model):
    """An answer to one viewpoint (妥当性 20-1 …, 伊勢原 進捗状況 …): a choice and 判断理由."""

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("評価シート"),
    )
    viewpoint = models.CharField(_("評価視点"), max_length=20)
    choice = models.CharField(_("評価"), max_length=30, blank=True)
    reason = models.TextField(_("判断理由"), blank=True)

    class Meta:
        verbose_name = _("評価視点の回答")
        verbose_name_plural = _("評価視点の回答")
        ordering = ["sheet", "pk"]
        constraints = [
            _text_bound("assessmentanswer", _("判断理由"), "reason"),
            models.UniqueConstraint(
                fields=["sheet", "viewpoint"],
                name="%(app_label)s_%(class)s_unique_viewpoint",
                violation_error_message=_("同じ評価視点の回答が既にあります。"),
            ),
        ]

    def __str__(self):
        return f"{self.viewpoint}: {self.choice}"


class Review(models.Model):
    """課長所見 (評価責任者の所見) and, for 伊勢原, 所管部長による総評."""

    sheet = models.OneToOneField(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="review",
        verbose_name=_("評価シート"),
    )
    remarks = models.TextField(_("評価責任者（課長）の所見"), blank=True)
    head_comment = models.TextField(_("所管部長による総評"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("評価責任者"),
    )
    reviewer_name = models.CharField(_("評価責任者名"), max_length=50, blank=True)
    reviewed_at = models.DateTimeField(_("所見記入日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("所見")
        verbose_name_plural = _("所見")
        constraints = [
            _text_bound("review", _("課長の所見・所管部長による総評"), "remarks", "head_comment")
        ]

    def __str__(self):
        return str(self.sheet)


class AuditEntry(models.Model):
    """Who did what, when: written by the services, never by signal receivers."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("地方公共団体"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("実行者"),
    )
    action = models.CharField(_("操作"), max_length=40)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("対象の種類")
    )
    object_id = models.PositiveBigIntegerField(_("対象ID"))
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("対象"), max_length=300)
    from_state = models.CharField(_("変更前の状態"), max_length=20, blank=True)
    to_state = models.CharField(_("変更後の状態"), max_length=20, blank=True)
    comment = models.TextField(_("コメント"), blank=True)
    changes = models.JSONField(_("変更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("操作履歴")
        verbose_name_plural = _("操作履歴")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class SheetPDF(models.Model):
    """A sheet rendered once as the official PDF and kept (evalsheets.pdf renders it).

    ``content_hash`` is the SHA-256 of the rendered HTML plus the layout version: a
    sheet is rendered again only when that changes. A published sheet's PDF is
    ``frozen`` (one per sheet version) and never rendered again.
    """

    sheet = models.ForeignKey(
        EvaluationSheet,
        on_delete=models.CASCADE,
        related_name="pdfs",
        verbose_name=_("評価シート"),
    )
    sheet_version = models.PositiveIntegerField(_("シートの版"))
    content_hash = models.CharField(_("内容のハッシュ"), max_length=64)
    file = models.FileField(_("PDFファイル"), upload_to="pdf/", max_length=300)
    sha256 = models.CharField(_("ファイルのSHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"))
    pages = models.PositiveIntegerField(_("ページ数"))
    frozen = models.BooleanField(_("確定（公表版）"), default=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("評価シートPDF")
        verbose_name_plural = _("評価シートPDF")
        ordering = ["sheet", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "content_hash"],
                name="%(app_label)s_%(class)s_unique_content",
                violation_error_message=_("同じ内容のPDFは既に作成されています。"),
            ),
            models.UniqueConstraint(
                fields=["sheet", "sheet_version"],
                condition=Q(frozen=True),
                name="%(app_label)s_%(class)s_one_frozen_per_version",
                violation_error_message=_("この版の確定PDFは既にあります。"),
            ),
        ]

    def __str__(self):
        return f"{self.sheet} PDF {self.sha256[:12]}"


class ExportJob(models.Model):
    """A bulk export of PDFs for the 企画課, run in the background (evalsheets.bulk_export).

    ``parameters``: ``{"year": 2023, "department": pk|None, "plan_node": pk|None,
    "state": ""|SheetState, "scope": BookletScope}``. ``done``/``total`` are committed as
    the task goes so that the job page can show a progress bar.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("地方公共団体"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_jobs",
        verbose_name=_("依頼者"),
    )
    kind = models.CharField(_("種類"), max_length=10, choices=ExportKind.choices)
    parameters = models.JSONField(_("条件"), default=dict)
    status = models.CharField(
        _("状態"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("処理済み件数"), default=0)
    total = models.PositiveIntegerField(_("件数"), default=0)
    result = models.FileField(
        _("作成したファイル"), upload_to="exports/", max_length=300, blank=True
    )
    result_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("一括出力")
        verbose_name_plural = _("一括出力")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")),
                name="%(app_label)s_%(class)s_done_within_total",
                violation_error_message=_("処理済み件数が件数を超えています。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(result=""),
                name="%(app_label)s_%(class)s_done_has_result",
                violation_error_message=_("完了した出力にはファイルが必要です。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.parameters.get('year', '')} ({self.pk})"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def step_label(self) -> str:
        """What the job is doing now, for the job page. Once every sheet is done a
        booklet still lays out its cover lists and table of contents and joins the
        chunks (17 s of 223 s for 1,000 sheets: bench_export.py), with the bar already full."""
        if self.status == ExportStatus.QUEUED:
            return _("作成の順番を待っています。")
        if self.status != ExportStatus.RUNNING:
            return ""
        if self.done < self.total:
            return _("シートを作成しています。")
        if self.kind == ExportKind.BOOKLET and self.parameters.get("scope") == BookletScope.POLICY:
            return _("表紙を作成し、施策ごとの冊子にまとめています。")
        if self.kind == ExportKind.BOOKLET:
            return _("表紙と目次を作成し、1冊にまとめています。")
        return _("ZIPファイルにまとめています。")
