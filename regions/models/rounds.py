"""The yearly progress round of a region: the round, each member's report, the region's audit
trail and the 懇談会 report jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from regions.choices import ReportKind, ReportStatus, RoundState
from regions.models.region import MONEY_MAX, Initiative, Region
from regions.querysets import RoundQuerySet


class ProgressRound(models.Model):
    """The yearly progress round (進捗確認) of a region: open → collected → 懇談会 done →
    published (regions.services moves it)."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("圏域")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("対象年度"))
    state = models.CharField(
        _("状態"), max_length=20, choices=RoundState.choices, default=RoundState.OPEN
    )
    meeting_date = models.DateField(_("懇談会・連絡会議の開催日"), null=True, blank=True)
    meeting_comment = models.TextField(_("懇談会・連絡会議の意見"), blank=True)
    version = models.PositiveIntegerField(_("版"), default=1)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("開始した人"),
    )
    opened_at = models.DateTimeField(_("開始日時"), auto_now_add=True)
    published_at = models.DateTimeField(_("公表日時"), null=True, blank=True)
    is_demo = models.BooleanField(_("デモ値"), default=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("進捗確認")
        verbose_name_plural = _("進捗確認")
        ordering = ["region", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "fiscal_year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("この年度の進捗確認は既にあります。"),
            )
        ]

    def __str__(self):
        return f"{self.region} {self.fiscal_year}年度 進捗確認"


class MemberReport(models.Model):
    """What one member did for one initiative in a round: text, 事業費 実績 and its share."""

    round = models.ForeignKey(
        ProgressRound, on_delete=models.CASCADE, related_name="reports", verbose_name=_("進捗確認")
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="reports", verbose_name=_("具体的取組")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("市町村")
    )
    text = models.TextField(_("実施内容"), blank=True)
    actual_cost = models.BigIntegerField(_("事業費実績（千円）"), null=True, blank=True)
    share = models.BigIntegerField(_("うち負担額（千円）"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("報告者"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    is_demo = models.BooleanField(_("デモ値"), default=False)

    class Meta:
        verbose_name = _("構成市町村の実績報告")
        verbose_name_plural = _("構成市町村の実績報告")
        ordering = ["round", "initiative", "municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "initiative", "municipality"],
                name="%(app_label)s_%(class)s_unique_report",
                violation_error_message=_("この取組の報告は既にあります。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(actual_cost__isnull=True) | Q(actual_cost__gte=0, actual_cost__lte=MONEY_MAX)
                )
                & (Q(share__isnull=True) | Q(share__gte=0, share__lte=MONEY_MAX)),
                name="%(app_label)s_%(class)s_cost_range",
                violation_error_message=_(
                    "事業費は0以上999,999,999,999千円以下で入力してください。"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.round} / {self.initiative} / {self.municipality}"


class RegionAuditEntry(models.Model):
    """The audit trail of a region (its own: regions does not use the sheets' trail)."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="audit_entries", verbose_name=_("圏域")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作した人"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作した人の市町村"),
    )
    action = models.CharField(_("操作"), max_length=40)
    object_repr = models.CharField(_("対象"), max_length=300)
    changes = models.JSONField(_("変更内容"), default=dict, blank=True)
    comment = models.TextField(_("コメント"), blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("圏域の操作履歴")
        verbose_name_plural = _("圏域の操作履歴")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.region} {self.action} {self.object_repr}"


class ReportJob(models.Model):
    """A 懇談会 report (PDF or .xlsx) of a round, made by the task worker
    (evalsheets.regions_report), its progress committed as it goes."""

    round = models.ForeignKey(
        ProgressRound,
        on_delete=models.CASCADE,
        related_name="report_jobs",
        verbose_name=_("進捗確認"),
    )
    kind = models.CharField(_("形式"), max_length=10, choices=ReportKind.choices)
    status = models.CharField(
        _("状態"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依頼者"),
    )
    done = models.PositiveIntegerField(_("処理済み"), default=0)
    total = models.PositiveIntegerField(_("工程数"), default=0)
    result = models.FileField(
        _("作成したファイル"), upload_to="region_reports/", max_length=300, blank=True
    )
    result_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("懇談会資料の作成")
        verbose_name_plural = _("懇談会資料の作成")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.round} {self.get_kind_display()} ({self.pk})"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0
