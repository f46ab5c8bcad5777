"""Everything a page (and later the PDF) needs to show one sheet, computed once."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from core.choices import Actor, CostKind, ImplementationMethod, ProjectType
from core.wareki import fiscal_year_label, fiscal_year_short
from evalsheets.layouts.registry import TITLES, directions_for, viewpoints_for
from evalsheets.models import EvaluationSheet


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


def column_label(column, form: str) -> str:
    if column.kind == CostKind.OVERALL:
        return "全体計画"
    kind = dict(CostKind.choices)[column.kind]
    if form == "isehara_hyoka":
        return f"{fiscal_year_label(column.fiscal_year)} 実績"
    if form == "hitoyoshi_plan":
        suffix = {"settled": "決算額", "budget": "予算額", "plan": "予算額"}[column.kind]
        return f"{fiscal_year_label(column.fiscal_year)} {suffix}"
    return f"{fiscal_year_short(column.fiscal_year)}年度{kind}"


def sheet_context(sheet: EvaluationSheet) -> dict:
    form = sheet.form
    columns = sheet.cost_columns()
    for column in columns:
        column.label = column_label(column, form)
    answers = {a.viewpoint: a for a in sheet.assessments.all()}
    viewpoints = [{"viewpoint": vp, "answer": answers.get(vp.code)} for vp in viewpoints_for(form)]
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
        "form": form,
        "title": TITLES.get(form, "事務事業評価シート"),
        "plan_chain": plan_chain,
        "cost_columns": columns,
        "year_columns": [c for c in columns if c.kind != CostKind.OVERALL],
        "viewpoints": viewpoints,
        "directions": directions_for(form),
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
    }
