"""The rows of each table as plain values, read from the database.

The export writes these rows; the import compares the rows of a file with these rows of
the database (``service``), so both sides speak of the same values: texts, ints, Decimals,
booleans, the stored value of a choice, a tuple for several choices, ``"***"`` for a
figure marked 該当なし.
"""

import gc
from collections.abc import Iterator
from decimal import Decimal

from evalsheets.models import EvaluationSheet, Project
from evalsheets.transfer import layout

BATCH = 200
NOT_APPLICABLE = "***"


def project_row(project: Project) -> dict:
    node = project.plan_node
    row = {
        "municipality": project.municipality.code,
        "project": project.code,
        "section": project.section.code,
        "section_name": project.section.name,
        "plan": node.plan.name if node else "",
        "plan_node": node.path if node else "",
    }
    for column in layout.PROJECTS.columns:
        if column.key not in row:
            value = getattr(project, column.key)
            row[column.key] = "" if value is None and column.kind == "choice" else value
    return row


def _head(sheet) -> dict:
    return {
        "municipality": sheet.project.municipality.code,
        "project": sheet.project.code,
        "fiscal_year": sheet.fiscal_year,
    }


def _sheet_row(sheet) -> dict:
    row = {**_head(sheet), "project_name": sheet.project.name}
    for column in layout.SHEETS.columns:
        if column.key in row:
            continue
        value = getattr(sheet, column.key)
        if column.kind == "choices":
            value = tuple(value or ())
        row[column.key] = value
    return row


def _extra_rows(sheet) -> Iterator[dict]:
    stored = sheet.extra or {}
    for extra in sheet.layout.extra_fields:
        value = stored.get(extra.name)
        head = {**_head(sheet), "name": extra.name, "label": extra.full_label}
        if extra.kind == "year_numbers":
            for year, number in sorted((value or {}).items(), key=lambda item: int(item[0])):
                yield {**head, "year": int(year), "value": Decimal(str(number))}
        elif value in (None, ""):
            continue
        elif extra.kind == "number":
            yield {**head, "year": None, "value": Decimal(str(value))}
        else:
            yield {**head, "year": None, "value": value}


def _figure(value, na: bool):
    return NOT_APPLICABLE if na else value


def _value_columns(value) -> dict:
    if value is None:
        return {"year": None, "target": None, "actual": None}
    return {
        "year": value.fiscal_year,
        "target": _figure(value.target, value.target_na),
        "actual": _figure(value.actual, value.actual_na),
    }


def _activity_rows(sheet) -> Iterator[dict]:
    for sub_no, sub in enumerate(sheet.sub_projects.all(), start=1):
        head = {
            **_head(sheet),
            "sub_no": sub_no,
            "sub_order": sub.sort_order,
            "sub_name": sub.name,
            "means": sub.means,
            "is_new": sub.is_new,
        }
        indicators = list(sub.indicators.all())
        if not indicators:
            yield {**head, "ind_no": None, "ind_order": None, "ind_name": "", "unit": ""}
            continue
        for ind_no, indicator in enumerate(indicators, start=1):
            row = {
                **head,
                "ind_no": ind_no,
                "ind_order": indicator.sort_order,
                "ind_name": indicator.name,
                "unit": indicator.unit,
            }
            for value in list(indicator.values.all()) or [None]:
                yield {**row, **_value_columns(value)}


def _finish_activity(row: dict) -> dict:
    return {"year": None, "target": None, "actual": None, **row}


def _outcome_rows(sheet) -> Iterator[dict]:
    for ind_no, indicator in enumerate(sheet.outcome_indicators.all(), start=1):
        row = {
            **_head(sheet),
            "ind_no": ind_no,
            "ind_order": indicator.sort_order,
            "ind_name": indicator.name,
            "unit": indicator.unit,
            "method": indicator.method,
            "baseline": indicator.baseline,
            "baseline_year": indicator.baseline_year,
        }
        for value in list(indicator.values.all()) or [None]:
            yield {**row, **_value_columns(value)}


def _schedule_rows(sheet) -> Iterator[dict]:
    for item_no, item in enumerate(sheet.schedule_items.all(), start=1):
        head = {**_head(sheet), "item_no": item_no, "item_order": item.sort_order}
        head["item_name"] = item.name
        entries = list(item.entries.all())
        if not entries:
            yield {**head, "year": None, "plan": "", "result": ""}
        for entry in entries:
            yield {**head, "year": entry.fiscal_year, "plan": entry.plan, "result": entry.result}


def _cost_rows(sheet) -> Iterator[dict]:
    for cost in sheet.cost_rows.all():
        row = {**_head(sheet), "year": cost.fiscal_year, "kind": cost.kind}
        for column in layout.COSTS.value_columns:
            row[column.key] = getattr(cost, column.key)
        yield row


def _effort_rows(sheet) -> Iterator[dict]:
    for effort in sheet.efforts.all():
        yield {
            **_head(sheet),
            "year": effort.fiscal_year,
            "staff_fte": effort.staff_fte,
            "part_time_fte": effort.part_time_fte,
            "target_count": effort.target_count,
        }


def _assessment_rows(sheet) -> Iterator[dict]:
    for answer in sheet.assessments.all():
        yield {
            **_head(sheet),
            "viewpoint": answer.viewpoint,
            "choice": answer.choice,
            "reason": answer.reason,
        }


def _review_rows(sheet) -> Iterator[dict]:
    try:
        review = sheet.review
    except EvaluationSheet.review.RelatedObjectDoesNotExist:
        return
    yield {
        **_head(sheet),
        "remarks": review.remarks,
        "head_comment": review.head_comment,
        "reviewer_name": review.reviewer_name,
    }


def _sheet_rows(sheet) -> Iterator[dict]:
    yield _sheet_row(sheet)


SHEET_TABLE_ROWS = {
    "sheets": _sheet_rows,
    "extra": _extra_rows,
    "costs": _cost_rows,
    "efforts": _effort_rows,
    "activities": lambda sheet: map(_finish_activity, _activity_rows(sheet)),
    "outcomes": _outcome_rows,
    "schedule": _schedule_rows,
    "assessments": _assessment_rows,
    "reviews": _review_rows,
}


def rows_of_sheet(table: layout.Table, sheet) -> Iterator[dict]:
    """The rows of ``table`` for one sheet loaded by ``with_children()``."""
    return SHEET_TABLE_ROWS[table.name](sheet)


def sheets_in_batches(queryset) -> Iterator[EvaluationSheet]:
    """Whole sheets (``with_children``), BATCH at a time: memory bounded by a batch."""
    pks = list(queryset.order_by("project__code", "fiscal_year").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        by_pk = {s.pk: s for s in EvaluationSheet.objects.filter(pk__in=chunk).with_children()}
        for pk in chunk:
            if pk in by_pk:
                yield by_pk[pk]
        # A batch's model instances refer to each other (prefetch caches, parents): they are
        # freed only by the cycle collector, which would otherwise let batches pile up and
        # the memory grow with the year. One collection per batch keeps it flat.
        del by_pk
        gc.collect()


def year_sheets(municipality, fiscal_year: int):
    return EvaluationSheet.objects.filter(
        project__municipality=municipality, fiscal_year=fiscal_year
    )


def year_projects(municipality, fiscal_year: int):
    return (
        Project.objects.filter(municipality=municipality, sheets__fiscal_year=fiscal_year)
        .select_related("municipality", "section", "plan_node__plan")
        .order_by("code")
        .distinct()
    )
