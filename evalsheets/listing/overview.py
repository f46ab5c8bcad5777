"""What the home pages show: submission progress by 部 and 課, returned and submitted sheets.

Each function runs a fixed number of queries whatever the number of sheets; the
querysets it is given are already limited by ``evalsheets.models.querysets``.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from core.choices import SheetState
from evalsheets.models import AuditEntry, EvaluationSheet

# States at which a sheet counts as submitted (the 担当者's part is done).
SUBMITTED_OR_LATER = (
    SheetState.SUBMITTED,
    SheetState.APPROVED,
    SheetState.CONFIRMED,
    SheetState.PUBLISHED,
)


@dataclass
class Progress:
    """Counts per state of a group of sheets (a 課, a 部 or the municipality)."""

    counts: dict = field(default_factory=lambda: {s: 0 for s in SheetState.values})
    missing: int = 0  # active projects without a sheet for the year

    def add(self, other: "Progress"):
        for state, n in other.counts.items():
            self.counts[state] += n
        self.missing += other.missing

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def drafts(self) -> int:
        return self.counts[SheetState.DRAFT]

    @property
    def submitted(self) -> int:
        return sum(self.counts[s] for s in SUBMITTED_OR_LATER)

    @property
    def percent(self) -> int:
        return round(self.submitted * 100 / self.total) if self.total else 0

    @property
    def by_state(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.counts[value]) for value, label in SheetState.choices]


@dataclass
class SectionRow:
    section: object
    progress: Progress


@dataclass
class DepartmentRow:
    department: object
    sections: list
    progress: Progress


def section_progress(sheets, projects, sections, year: int):
    """Progress of ``year`` by 部 and 課 (three queries).

    ``sheets`` and ``projects`` are the user's visible querysets, ``sections`` the
    municipality's 課 (with their 部).
    """
    state_counts = {f"n_{state}": Count("pk", filter=Q(state=state)) for state in SheetState.values}
    by_section = {
        row["project__section_id"]: row
        for row in sheets.filter(fiscal_year=year)
        .order_by()
        .values("project__section_id")
        .annotate(**state_counts)
    }
    missing = dict(
        projects.filter(active=True)
        .exclude(sheets__fiscal_year=year)
        .order_by()
        .values("section_id")
        .annotate(n=Count("pk"))
        .values_list("section_id", "n")
    )
    departments: dict[int, DepartmentRow] = {}
    total = Progress()
    for section in sections:
        progress = Progress()
        row = by_section.get(section.pk)
        if row:
            for state in SheetState.values:
                progress.counts[state] = row[f"n_{state}"]
        progress.missing = missing.get(section.pk, 0)
        if not progress.total and not progress.missing:
            continue
        dept = departments.setdefault(
            section.department_id, DepartmentRow(section.department, [], Progress())
        )
        dept.sections.append(SectionRow(section, progress))
        dept.progress.add(progress)
        total.add(progress)
    return list(departments.values()), total


def last_transitions(sheet_ids, *, to_state: str) -> dict[int, AuditEntry]:
    """The latest audit entry per sheet that moved it into ``to_state`` (one query).

    The workflow services write an entry with from_state/to_state for every
    transition, whatever they name the action; a sheet back in 下書き after having
    been submitted was returned (差し戻し), and the entry carries the reason.
    """
    if not sheet_ids:
        return {}
    entries = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(EvaluationSheet),
            object_id__in=list(sheet_ids),
            to_state=to_state,
        )
        .exclude(from_state="")
        .exclude(from_state=to_state)
        .select_related("actor")
        .order_by("object_id", "-created_at", "-pk")
    )
    latest = {}
    for entry in entries:
        latest.setdefault(entry.object_id, entry)
    return latest


def returned_sheets(drafts) -> list[tuple[EvaluationSheet, AuditEntry]]:
    """Drafts that were returned (差し戻し), with the entry that returned them."""
    entries = last_transitions([s.pk for s in drafts], to_state=SheetState.DRAFT)
    return [(sheet, entries[sheet.pk]) for sheet in drafts if sheet.pk in entries]
