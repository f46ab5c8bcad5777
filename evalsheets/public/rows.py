"""Rows of the public list of published sheets, shared by the HTML page and the CSV.

Everything here starts from ``EvaluationSheet.objects.published()``: the public
pages never see a sheet in any other state (see ``public_sheets``).
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from core.choices import CostKind
from core.spreadsheet_safety import escape_text
from core.wareki import fiscal_year_label
from evalsheets.models import EvaluationSheet

# Preference when a results year has several cost columns: 決算 first.
_KIND_ORDER = {CostKind.SETTLED: 0, CostKind.BUDGET: 1, CostKind.PLAN: 2}
CHAIN_SEPARATOR = " › "


def public_sheets():
    """The only queryset the public pages start from: published sheets, with their project."""
    return EvaluationSheet.objects.published().with_related()


def with_cost_data(queryset):
    """Prefetch what the list needs for 事業費 / 合計 of the results year (3 queries)."""
    return queryset.with_costs()


@dataclass
class PublicRow:
    sheet: EvaluationSheet
    plan_chain: list  # PlanNodes from the root to the project's node
    project_cost: int | None  # 事業費 of the results year (千円)
    total: int | None  # 合計 (事業費 + 人件費) of the results year (千円)

    @property
    def project(self):
        return self.sheet.project

    @property
    def direction(self) -> str:
        """今後の方向性 in the words of the sheet's 様式."""
        sheet = self.sheet
        return sheet.layout.direction_label(sheet.direction) or sheet.get_direction_display()

    @property
    def plan_labels(self) -> list[str]:
        return [n.label for n in self.plan_chain]

    @property
    def plan_label(self) -> str:
        return CHAIN_SEPARATOR.join(self.plan_labels)


def results_year_column(sheet: EvaluationSheet):
    """The cost column of the sheet's 実績年度 (決算, else 予算, else 計画), or None."""
    columns = [
        c
        for c in sheet.cost_columns()
        if c.fiscal_year == sheet.results_year and c.kind in _KIND_ORDER
    ]
    if not columns:
        return None
    return min(columns, key=lambda c: _KIND_ORDER[c.kind])


def plan_chain(node, nodes_by_path: dict) -> list:
    """The chain root → node, from a preloaded {(plan_id, path): node} map (no queries)."""
    if node is None:
        return []
    parts = node.path.split("/")
    chain = []
    for i in range(1, len(parts) + 1):
        found = nodes_by_path.get((node.plan_id, "/".join(parts[:i])))
        if found is not None:
            chain.append(found)
    return chain


def build_rows(sheets: Iterable[EvaluationSheet], plan_nodes: Iterable) -> list[PublicRow]:
    nodes_by_path = {(n.plan_id, n.path): n for n in plan_nodes}
    rows = []
    for sheet in sheets:
        column = results_year_column(sheet)
        rows.append(
            PublicRow(
                sheet=sheet,
                plan_chain=plan_chain(sheet.project.plan_node, nodes_by_path),
                project_cost=column.project_cost if column else None,
                total=column.total if column else None,
            )
        )
    return rows


# --- CSV ------------------------------------------------------------------------------


def csv_header(fiscal_year: int) -> list[str]:
    results = fiscal_year_label(fiscal_year - 1)
    return [
        "事務事業コード",
        "事務事業名",
        "所管課",
        "施策",
        "実施年度",
        f"事業費（{results}・千円）",
        f"合計（{results}・千円）",
        "今後の方向性",
        "URL",
    ]


def csv_rows(rows: Iterable[PublicRow], url_of) -> Iterator[list]:
    """One list per sheet; ``url_of(sheet)`` gives the absolute URL of its public page."""
    for row in rows:
        sheet = row.sheet
        yield [
            row.project.code,
            row.project.name,
            row.project.section.name,
            row.plan_label,
            fiscal_year_label(sheet.fiscal_year),
            "" if row.project_cost is None else row.project_cost,
            "" if row.total is None else row.total,
            row.direction,
            url_of(sheet),
        ]


def write_csv(response, header: list[str], rows: Iterable[list]) -> None:
    """UTF-8 with a BOM (so that Excel opens Japanese correctly), CRLF line ends.

    Every cell through ``spreadsheet_safety.escape_text``: a text a spreadsheet could
    read as a formula gets a leading apostrophe; figures stay numbers."""
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([escape_text(value) for value in header])
    writer.writerows([escape_text(value) for value in row] for row in rows)
