"""The project (事務事業) and the yearly average salary that prices its staff effort."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import Account, AffairKind, PeriodKind, ProjectType, StaffKind
from evalsheets.models.bounds import SALARY_MAX, year_range
from evalsheets.models.querysets import ProjectQuerySet
from municipalities.models import Municipality, PlanNode, Section


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
                condition=year_range("start_year") & year_range("end_year"),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=_("開始年度・終了年度は1868年から2200年までです。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def has_no_basis(self) -> bool:
        return not (self.basis_law or self.basis_pledge or self.basis_plan)
