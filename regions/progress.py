"""Progress you can see: a KPI's series (baseline → actuals → target) with its achievement
and on-track status, an initiative's 事業費 plan against 実績 by year, who has reported in
a round, and totals over members that say when figures are missing.

The on-track rule (also printed on the pages, ``STATUS_RULE``): progress is
(latest actual − baseline) ÷ (target − baseline); a KPI is 達成 at 100 % or more, 悪化
below 0 %, 順調 when its progress is at least the share of the period from the baseline
year to the target year that has passed by the latest actual's year, 未達成 when the
target year has passed without reaching it, else 遅れ. Only an actual of a year after the
baseline year counts: with none, there is no progress to show (「－」, not 0 %).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calculations import kpi_progress, round_half_up
from core.formfields import format_number

STATUS_RULE = gettext_lazy(
    "進捗率＝（最新の実績値－基準値）÷（目標値－基準値）。基準年より後の実績値がないときは「－」。"
    "判定：進捗率100%以上は「達成」、0%未満は「悪化」、目標年を過ぎて100%未満は「未達成」、"
    "基準年から目標年までの期間のうち最新の実績年までに経過した割合以上なら「順調」、それ未満は「遅れ」。"
)
ACHIEVED, ON_TRACK, BEHIND, MISSED, WORSE, NO_STATUS = (
    "達成",
    "順調",
    "遅れ",
    "未達成",
    "悪化",
    "－",
)


@dataclass
class Point:
    year: int
    value: Decimal
    kind: str  # baseline / actual / target
    demo: bool = False


@dataclass
class KPIProgress:
    kpi: object
    points: list  # Point, by year: the baseline, every actual after it
    target: Point | None
    latest: Point | None  # the latest actual after the baseline year
    progress: Decimal | None
    expected: Decimal | None  # the share of the period passed (%)
    status: str
    svg: str = ""

    @property
    def has_demo(self) -> bool:
        return any(p.demo for p in self.points)


def kpi_progress_of(kpi, values=None) -> KPIProgress:
    """The series and status of one KPI (``values``: its RegionKPIValue rows, else all)."""
    values = sorted(values if values is not None else kpi.values.all(), key=lambda v: v.fiscal_year)
    points = []
    if kpi.baseline is not None and kpi.baseline_year:
        points.append(Point(kpi.baseline_year, kpi.baseline, "baseline"))
    after = [v for v in values if not kpi.baseline_year or v.fiscal_year > kpi.baseline_year]
    points += [Point(v.fiscal_year, v.value, "actual", v.is_demo) for v in after]
    target = (
        Point(kpi.target_year, kpi.target, "target")
        if kpi.target is not None and kpi.target_year
        else None
    )
    latest = points[-1] if points and points[-1].kind == "actual" else None
    progress = kpi_progress(kpi.baseline, kpi.target, latest.value if latest else None)
    expected = None
    if latest and target and kpi.baseline_year and target.year > kpi.baseline_year:
        share = Decimal(latest.year - kpi.baseline_year) / Decimal(target.year - kpi.baseline_year)
        expected = round_half_up(min(share, Decimal(1)) * 100, "0.1")
    row = KPIProgress(
        kpi, points, target, latest, progress, expected, _status(progress, expected, latest, target)
    )
    row.svg = kpi_chart_svg(row)
    return row


def _status(progress, expected, latest, target) -> str:
    if progress is None:
        return NO_STATUS
    if progress >= 100:
        return ACHIEVED
    if progress < 0:
        return WORSE
    if target and latest and latest.year >= target.year:
        return MISSED
    if expected is not None and progress >= expected:
        return ON_TRACK
    return BEHIND


# ----------------------------------------------------------------------------- chart

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 22, 30


def kpi_chart_svg(row: KPIProgress) -> str:
    """A small line chart (inline SVG, no script, no style attribute): the actual series
    from the baseline as a solid line, the planned path from the baseline to the target
    as a dashed line, each point labelled with its value; the years along the bottom."""
    series = list(row.points)
    everything = series + ([row.target] if row.target else [])
    if len(everything) < 2:
        return ""
    years = sorted({p.year for p in everything})
    low = min(p.value for p in everything)
    high = max(p.value for p in everything)
    span = (high - low) or abs(high) or Decimal(1)
    low, high = low - span / 10, high + span / 10
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    first, last = years[0], years[-1]

    def x(year):
        return (
            LEFT + 20 + (plot_w - 40) * ((year - first) / (last - first) if last > first else 0.5)
        )

    def y(value):
        return TOP + plot_h * float((high - value) / (high - low))

    title = escape(row.kpi.name)
    axis_y = TOP + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}の推移" font-family="IPAexGothic, sans-serif">',
        f"<title>{title}：基準値・実績値・目標値の推移</title>",
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" '
        'stroke="#888" stroke-width="1"/>',
    ]
    for year in years:
        parts.append(_text(x(year), HEIGHT - 10, str(year), "#333"))
    if row.target and series:
        start = series[0]
        parts.append(
            f'<line x1="{x(start.year):.1f}" y1="{y(start.value):.1f}" '
            f'x2="{x(row.target.year):.1f}" y2="{y(row.target.value):.1f}" '
            'stroke="#b45309" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    if len(series) > 1:
        path = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in series)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1d4ed8" stroke-width="2"/>')
    for p in series:
        colour = "#6b7280" if p.kind == "baseline" else "#1d4ed8"
        parts.append(
            f'<circle cx="{x(p.year):.1f}" cy="{y(p.value):.1f}" r="3.5" fill="{colour}"/>'
        )
        label = format_number(p.value) + ("※" if p.demo else "")
        parts.append(_text(x(p.year), y(p.value) - 7, label, "#111"))
    if row.target:
        tx, ty = x(row.target.year), y(row.target.value)
        parts.append(
            f'<rect x="{tx - 4:.1f}" y="{ty - 4:.1f}" width="8" height="8" fill="#fff" '
            'stroke="#b45309" stroke-width="2"/>'
        )
        parts.append(_text(tx, ty + 16, "目標 " + format_number(row.target.value), "#92400e"))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _text(x: float, y: float, text: str, colour: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="middle" '
        f'fill="{colour}">{escape(text)}</text>'
    )


# -------------------------------------------------------------- totals over members


@dataclass
class PartialTotal:
    """A total over members that says when some have no figure."""

    value: int | None
    counted: int
    members: int
    missing: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def note(self) -> str:
        if not self.missing:
            return ""
        if not self.counted:
            return _("%(n)s団体とも未報告") % {"n": self.members}
        return _("%(n)s団体中%(k)s団体の合計（未報告：%(names)s）") % {
            "n": self.members,
            "k": self.counted,
            "names": "、".join(self.missing),
        }


def partial_total(figures: dict) -> PartialTotal:
    """``figures``: {member name: amount or None}."""
    present = [v for v in figures.values() if v is not None]
    return PartialTotal(
        value=sum(present) if present else None,
        counted=len(present),
        members=len(figures),
        missing=[name for name, v in figures.items() if v is None],
    )


# ----------------------------------------------------------------- rounds and costs


@dataclass
class InitiativeProgress:
    initiative: object
    participants: list  # Municipality
    reports: list  # (Municipality, MemberReport or None) of this round, in member order
    actual: PartialTotal
    share: PartialTotal
    plan: int | None  # this year's planned 事業費
    years: list = field(default_factory=list)  # (year, plan, actual PartialTotal or None)


def round_progress(round_, members, initiatives, reports, other_rounds=()):
    """Per initiative: this round's reports and totals; per member: reported or not.

    ``members``: Membership rows in order; ``initiatives``: with participants and costs
    prefetched; ``reports``: this round's MemberReport rows; ``other_rounds``: earlier
    rounds with their reports, for the 実績 by year."""
    by_key = {(r.initiative_id, r.municipality_id): r for r in reports}
    earlier = {
        other.fiscal_year: {(r.initiative_id, r.municipality_id): r for r in other.reports.all()}
        for other in other_rounds
    }
    towns = [m.municipality for m in members]
    rows = []
    owed = {t.pk: 0 for t in towns}
    done = {t.pk: 0 for t in towns}
    for initiative in initiatives:
        taking_part = {p.pk for p in initiative.participants.all()}
        participants = [t for t in towns if t.pk in taking_part]
        mine = [by_key.get((initiative.pk, t.pk)) for t in participants]
        for t, r in zip(participants, mine, strict=True):
            owed[t.pk] += 1
            if r is not None and (r.text or r.actual_cost is not None):
                done[t.pk] += 1
        plan = {c.fiscal_year: c.amount for c in initiative.costs.all()}
        actual_by_year = {round_.fiscal_year: mine}
        for year, got in earlier.items():
            actual_by_year[year] = [got.get((initiative.pk, t.pk)) for t in participants]
        rows.append(
            InitiativeProgress(
                initiative=initiative,
                participants=participants,
                reports=list(zip(participants, mine, strict=True)),
                actual=_total_of(participants, mine, "actual_cost"),
                share=_total_of(participants, mine, "share"),
                plan=plan.get(round_.fiscal_year),
                years=[
                    (
                        year,
                        plan.get(year),
                        _total_of(participants, actual_by_year[year], "actual_cost")
                        if year in actual_by_year and participants
                        else None,
                    )
                    for year in sorted(set(plan) | set(actual_by_year))
                ],
            )
        )
    return rows, [_member_status(m, owed, done) for m in members]


def _total_of(participants, reports, field: str):
    """The members' figures summed, saying which are missing (``partial_total``)."""
    return partial_total(
        {
            t.name: (getattr(r, field) if r else None)
            for t, r in zip(participants, reports, strict=True)
        }
    )


def _member_status(membership, owed: dict, done: dict) -> dict:
    """報告済, 一部報告, 未報告 or 対象の取組なし for one member of the round."""
    t = membership.municipality
    if not owed[t.pk]:
        label = _("対象の取組なし")
    elif done[t.pk] >= owed[t.pk]:
        label = _("報告済")
    elif done[t.pk]:
        label = _("一部報告（%(done)s／%(owed)s件）") % {"done": done[t.pk], "owed": owed[t.pk]}
    else:
        label = _("未報告")
    return {
        "membership": membership,
        "municipality": t,
        "owed": owed[t.pk],
        "done": done[t.pk],
        "complete": owed[t.pk] == done[t.pk],
        "label": label,
    }
