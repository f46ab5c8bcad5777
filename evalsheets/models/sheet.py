"""The yearly evaluation sheet (評価シート) of a project."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import calculations
from core.choices import APPROVED_STATES, Allocation, Direction, SheetState
from evalsheets.layouts import SheetLayout, get_layout
from evalsheets.models.bounds import NARRATIVE_FIELDS, text_bound
from evalsheets.models.project import Project
from evalsheets.models.querysets import SheetQuerySet


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
    # The values of the fields a 様式 definition declares beyond the model
    # (SheetLayout.extra_fields): {name: value}; checked by the entry form.
    extra = models.JSONField(_("様式独自の項目"), default=dict, blank=True)
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
            text_bound("evaluationsheet", _("評価シートの文章"), *NARRATIVE_FIELDS),
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
    def layout(self) -> SheetLayout:
        """The 様式 the sheet is written in: its municipality's (UnknownLayout if none)."""
        return get_layout(self.project.municipality.sheet_layout, self.fiscal_year)

    # Computed figures, one place: core.calculations.
    def salary_table(self) -> dict[tuple[int, str], int]:
        return calculations.salary_table(self.project.municipality.average_salaries.all())

    def cost_columns(self):
        """Each cost column with its 小計, 人件費 and 合計, in the order of the form."""
        return calculations.cost_columns(
            list(self.cost_rows.all()), list(self.efforts.all()), self.salary_table()
        )
