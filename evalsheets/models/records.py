"""What happens to a sheet: 課長所見 (Review), the audit trail, stored PDFs and export jobs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import (
    BookletScope,
    ExportKind,
    ExportStatus,
)
from evalsheets.models.bounds import text_bound
from evalsheets.models.sheet import EvaluationSheet
from municipalities.models import Municipality


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
            text_bound("review", _("課長の所見・所管部長による総評"), "remarks", "head_comment")
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
    """A sheet rendered once as the official PDF and kept (evalsheets.pdf.render renders it).

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
    """A bulk export of PDFs for the 企画課, run in the background (evalsheets.exports.bulk).

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
        booklet still draws its cover lists and table of contents and writes the file,
        with the bar already full (how long: docs/performance.md)."""
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
