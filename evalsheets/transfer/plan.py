"""What a dry run found: per table the rows to create, update, leave or remove, the sheets
to change, and every problem with its place."""

from dataclasses import dataclass, field

from evalsheets.models import (
    EvaluationSheet,
    Project,
)
from evalsheets.transfer import layout
from evalsheets.transfer.reading import Problem

ACTIONS = ("create", "update", "unchanged", "delete", "skipped")
PUBLISHED_REASON = "公表済みのシートは取り込みで変更しません。"


@dataclass
class SheetChange:
    key: tuple  # (project code, fiscal year)
    existing: EvaluationSheet | None
    sheet_row: dict | None = None  # the file's 評価シート row, when it changes the sheet
    tables: dict = field(default_factory=dict)  # table name → the file's rows (replace)


@dataclass
class ImportPlan:
    municipality: object
    sha256: str = ""
    file_name: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # table title → {action: n}
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason)
    projects: list[tuple[str, dict, Project | None]] = field(default_factory=list)
    sheets: dict = field(default_factory=dict)  # key → SheetChange

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return any(
            n
            for c in self.counts.values()
            for a, n in c.items()
            if a in ("create", "update", "delete")
        )

    def count(self, table: layout.Table, action: str, n: int = 1):
        self.counts.setdefault(table.title, dict.fromkeys(ACTIONS, 0))[action] += n

    def table_counts(self):
        """(title, counts) in the order of the workbook."""
        return [(t.title, self.counts[t.title]) for t in layout.TABLES if t.title in self.counts]
