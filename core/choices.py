"""Shared choices: one term, one name (the glossary is in docs/domain.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetLayoutKey(models.TextChoices):
    """The 様式 (sheet layouts) a municipality can use; each is described by its SheetLayout
    in evalsheets.layouts."""

    TAMANA = "tamana_furikaeri", _("事務ふりかえりシート（玉名市様式）")
    ISEHARA = "isehara_hyoka", _("事務事業評価シート（伊勢原市様式）")
    HITOYOSHI = "hitoyoshi_plan", _("総合計画 事務事業シート（人吉市様式）")


class SheetState(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済")
    APPROVED = "approved", _("課長承認")
    CONFIRMED = "confirmed", _("企画課確認")
    PUBLISHED = "published", _("公表")


# States in which a 課長 has approved the sheet (approved_by / approved_at are set).
APPROVED_STATES = (SheetState.APPROVED, SheetState.CONFIRMED, SheetState.PUBLISHED)


class CostKind(models.TextChoices):
    SETTLED = "settled", _("決算")
    BUDGET = "budget", _("予算")
    PLAN = "plan", _("計画")
    OVERALL = "overall", _("全体計画")


class StaffKind(models.TextChoices):
    STAFF = "staff", _("職員")
    PART_TIME = "part_time", _("会計年度任用職員")


class PeriodKind(models.TextChoices):
    SINGLE = "single", _("単年度のみ")
    REPEAT = "repeat", _("単年度繰返し")
    LIMITED = "limited", _("期間限定複数年度")


class ProjectType(models.TextChoices):
    SOFT = "soft", _("ソフト事業")
    MANDATORY = "mandatory", _("義務的事業")
    CONSTRUCTION = "construction", _("建設・整備事業")
    FACILITY = "facility", _("施設の維持管理事業")
    INTERNAL = "internal", _("内部管理事務")
    PLANNING = "planning", _("計画等の策定及び進捗管理事務")


class Account(models.TextChoices):
    GENERAL = "general", _("一般会計")
    SPECIAL = "special", _("特別･企業会計")


class AffairKind(models.TextChoices):
    AUTONOMOUS = "autonomous", _("自治事務")
    ENTRUSTED = "entrusted", _("法定受託事務")


class ImplementationMethod(models.TextChoices):
    DIRECT = "direct", _("直営")
    FULL_CONTRACT = "full_contract", _("全部委託・請負")
    PARTIAL_CONTRACT = "partial_contract", _("一部委託・請負")
    DESIGNATED_MANAGER = "designated_manager", _("指定管理")
    SUBSIDY = "subsidy", _("補助金等交付")
    OTHER = "other", _("その他")


class Actor(models.TextChoices):
    NATIONAL = "national", _("国")
    PREFECTURE = "prefecture", _("県")
    CITY = "city", _("市")
    PRIVATE = "private", _("民間")
    OTHER = "other", _("その他")


class Direction(models.TextChoices):
    # 玉名 今後の方向性
    EXPAND = "expand", _("拡充して継続")
    MAINTAIN = "maintain", _("現状のまま継続")
    REDUCE = "reduce", _("縮小して継続")
    IMPROVE = "improve", _("執行方法の改善")
    SUSPEND = "suspend", _("休止・廃止")
    END = "end", _("終了")
    # 人吉 事業の方向性
    GROW = "grow", _("拡大")
    KEEP = "keep", _("現状維持")
    SHRINK = "shrink", _("縮小")
    MERGE = "merge", _("統合")
    ABOLISH = "abolish", _("廃止")
    COMPLETE = "complete", _("完了")


class Allocation(models.TextChoices):
    GROW = "grow", _("拡大")
    KEEP = "keep", _("現状維持")
    SHRINK = "shrink", _("縮小")


class ExportKind(models.TextChoices):
    ZIP = "zip", _("PDF一式（ZIP：1シート1ファイル）")
    BOOKLET = "booklet", _("冊子PDF（表紙・目次・通しページ）")


class BookletScope(models.TextChoices):
    YEAR = "year", _("年度全体で1冊")
    POLICY = "policy", _("施策ごとに1冊（ZIP）")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")
