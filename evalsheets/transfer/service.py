"""The bulk import: a dry run that plans every change, then one atomic transaction.

``plan_import`` reads nothing but the file and the database: it parses each cell, checks
each row's natural keys (an unknown 課, 施策, 事務事業 or sheet is an error, never created
silently), finds doubled keys, refuses another municipality's rows, and compares the
file's rows with the database's rows as ``rows`` gives them: per table, rows to create,
to update, left unchanged, and rows of a sheet to remove (a sheet's rows of a table are
replaced as a whole by the file's). A published sheet is never changed: its rows are
counted as skipped, with the reason. ``apply_import`` plans again inside one transaction
and writes everything or nothing, with one audit entry holding the file's SHA-256 and
the counts; it refuses a plan with any error.
"""

from collections import defaultdict

from django.db import transaction

from core.choices import SheetState
from evalsheets.transfer import layout, rows, writing
from evalsheets.transfer.checks import (
    _check_child,
    _check_references,
    _compare,
    _consistent_groups,
    _existing_sheets,
    _parse_rows,
    _plan_projects,
    sha256_of,
)
from evalsheets.transfer.plan import ACTIONS, PUBLISHED_REASON, ImportPlan, SheetChange
from evalsheets.transfer.reading import RawBook
from evalsheets.workflow import audit

__all__ = [
    "ACTIONS",
    "ImportPlan",
    "ImportRefused",
    "SheetChange",
    "apply_import",
    "plan_import",
    "sha256_of",
]


def plan_import(
    book: RawBook, municipality, *, data: bytes = b"", file_name: str = ""
) -> ImportPlan:
    """The dry run: what the file would change, and every error with its place."""
    plan = ImportPlan(municipality, sha256=sha256_of(data), file_name=file_name)
    plan.problems.extend(book.problems)
    plan.notes.extend(book.notes)
    new_projects = set()
    if "projects" in book.tables:
        new_projects = _plan_projects(book.tables["projects"], plan)
    parsed_tables = {}
    for table in layout.TABLES[1:]:
        raw = book.tables.get(table.name)
        if raw is None:
            continue
        parsed = [
            (n, r)
            for n, r in _parse_rows(raw, plan)
            if table.name == "sheets" or _check_child(plan, raw, n, r, municipality)
        ]
        _consistent_groups(plan, raw, parsed)
        parsed_tables[table.name] = (raw, parsed)
    file_sheets = {
        (r["project"], r["fiscal_year"]) for _n, r in parsed_tables.get("sheets", (None, []))[1]
    }
    keys = set(file_sheets)
    for _raw, parsed in parsed_tables.values():
        keys.update((r["project"], r["fiscal_year"]) for _n, r in parsed)
    existing = _existing_sheets(municipality, keys)
    _check_references(plan, parsed_tables, new_projects, existing, file_sheets)
    if plan.problems:
        return plan
    _plan_sheets(plan, parsed_tables, file_sheets, existing)
    return plan


def _plan_sheets(plan, parsed_tables, file_sheets, existing):
    by_sheet = defaultdict(lambda: defaultdict(list))
    for name, (_raw, parsed) in parsed_tables.items():
        for _n, row in parsed:
            by_sheet[(row["project"], row["fiscal_year"])][name].append(row)
    for key in sorted(by_sheet.keys() | file_sheets):
        sheet = existing.get(key)
        change = SheetChange(key, sheet)
        tallies = []  # (table, action, n)
        file_tables = by_sheet[key]
        for table in layout.TABLES[1:]:
            if table.name not in parsed_tables:
                continue
            if table.name != "sheets" and key not in file_sheets and table.name not in file_tables:
                continue
            new_rows = file_tables.get(table.name, [])
            old_rows = {}
            if sheet is not None:
                for old in rows.rows_of_sheet(table, sheet):
                    old_rows[tuple(old[c.key] for c in table.key_columns)] = old
            changed = False
            for new in new_rows:
                action = _compare(
                    table, new, old_rows.pop(tuple(new[c.key] for c in table.key_columns), None)
                )
                tallies.append((table, action, 1))
                changed |= action != "unchanged"
            if old_rows and table.name != "sheets":
                tallies.append((table, "delete", len(old_rows)))
                changed = True
            if changed:
                if table.name == "sheets":
                    change.sheet_row = new_rows[0]
                else:
                    change.tables[table.name] = new_rows
        if (
            sheet is not None
            and sheet.state == SheetState.PUBLISHED
            and (change.sheet_row or change.tables)
        ):
            plan.skipped.append(
                (f"{key[0]} {sheet.project.name}（{key[1]}年度）", PUBLISHED_REASON)
            )
            for table, _action, n in tallies:
                plan.count(table, "skipped", n)
            continue
        for table, action, n in tallies:
            plan.count(table, action, n)
        if change.sheet_row or change.tables:
            plan.sheets[key] = change


# --------------------------------------------------------------------------- applying


class ImportRefused(Exception):
    def __init__(self, plan: ImportPlan):
        super().__init__("the import has errors")
        self.plan = plan


def apply_import(book: RawBook, municipality, actor, *, data: bytes, file_name: str) -> ImportPlan:
    """Plan again and write it all in one transaction; ImportRefused when it has errors."""
    with transaction.atomic():
        plan = plan_import(book, municipality, data=data, file_name=file_name)
        if not plan.ok:
            raise ImportRefused(plan)
        projects = writing.apply_projects(plan)
        writing.apply_sheets(plan.sheets.values(), projects)
        audit.record(
            actor,
            audit.ACTION_IMPORT,
            municipality,
            municipality=municipality,
            comment=file_name[:200],
            changes={
                "sha256": plan.sha256,
                "file": file_name[:200],
                "counts": {title: counts for title, counts in plan.table_counts()},
                "skipped": [name for name, _reason in plan.skipped],
            },
        )
    return plan
