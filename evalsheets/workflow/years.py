"""Opening a new fiscal year (新年度の開始) — a 企画課 service.

The 企画課 sets the year's average salaries (平均給与: 職員 and 会計年度任用職員);
every active project of the municipality without a sheet for that year gets a
draft copied from its latest earlier sheet (前年度から複写), years shifted.

What is copied, and how the years move (a sheet of year N copied into N+1):

* Every year column moves one year: the window of years keeps its width, its
  oldest year drops out and the new year comes in (玉名 741-2: R02–R04 決算 and
  R05 予算 become R03–R05 決算 and R06 予算; 人吉: 決算・予算・計画・計画 likewise).
* A column keeps its figures only where the old sheet had the same year **and
  the same kind**: R03 and R04 決算 are carried; R05 決算 (last year it was the
  R05 予算) and the new R06 予算 start at 0 to be filled from the accounts —
  never a budget shown as a settlement. 全体計画 is carried as it is. The columns
  say so (``CostRow.copy_state``: 前年度からの引継ぎ, 未入力) on the entry form and
  the draft's sheet page until someone enters one of their figures.
* 人工 and indicator values are one figure per year: a year's 人工, 目標 and
  実績 are carried where the old sheet had that year (R05 target 100 stays, R05
  実績 is to be filled); the new year's are empty (人工 0.00, 目標・実績 blank).
  Schedule entries (伊勢原 事業行程) follow the same rule.
* Narrative (背景, 対象, 意図, 内容, 取組 …), 細事業 with their 活動指標,
  成果指標, and the assessment answers are carried so that the 担当者 edits
  rather than retypes; the diff view shows the 課長 what changed.
* Last year's 見直し・改善の具体的内容 becomes 前回のふりかえりの内容
  (previous_review), verbatim, as the paper prints it, and last year's 今後の方向性
  becomes previous_direction, shown in the same block; 今後の方向性 (and 人吉's
  資源配分), 見直し・改善, the status of last year's review and the 課長所見
  start empty: they are this year's decisions. Last year's direction is still
  shown next to this year's by the diff view.
* A project without any earlier sheet gets an empty draft.

Atomic and idempotent: a second run creates nothing and writes no audit entry
unless a salary changed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from core.choices import CostKind, SheetState, StaffKind
from core.errors import ServiceError
from core.wareki import fiscal_year_label
from evalsheets.layouts import get_layout
from evalsheets.models import (
    MONEY_FIELDS,
    NARRATIVE_FIELDS,
    SHEET_DETAIL_FIELDS,
    ActivityIndicator,
    ActivityValue,
    AssessmentAnswer,
    AverageSalary,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    Project,
    ScheduleEntry,
    ScheduleItem,
    StaffEffort,
    SubProject,
)
from evalsheets.workflow import audit
from municipalities.models import Municipality

FIRST_YEAR = 1989  # 平成元年度: nothing older is evaluated here
LAST_YEAR = 2100
MAX_SALARY = 100_000  # 千円 a year: a typo guard, not a policy

# Narrative carried to the new year; 見直し・改善 becomes 前回のふりかえり instead.
CARRIED_FIELDS = (
    "author_name",
    *(
        f
        for f in NARRATIVE_FIELDS
        if f not in ("improvement", "previous_review", "previous_review_status")
    ),
    *SHEET_DETAIL_FIELDS,
)


class FiscalYearError(ServiceError):
    """A year that cannot be opened; the message is shown to the 企画課 user next to
    ``field`` (fiscal_year, staff_salary or part_time_salary)."""


@dataclass
class OpenYearResult:
    fiscal_year: int
    created: list = field(default_factory=list)  # the new sheets
    copied: int = 0  # of which copied from an earlier sheet
    salary_changes: dict = field(default_factory=dict)  # {kind: [old, new]}

    @property
    def changed(self) -> bool:
        return bool(self.created or self.salary_changes)


def projects_to_open(municipality, year: int):
    """Active projects running in ``year`` that have no sheet for it."""
    return (
        Project.objects.filter(municipality=municipality, active=True)
        .filter(Q(start_year__isnull=True) | Q(start_year__lte=year))
        .filter(Q(end_year__isnull=True) | Q(end_year__gte=year))
        .exclude(sheets__fiscal_year=year)
        .order_by("code")
    )


def open_fiscal_year(
    actor,
    municipality: Municipality,
    year: int,
    *,
    staff_salary: int | None,
    part_time_salary: int | None,
) -> OpenYearResult:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise FiscalYearError(_("年度が正しくありません。"), field="fiscal_year")
    layout = get_layout(municipality.sheet_layout, int(year))
    for name, amount in (("staff_salary", staff_salary), ("part_time_salary", part_time_salary)):
        if amount is None and not layout.personnel:
            continue  # the 様式 has no 人件費: no average salary is asked for
        if amount is None or not 0 <= int(amount) <= MAX_SALARY:
            raise FiscalYearError(
                _("平均給与は0以上%(max)s千円以下の整数で入力してください。")
                % {"max": f"{MAX_SALARY:,}"},
                field=name,
            )
    with transaction.atomic():
        # One 企画課 user at a time per municipality (PostgreSQL row lock; SQLite
        # serialises writers already).
        municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
        latest = EvaluationSheet.objects.filter(project__municipality=municipality).aggregate(
            y=Max("fiscal_year")
        )["y"]
        if latest is not None and year < latest:
            raise FiscalYearError(
                _("%(latest)s年度のシートが既にあるため、それより前の年度は開始できません。")
                % {"latest": latest},
                field="fiscal_year",
            )
        result = OpenYearResult(fiscal_year=year)
        salaries = {StaffKind.STAFF: staff_salary, StaffKind.PART_TIME: part_time_salary}
        result.salary_changes = _set_salaries(
            municipality,
            year,
            {kind: int(amount) for kind, amount in salaries.items() if amount is not None},
        )
        projects = list(projects_to_open(municipality, year))
        sources = _latest_sources(projects, year)
        result.created = _create_sheets(projects, sources, year, layout)
        result.copied = sum(1 for p in projects if p.pk in sources)
        _record_created(actor, municipality, result.created, sources)
        if result.changed:
            audit.record(
                actor,
                audit.ACTION_OPEN_YEAR,
                municipality,
                municipality=municipality,
                comment=_("%(year)s年度を開始しました（シート%(n)s件作成）。")
                % {"year": year, "n": len(result.created)},
                changes={
                    "fiscal_year": year,
                    "average_salaries": result.salary_changes,
                    "created_sheets": [p.code for p in projects],
                },
            )
    return result


def _record_created(actor, municipality, sheets, sources):
    """Each new sheet's history starts here: 前年度から複写 (from which year) or 作成."""
    entries = []
    for sheet in sheets:
        source = sources.get(sheet.project_id)
        if source is not None:
            action = audit.ACTION_COPY
            comment = _("%(year)sのシートから複写しました（新しい年度の開始）。") % {
                "year": fiscal_year_label(source.fiscal_year)
            }
        else:
            action = audit.ACTION_CREATE
            comment = _("新しい年度の開始で作成しました。")
        entries.append(
            audit.entry(
                actor,
                action,
                sheet,
                municipality=municipality,
                to_state=sheet.state,
                comment=comment,
            )
        )
    audit.record_all(entries)


def _set_salaries(municipality, year, amounts: dict) -> dict:
    existing = {
        s.staff_kind: s
        for s in AverageSalary.objects.filter(municipality=municipality, fiscal_year=year)
    }
    changes = {}
    for kind, amount in amounts.items():
        salary = existing.get(kind)
        if salary is None:
            AverageSalary.objects.create(
                municipality=municipality, fiscal_year=year, staff_kind=kind, amount=amount
            )
            changes[str(kind)] = [None, amount]
        elif salary.amount != amount:
            changes[str(kind)] = [salary.amount, amount]
            salary.amount = amount
            salary.save(update_fields=["amount"])
    return changes


def _latest_sources(projects, year) -> dict[int, EvaluationSheet]:
    """Each project's latest sheet before ``year``, with its child rows (a fixed number of
    queries)."""
    if not projects:
        return {}
    latest = dict(
        EvaluationSheet.objects.filter(project__in=projects, fiscal_year__lt=year)
        .order_by()
        .values("project_id")
        .annotate(y=Max("fiscal_year"))
        .values_list("project_id", "y")
    )
    if not latest:
        return {}
    candidates = EvaluationSheet.objects.filter(
        project_id__in=list(latest), fiscal_year__in=set(latest.values())
    ).with_children()
    return {s.project_id: s for s in candidates if latest.get(s.project_id) == s.fiscal_year}


def _shift(by_year: dict, delta: int) -> list[tuple[int, object | None]]:
    """The shifted years of a row set, each with last year's row for that same year (or None)."""
    return [(year + delta, by_year.get(year + delta)) for year in sorted(by_year)]


def _value_copy(model, indicator, year, old):
    return model(
        indicator=indicator,
        fiscal_year=year,
        target=old.target if old else None,
        target_na=old.target_na if old else False,
        actual=old.actual if old else None,
        actual_na=old.actual_na if old else False,
    )


def _create_sheets(projects, sources, year, layout) -> list[EvaluationSheet]:
    """The year's drafts with everything copied from their sources, level by level: the
    sheets, their rows, the 細事業's 活動指標, then the values of every indicator and the
    schedule's entries (one bulk insert per model)."""
    sheets = _new_sheets(projects, sources, year, layout)
    subs, outcomes, items = _copy_rows(sheets, sources, year)
    activities = _copy_activity_indicators(subs)
    _copy_years(activities, outcomes, items)
    return sheets


def _new_sheets(projects, sources, year, layout) -> list[EvaluationSheet]:
    """One draft per project, its narrative and the 様式's own fields (those the definition
    carries) from its source (if any)."""
    sheets = []
    for project in projects:
        sheet = EvaluationSheet(project=project, fiscal_year=year, state=SheetState.DRAFT)
        source = sources.get(project.pk)
        if source is not None:
            for name in CARRIED_FIELDS:
                setattr(sheet, name, getattr(source, name))
            sheet.previous_review = source.improvement
            sheet.previous_direction = source.direction
            sheet.extra = layout.carried_extra(source.extra, year)
        sheets.append(sheet)
    EvaluationSheet.objects.bulk_create(sheets)
    return sheets


def _copy_rows(sheets, sources, year):
    """The rows of each sheet (costs, 人工, assessments, 細事業, 成果指標, schedule items).
    Returns the new 細事業, 成果指標 and schedule items, each as (new, (old, delta))."""
    costs, efforts, answers, subs, outcomes, items = [], [], [], [], [], []
    for sheet in sheets:
        source = sources.get(sheet.project_id)
        if source is None:
            continue
        delta = year - source.fiscal_year
        costs.extend(_shifted_costs(sheet, source, delta))
        efforts.extend(_shifted_efforts(sheet, source, delta))
        answers.extend(
            AssessmentAnswer(sheet=sheet, viewpoint=a.viewpoint, choice=a.choice, reason=a.reason)
            for a in source.assessments.all()
        )
        subs.extend(
            (
                SubProject(
                    sheet=sheet,
                    sort_order=sub.sort_order,
                    name=sub.name,
                    means=sub.means,
                    is_new=False,
                ),
                (sub, delta),
            )
            for sub in source.sub_projects.all()
        )
        outcomes.extend(
            (
                OutcomeIndicator(
                    sheet=sheet,
                    name=indicator.name,
                    unit=indicator.unit,
                    sort_order=indicator.sort_order,
                    method=indicator.method,
                    baseline=indicator.baseline,
                    baseline_year=indicator.baseline_year,
                ),
                (indicator, delta),
            )
            for indicator in source.outcome_indicators.all()
        )
        items.extend(
            (ScheduleItem(sheet=sheet, sort_order=item.sort_order, name=item.name), (item, delta))
            for item in source.schedule_items.all()
        )
    CostRow.objects.bulk_create(costs)
    StaffEffort.objects.bulk_create(efforts)
    AssessmentAnswer.objects.bulk_create(answers)
    SubProject.objects.bulk_create([new for new, _source in subs])
    OutcomeIndicator.objects.bulk_create([new for new, _source in outcomes])
    ScheduleItem.objects.bulk_create([new for new, _source in items])
    return subs, outcomes, items


def _shifted_efforts(sheet, source, delta) -> list[StaffEffort]:
    """人工 per year: carried where the source had that year, 0.00 for the new one."""
    old_efforts = {e.fiscal_year: e for e in source.efforts.all()}
    return [
        StaffEffort(
            sheet=sheet,
            fiscal_year=new_year,
            staff_fte=old.staff_fte if old else Decimal("0"),
            part_time_fte=old.part_time_fte if old else Decimal("0"),
            target_count=old.target_count if old else None,
        )
        for new_year, old in _shift(old_efforts, delta)
    ]


def _copy_activity_indicators(subs):
    """The 活動指標 of each new 細事業, as (new, (old, delta))."""
    activities = [
        (
            ActivityIndicator(
                sub_project=new_sub,
                name=indicator.name,
                unit=indicator.unit,
                sort_order=indicator.sort_order,
            ),
            (indicator, delta),
        )
        for new_sub, (old_sub, delta) in subs
        for indicator in old_sub.indicators.all()
    ]
    ActivityIndicator.objects.bulk_create([new for new, _source in activities])
    return activities


def _copy_years(activities, outcomes, items):
    """The per-year values of every indicator and the schedule's per-year entries."""
    values = defaultdict(list)
    for pairs, model in ((activities, ActivityValue), (outcomes, OutcomeValue)):
        for new_indicator, (old_indicator, delta) in pairs:
            old_values = {v.fiscal_year: v for v in old_indicator.values.all()}
            values[model].extend(
                _value_copy(model, new_indicator, new_year, old)
                for new_year, old in _shift(old_values, delta)
            )
    entries = []
    for new_item, (old_item, delta) in items:
        old_entries = {e.fiscal_year: e for e in old_item.entries.all()}
        entries.extend(
            ScheduleEntry(
                item=new_item,
                fiscal_year=new_year,
                plan=old.plan if old else "",
                result=old.result if old else "",
            )
            for new_year, old in _shift(old_entries, delta)
        )
    for model, rows in values.items():
        model.objects.bulk_create(rows)
    ScheduleEntry.objects.bulk_create(entries)


def _shifted_costs(sheet, source, delta) -> list[CostRow]:
    rows = []
    old_rows = {(r.fiscal_year, r.kind): r for r in source.cost_rows.all()}
    for (old_year, kind), old in sorted(old_rows.items(), key=lambda kv: kv[0][0] or 0):
        if kind == CostKind.OVERALL:
            rows.append(
                CostRow(
                    sheet=sheet,
                    fiscal_year=None,
                    kind=kind,
                    **{f: getattr(old, f) for f in MONEY_FIELDS},
                )
            )
            continue
        new_year = old_year + delta
        same = old_rows.get((new_year, kind))
        rows.append(
            CostRow(
                sheet=sheet,
                fiscal_year=new_year,
                kind=kind,
                # Shown as such until someone enters a figure of the column.
                copy_state="carried" if same else "blank",
                **{f: getattr(same, f) if same else 0 for f in MONEY_FIELDS},
            )
        )
    return rows
