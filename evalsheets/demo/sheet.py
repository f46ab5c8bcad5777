"""A sheet of the demo: its fields, then its child rows (replaced as a whole)."""

import datetime

from django.utils import timezone

from core.choices import APPROVED_STATES, SheetState
from evalsheets.demo.files import decimal_or_none
from evalsheets.models import (
    NARRATIVE_FIELDS,
    SHEET_DETAIL_FIELDS,
    ActivityIndicator,
    ActivityValue,
    AssessmentAnswer,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    Project,
    Review,
    ScheduleEntry,
    ScheduleItem,
    StaffEffort,
    SubProject,
)
from municipalities.models import Municipality

SHEET_TEXT_FIELDS = NARRATIVE_FIELDS
SHEET_SCALAR_FIELDS = (
    "author_name",
    *SHEET_DETAIL_FIELDS,
    "direction",
    "funding_allocation",
    "staffing_allocation",
)
# Keys of a sheet that hold what the seed prints, for the tests; the loader ignores them.
PRINTED_PREFIX = "printed_"
MONEY_KEYS = (
    "national_subsidy",
    "prefectural_subsidy",
    "municipal_bonds",
    "other_specific",
    "user_charges",
    "general_revenue",
)


def load_sheet(municipality: Municipality, data: dict, users: dict) -> EvaluationSheet:
    project = Project.objects.get(municipality=municipality, code=str(data["project"]))
    state = data.get("state", SheetState.DRAFT)
    fields = _sheet_fields(project, data, state, users)
    sheet, _ = EvaluationSheet.objects.update_or_create(
        project=project, fiscal_year=data["fiscal_year"], defaults=fields
    )
    # Children are replaced as a whole.
    sheet.sub_projects.all().delete()
    sheet.outcome_indicators.all().delete()
    sheet.cost_rows.all().delete()
    sheet.efforts.all().delete()
    sheet.schedule_items.all().delete()
    sheet.assessments.all().delete()
    Review.objects.filter(sheet=sheet).delete()

    _load_sub_projects(sheet, data.get("sub_projects", []))
    _load_outcomes(sheet, data.get("outcome_indicators", []))
    _load_costs_and_efforts(sheet, data)
    _load_schedule(sheet, data.get("schedule", []))
    for answer in data.get("assessments", []):
        AssessmentAnswer.objects.create(
            sheet=sheet,
            viewpoint=str(answer["viewpoint"]),
            choice=str(answer.get("choice", "")),
            reason=(answer.get("reason") or "").strip(),
        )
    review = data.get("review")
    if review:
        Review.objects.create(
            sheet=sheet,
            remarks=(review.get("remarks") or "").strip(),
            head_comment=(review.get("head_comment") or "").strip(),
            reviewer_name=review.get("reviewer_name", ""),
            reviewer=users.get("chief") if state in APPROVED_STATES else None,
            reviewed_at=fields["approved_at"],
        )
    return sheet


def _sheet_fields(project: Project, data: dict, state: str, users: dict) -> dict:
    """The sheet's own fields: texts, choices, state, author, approval and publication."""
    fields = {key: (data.get("text", {}).get(key) or "").strip() for key in SHEET_TEXT_FIELDS}
    for key in SHEET_SCALAR_FIELDS:
        if key in data:
            fields[key] = data[key]
    fields["state"] = state
    # The 様式's own fields (docs/sheet-forms.md), as the entry form stores them.
    fields["extra"] = data.get("extra") or {}
    if not fields.get("author_name"):
        # 伊勢原's and 人吉's seeds print no 作成者（担当者）: the demo 担当者 of the project's
        # 課 is recorded as the author, as the entry form proposes to a 担当者.
        author = next(
            (
                u
                for u in users.values()
                if u.profile.role == "staff" and u.profile.section_id == project.section_id
            ),
            None,
        )
        fields["author_name"] = f"{author.last_name}{author.first_name}" if author else ""
    # The seeds do not print approval or publication dates: the demo uses the
    # end of August of the sheet's fiscal year for both (documented in the README).
    stamp = timezone.make_aware(datetime.datetime(data["fiscal_year"], 8, 31, 17, 0))
    fields["approved_at"] = stamp if state in APPROVED_STATES else None
    fields["approved_by"] = users.get("chief") if state in APPROVED_STATES else None
    fields["published_at"] = stamp if state == SheetState.PUBLISHED else None
    return fields


def _values(model, indicator, values):
    model.objects.bulk_create(
        model(
            indicator=indicator,
            fiscal_year=v["year"],
            target=decimal_or_none(v.get("target")),
            target_na=v.get("target") == "na",
            actual=decimal_or_none(v.get("actual")),
            actual_na=v.get("actual") == "na",
        )
        for v in values
    )


def _load_sub_projects(sheet: EvaluationSheet, sub_projects: list):
    """細事業 with their 活動指標 and its values."""
    for order, sub in enumerate(sub_projects):
        sub_project = SubProject.objects.create(
            sheet=sheet,
            sort_order=order,
            name=sub["name"],
            means=(sub.get("means") or "").strip(),
            is_new=bool(sub.get("is_new", False)),
        )
        for i, ind in enumerate(sub.get("indicators", [])):
            indicator = ActivityIndicator.objects.create(
                sub_project=sub_project, sort_order=i, name=ind["name"], unit=ind.get("unit", "")
            )
            _values(ActivityValue, indicator, ind.get("values", []))


def _load_outcomes(sheet: EvaluationSheet, outcomes: list):
    for order, ind in enumerate(outcomes):
        indicator = OutcomeIndicator.objects.create(
            sheet=sheet,
            sort_order=order,
            name=ind["name"],
            unit=ind.get("unit", ""),
            method=ind.get("method", ""),
            baseline=decimal_or_none(ind.get("baseline")),
            baseline_year=ind.get("baseline_year"),
        )
        _values(OutcomeValue, indicator, ind.get("values", []))


def _load_costs_and_efforts(sheet: EvaluationSheet, data: dict):
    """Cost rows per year and kind, and 人工 per year (with the 対象 count of the year)."""
    for cost in data.get("costs", []):
        CostRow.objects.create(
            sheet=sheet,
            fiscal_year=cost.get("year"),
            kind=cost["kind"],
            **{k: int(cost.get(k, 0)) for k in MONEY_KEYS},
        )
    target_counts = {int(k): v for k, v in (data.get("target_counts") or {}).items()}
    for effort in data.get("effort", []):
        StaffEffort.objects.create(
            sheet=sheet,
            fiscal_year=effort["year"],
            staff_fte=decimal_or_none(effort.get("staff", 0)),
            part_time_fte=decimal_or_none(effort.get("part_time", 0)),
            target_count=target_counts.get(effort["year"]),
        )


def _load_schedule(sheet: EvaluationSheet, schedule: list):
    for order, item in enumerate(schedule):
        schedule_item = ScheduleItem.objects.create(
            sheet=sheet, sort_order=order, name=item["item"]
        )
        for year, entry in (item.get("years") or {}).items():
            ScheduleEntry.objects.create(
                item=schedule_item,
                fiscal_year=int(year),
                plan=entry.get("plan", ""),
                result=entry.get("result", ""),
            )
