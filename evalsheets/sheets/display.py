"""Everything a page (and later the PDF) needs to show one sheet, computed once."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from core.choices import Actor, CostKind, ImplementationMethod, ProjectType
from evalsheets.models import EvaluationSheet
from evalsheets.sheets.sections import field_rows, sections


def load_sheet_for_display(queryset, pk) -> EvaluationSheet:

    return get_object_or_404(queryset.with_children(), pk=pk)


@dataclass
class IndicatorRow:
    indicator: object
    by_year: dict


def _indicator_rows(indicators):
    rows, years = [], set()
    for indicator in indicators:
        by_year = indicator.values_by_year()
        years.update(by_year)
        rows.append(IndicatorRow(indicator, by_year))
    return rows, sorted(years)


def sheet_context(sheet: EvaluationSheet) -> dict:
    layout = sheet.layout
    columns = sheet.cost_columns()
    for column in columns:
        column.label = layout.column_label(column.kind, column.fiscal_year)
    answers = {a.viewpoint: a for a in sheet.assessments.all()}
    viewpoints = [{"viewpoint": vp, "answer": answers.get(vp.code)} for vp in layout.viewpoints]
    sub_projects = []
    activity_years = set()
    for sub in sheet.sub_projects.all():
        rows, years = _indicator_rows(sub.indicators.all())
        activity_years.update(years)
        sub_projects.append({"sub": sub, "indicators": rows})
    outcome_rows, outcome_years = _indicator_rows(sheet.outcome_indicators.all())
    node = sheet.project.plan_node
    plan_chain = node.ancestors() if node else []
    schedule_years = sorted(
        {e.fiscal_year for item in sheet.schedule_items.all() for e in item.entries.all()}
    )
    schedule = [
        {"item": item, "by_year": {e.fiscal_year: e for e in item.entries.all()}}
        for item in sheet.schedule_items.all()
    ]
    try:
        review = sheet.review
    except EvaluationSheet.review.RelatedObjectDoesNotExist:
        review = None
    return {
        "sheet": sheet,
        "project": sheet.project,
        "layout": layout,
        "title": layout.title,
        "plan_chain": plan_chain,
        "cost_columns": columns,
        "year_columns": [c for c in columns if c.kind != CostKind.OVERALL],
        "cost_by_year": _cost_by_year(columns),
        "viewpoints": viewpoints,
        "directions": layout.directions,
        "sub_projects": sub_projects,
        "activity_years": sorted(activity_years),
        "outcome_rows": outcome_rows,
        "outcome_years": outcome_years,
        "schedule": schedule,
        "schedule_years": schedule_years,
        "review": review,
        "project_types": ProjectType.choices,
        "implementation_choices": [
            c
            for c in ImplementationMethod.choices
            if c[0] != ImplementationMethod.DESIGNATED_MANAGER
        ],
        "actor_choices": Actor.choices,
        "sections": sections(sheet, layout),
        "header_rows": _pairs(field_rows(sheet, layout, layout.header_fields)),
    }


def _cost_by_year(columns) -> dict:
    """Each year's cost column, 決算 before 予算 and 計画 (an indicator's 単位コスト)."""
    result = {}
    for column in columns:
        if column.kind != CostKind.OVERALL:
            result.setdefault(column.fiscal_year, column)
    return result


def _pairs(rows: list) -> list[list]:
    """The title area's fields, two to a row as the paper's header prints them."""
    return [rows[i : i + 2] for i in range(0, len(rows), 2)]
