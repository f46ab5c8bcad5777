"""A region (定住自立圏 / 連携中枢都市圏): members, vision and revisions, policy areas,
initiatives with their yearly costs, KPIs and their values."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.calculations import kpi_progress
from municipalities.models import Municipality
from regions.choices import MemberRole, RegionKind
from regions.querysets import RegionQuerySet

# Bounds of the numbers entered in the admin or imported (a CheckConstraint each).
MONEY_MAX = 999_999_999_999  # 千円, as a sheet's 事業費
FIGURE_MAX = Decimal("99999999999999.99")  # KPI values, DecimalField(16, 2), either sign


class Region(models.Model):
    """定住自立圏 or 連携中枢都市圏."""

    name = models.CharField(
        _("圏域名"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("同じ名前の圏域が既にあります。")},
    )
    kind = models.CharField(_("種別"), max_length=20, choices=RegionKind.choices)
    members = models.ManyToManyField(
        Municipality, through="Membership", related_name="regions", verbose_name=_("構成市町村")
    )
    # Bumped by every change made in the browser (regions.services): a form carries the
    # version it was read at, and a save against another version is refused.
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("広域連携圏域")
        verbose_name_plural = _("広域連携圏域")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def central_members(self):
        return [m for m in self.memberships.all() if m.role == MemberRole.CENTRAL]

    @property
    def agreement_label(self) -> str:
        return _("連携協約") if self.kind == RegionKind.METRO else _("形成協定")


class Membership(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("圏域")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("市町村"),
    )
    role = models.CharField(_("役割"), max_length=20, choices=MemberRole.choices)
    agreement_date = models.DateField(_("形成協定・連携協約の締結日"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("構成市町村")
        verbose_name_plural = _("構成市町村")
        ordering = ["region", "sort_order", "municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "municipality"],
                name="%(app_label)s_%(class)s_unique_member",
                violation_error_message=_("この市町村は既にこの圏域の構成市町村です。"),
            )
        ]

    def __str__(self):
        return f"{self.region} / {self.municipality}"


class Vision(models.Model):
    """共生ビジョン / 連携中枢都市圏ビジョン."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="visions", verbose_name=_("圏域")
    )
    name = models.CharField(_("ビジョン名"), max_length=200)
    period_start = models.DateField(_("計画期間（開始）"))
    period_end = models.DateField(_("計画期間（終了）"))

    class Meta:
        verbose_name = _("ビジョン")
        verbose_name_plural = _("ビジョン")
        ordering = ["region", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("計画期間の終了日は開始日以降にしてください。"),
            ),
            models.UniqueConstraint(
                fields=["region", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("同じ名前のビジョンが既にあります。"),
            ),
        ]

    def __str__(self):
        return self.name


class VisionRevision(models.Model):
    vision = models.ForeignKey(
        Vision, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("ビジョン")
    )
    date = models.DateField(_("策定・改訂日"))
    note = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ビジョンの策定・改訂")
        verbose_name_plural = _("ビジョンの策定・改訂")
        ordering = ["vision", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["vision", "date"],
                name="%(app_label)s_%(class)s_unique_date",
                violation_error_message=_("同じ日付の改訂が既にあります。"),
            )
        ]

    def __str__(self):
        return f"{self.vision} {self.date}"


class PolicyArea(models.Model):
    vision = models.ForeignKey(
        Vision, on_delete=models.CASCADE, related_name="policy_areas", verbose_name=_("ビジョン")
    )
    code = models.CharField(_("番号"), max_length=10)
    name = models.CharField(_("政策分野"), max_length=200)

    class Meta:
        verbose_name = _("政策分野")
        verbose_name_plural = _("政策分野")
        ordering = ["vision", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["vision", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("同じ番号の政策分野が既にあります。"),
            )
        ]

    def __str__(self):
        return self.name


class Initiative(models.Model):
    """具体的取組."""

    policy_area = models.ForeignKey(
        PolicyArea,
        on_delete=models.CASCADE,
        related_name="initiatives",
        verbose_name=_("政策分野"),
    )
    code = models.CharField(_("記号"), max_length=20)
    name = models.CharField(_("取組名"), max_length=200)
    content = models.TextField(_("事業内容"), blank=True)
    central_role = models.TextField(_("連携中枢都市・中心市の役割"), blank=True)
    neighbour_role = models.TextField(_("近隣市町村の役割"), blank=True)
    cost_sharing = models.TextField(_("費用負担"), blank=True)
    schedule = models.TextField(_("スケジュール"), blank=True)
    subsidies = models.TextField(_("活用する国の財政措置等"), blank=True)
    expected_effect = models.TextField(_("成果・効果"), blank=True)
    participants = models.ManyToManyField(
        Municipality, related_name="initiatives", blank=True, verbose_name=_("参加市町村")
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_demo = models.BooleanField(_("デモ値"), default=False)

    class Meta:
        verbose_name = _("具体的取組")
        verbose_name_plural = _("具体的取組")
        ordering = ["policy_area", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy_area", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("同じ記号の取組が既にあります。"),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def total_cost(self) -> int:
        return sum(c.amount for c in self.costs.all())


class InitiativeCost(models.Model):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="costs", verbose_name=_("具体的取組")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.BigIntegerField(_("事業費（千円）"))

    class Meta:
        verbose_name = _("具体的取組の事業費")
        verbose_name_plural = _("具体的取組の事業費")
        ordering = ["initiative", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "fiscal_year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("同じ年度の事業費が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_non_negative",
                violation_error_message=_("事業費に負の金額は入力できません。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MONEY_MAX),
                name="%(app_label)s_%(class)s_amount_max",
                violation_error_message=_("事業費は999,999,999,999千円以下で入力してください。"),
            ),
        ]

    def __str__(self):
        return f"{self.initiative} {self.fiscal_year}"


class RegionKPI(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("圏域")
    )
    policy_area = models.ForeignKey(
        PolicyArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("政策分野"),
    )
    name = models.CharField(_("KPI"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    baseline = models.DecimalField(
        _("基準値"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("基準年"), null=True, blank=True)
    baseline_text = models.CharField(_("基準値（表記）"), max_length=100, blank=True)
    target = models.DecimalField(
        _("目標値"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("目標年"), null=True, blank=True)
    target_text = models.CharField(_("目標値（表記）"), max_length=100, blank=True)
    source = models.CharField(_("出典"), max_length=200, blank=True)
    reporter = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_kpis",
        verbose_name=_("実績を報告する市町村"),
        help_text=_("空欄なら中心市・連携中枢都市が実績を入力します。"),
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_demo = models.BooleanField(_("デモ値"), default=False)

    class Meta:
        verbose_name = _("圏域のKPI")
        verbose_name_plural = _("圏域のKPI")
        ordering = ["region", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(baseline__isnull=True)
                    | Q(baseline__gte=-FIGURE_MAX, baseline__lte=FIGURE_MAX)
                )
                & (Q(target__isnull=True) | Q(target__gte=-FIGURE_MAX, target__lte=FIGURE_MAX)),
                name="%(app_label)s_%(class)s_value_range",
                violation_error_message=_(
                    "基準値・目標値は±99,999,999,999,999.99の範囲で入力してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | Q(target_year__isnull=True)
                | Q(target_year__gte=models.F("baseline_year")),
                name="%(app_label)s_%(class)s_target_after_baseline",
                violation_error_message=_("目標年は基準年以降にしてください。"),
            ),
        ]

    def __str__(self):
        return self.name

    def latest_value(self):
        values = sorted(self.values.all(), key=lambda v: v.fiscal_year)
        return values[-1] if values else None

    @property
    def progress(self):
        """Progress against target (%), from the baseline towards the target."""

        latest = self.latest_value()
        return kpi_progress(self.baseline, self.target, latest.value if latest else None)


class RegionKPIValue(models.Model):
    kpi = models.ForeignKey(
        RegionKPI, on_delete=models.CASCADE, related_name="values", verbose_name=_("KPI")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年"))
    value = models.DecimalField(_("実績値"), max_digits=16, decimal_places=2)
    round = models.ForeignKey(
        "ProgressRound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpi_values",
        verbose_name=_("進捗確認"),
    )
    is_demo = models.BooleanField(_("デモ値"), default=False)

    class Meta:
        verbose_name = _("圏域KPIの実績値")
        verbose_name_plural = _("圏域KPIの実績値")
        ordering = ["kpi", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "fiscal_year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("同じ年の実績値が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=-FIGURE_MAX, value__lte=FIGURE_MAX),
                name="%(app_label)s_%(class)s_value_range",
                violation_error_message=_(
                    "実績値は±99,999,999,999,999.99の範囲で入力してください。"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.kpi} {self.fiscal_year}"
