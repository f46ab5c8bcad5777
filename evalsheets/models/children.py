"""What a sheet holds: 細事業, indicators and their yearly values, cost rows, 人工,
the schedule and the assessment answers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import calculations
from core.choices import CostKind
from evalsheets.models.bounds import (
    COUNT_MAX,
    FTE_MAX,
    MONEY_FIELDS,
    MONEY_MAX,
    figure_range,
    fte,
    money,
    text_bound,
    year_range,
)
from evalsheets.models.sheet import EvaluationSheet


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
        constraints = [text_bound("subproject", _("手段（細事業の具体的内容）"), "means")]

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
                condition=figure_range("baseline") & year_range("baseline_year"),
                name="%(app_label)s_%(class)s_baseline_range",
                violation_error_message=_(
                    "現状値は±999,999,999,999.99の範囲、その年度は1868年から2200年までです。"
                ),
            )
        ]


class IndicatorValue(models.Model):
    """A year's 目標 and 実績. ``*_na`` is the paper form's "***" (not applicable), not 0."""

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
            condition=figure_range("target") & figure_range("actual"),
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
    # A column the new fiscal year copied (evalsheets.workflow.years) keeps saying so until
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
            text_bound("assessmentanswer", _("判断理由"), "reason"),
            models.UniqueConstraint(
                fields=["sheet", "viewpoint"],
                name="%(app_label)s_%(class)s_unique_viewpoint",
                violation_error_message=_("同じ評価視点の回答が既にあります。"),
            ),
        ]

    def __str__(self):
        return f"{self.viewpoint}: {self.choice}"
