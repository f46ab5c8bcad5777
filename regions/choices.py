from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    SETTLEMENT = "settlement", _("定住自立圏")
    METRO = "metro", _("連携中枢都市圏")


class MemberRole(models.TextChoices):
    CENTRAL = "central", _("中心市・連携中枢都市")
    NEIGHBOUR = "neighbour", _("近隣市町村")


class RoundState(models.TextChoices):
    OPEN = "open", _("報告受付中")
    COLLECTED = "collected", _("取りまとめ済")
    MEETING_DONE = "meeting_done", _("懇談会済")
    PUBLISHED = "published", _("公表")


class ReportKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel（.xlsx）")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")
