from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import layout_keys
from core.calculations import achievement_rate
from municipalities.choices import Achievement, MunicipalityKind, Role
from municipalities.validators import validate_local_government_code

# Bounds of the numbers entered in the admin or imported (a CheckConstraint each, with
# the message the admin shows): what the columns hold, 面積 and counts not negative.
COUNT_MAX = 999_999_999  # 人口, 世帯数
AREA_MAX = Decimal("9999999.99")  # km², DecimalField(9, 2)
FIGURE_MAX = Decimal("999999999999.99")  # KPI 実績値・目標値, DecimalField(14, 2), either sign


def _within(name: str, low, high) -> Q:
    """Blank, or from ``low`` to ``high``."""
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": low, f"{name}__lte": high})


class Municipality(models.Model):
    code = models.CharField(
        _("全国地方公共団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
        error_messages={"unique": _("この全国地方公共団体コードは既に登録されています。")},
    )
    name = models.CharField(_("団体名"), max_length=50)
    kind = models.CharField(_("区分"), max_length=20, choices=MunicipalityKind.choices)
    designated_city = models.BooleanField(_("政令指定都市"), default=False)
    prefecture = models.CharField(_("都道府県"), max_length=10)
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    households = models.PositiveIntegerField(_("世帯数"), null=True, blank=True)
    area = models.DecimalField(
        _("面積（km²）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    stats_date = models.DateField(_("人口等の基準日"), null=True, blank=True)
    sheet_layout = models.CharField(
        _("評価シート様式"), max_length=30, choices=layout_keys.choices, blank=True
    )

    class Meta:
        verbose_name = _("地方公共団体")
        verbose_name_plural = _("地方公共団体")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=_within("population", 0, COUNT_MAX)
                & _within("households", 0, COUNT_MAX)
                & _within("area", 0, AREA_MAX),
                name="%(app_label)s_%(class)s_stats_range",
                violation_error_message=_(
                    "人口・世帯数は0以上999,999,999以下、面積は0以上9,999,999.99以下で"
                    "入力してください。"
                ),
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Department(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("地方公共団体"),
    )
    name = models.CharField(_("部名"), max_length=50)
    head_name = models.CharField(_("部長名"), max_length=50, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("部")
        verbose_name_plural = _("部")
        ordering = ["municipality", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("同じ名前の部が既に登録されています。"),
            )
        ]

    def __str__(self):
        return self.name


class Section(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("地方公共団体"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sections", verbose_name=_("部")
    )
    code = models.CharField(_("課コード"), max_length=30)
    name = models.CharField(_("課名"), max_length=50)
    chief_name = models.CharField(_("課長名"), max_length=50, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("課")
        verbose_name_plural = _("課")
        ordering = ["municipality", "department__sort_order", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("この課コードは既に登録されています。"),
            ),
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("同じ名前の課が既に登録されています。"),
            ),
        ]

    def __str__(self):
        return self.name


class Plan(models.Model):
    """総合計画: a tree of PlanNodes per municipality and plan period."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="plans",
        verbose_name=_("地方公共団体"),
    )
    name = models.CharField(_("計画名"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("計画開始年度"))
    end_year = models.PositiveSmallIntegerField(_("計画終了年度"))
    level_labels = models.JSONField(
        _("階層の名称"),
        default=list,
        help_text=_("上位から順に、例：基本目標(章), 主要施策(節), 施策区分"),
    )

    class Meta:
        verbose_name = _("総合計画")
        verbose_name_plural = _("総合計画")
        ordering = ["municipality", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("同じ名前の総合計画が既に登録されています。"),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("計画終了年度は開始年度以降にしてください。"),
            ),
        ]

    def __str__(self):
        return self.name

    def level_label(self, depth: int) -> str:
        labels = self.level_labels or []
        return labels[depth] if depth < len(labels) else ""


class PlanNode(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("総合計画")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上位"),
    )
    depth = models.PositiveSmallIntegerField(_("階層"), default=0)
    code = models.CharField(_("番号"), max_length=20)
    path = models.CharField(
        _("番号の経路"),
        max_length=200,
        editable=False,
        help_text=_("上位からの番号を / で結んだもの（例：⑦/（４）/（１））"),
    )
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明・施策の方向"), blank=True)
    priority = models.BooleanField(_("重点施策"), default=False)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("施策（総合計画の項目）")
        verbose_name_plural = _("施策（総合計画の項目）")
        ordering = ["plan", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "path"],
                name="%(app_label)s_%(class)s_unique_path",
                violation_error_message=_("同じ番号の項目が既に登録されています。"),
            )
        ]

    def __str__(self):
        return f"{self.code}{self.name}"

    def save(self, *args, **kwargs):
        if self.parent_id:
            self.depth = self.parent.depth + 1
            self.path = f"{self.parent.path}/{self.code}"
        else:
            self.depth = 0
            self.path = self.code
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """⑦健全な行政運営, （１）近隣自治体との連携, but 6 地域・自治 (a space after a plain
        digit): how lists and exports print a node."""
        code = self.code or ""
        gap = " " if code and code[-1].isascii() and code[-1].isalnum() else ""
        return f"{code}{gap}{self.name}"

    @property
    def level_label(self) -> str:
        return self.plan.level_label(self.depth)

    def ancestors(self) -> list["PlanNode"]:
        """The nodes from the root down to this one, in one query (by path prefix), each
        sharing this node's plan (the page asks every level for its label)."""
        chain = self._ancestors_by_path()
        if chain is None:  # a code with "/" in it: walk up the parents instead
            chain, node = [], self
            while node is not None:
                chain.append(node)
                node = node.parent
            chain.reverse()
        plan = self.plan
        for node in chain:
            node.plan = plan
        return chain

    def _ancestors_by_path(self):
        parts = self.path.split("/")
        if len(parts) != self.depth + 1:
            return None
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts))]
        if not prefixes:
            return [self]
        found = {
            node.path: node
            for node in PlanNode.objects.filter(plan_id=self.plan_id, path__in=prefixes)
        }
        if len(found) != len(prefixes):
            return None
        return [*(found[prefix] for prefix in prefixes), self]


class PlanKPI(models.Model):
    """A 施策's KPI (人吉: 成果指標 with 実績値, 達成状況, 目標値)."""

    node = models.ForeignKey(
        PlanNode, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("施策")
    )
    name = models.CharField(_("成果指標"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    actual = models.DecimalField(
        _("実績値"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual_year = models.PositiveSmallIntegerField(_("実績年度"), null=True, blank=True)
    achievement = models.CharField(
        _("達成状況"), max_length=2, choices=Achievement.choices, blank=True
    )
    target = models.DecimalField(
        _("目標値"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("目標年度"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("施策の成果指標（KPI）")
        verbose_name_plural = _("施策の成果指標（KPI）")
        ordering = ["node", "sort_order"]
        constraints = [
            models.CheckConstraint(
                condition=_within("actual", -FIGURE_MAX, FIGURE_MAX)
                & _within("target", -FIGURE_MAX, FIGURE_MAX),
                name="%(app_label)s_%(class)s_value_range",
                violation_error_message=_(
                    "実績値・目標値は±999,999,999,999.99の範囲で入力してください。"
                ),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def achievement_rate(self):

        return achievement_rate(self.actual, self.target)


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("ユーザー"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("地方公共団体"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("課"),
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("職員プロファイル")
        verbose_name_plural = _("職員プロファイル")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[Role.PLANNING, Role.VIEWER]) | Q(section__isnull=False),
                name="%(app_label)s_%(class)s_section_for_role",
                violation_error_message=_("担当者と課長には所属する課が必要です。"),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"
