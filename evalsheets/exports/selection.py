"""Which sheets a bulk export takes and in which order, and loading them in batches.

The 企画課 narrows one fiscal year by 部, 施策 and state (``select_sheets``); the sheets
are grouped by 施策 (the plan node at ``COVER_DEPTH``, 玉名: 主要施策(節)) in plan order,
each group's by 事務事業コード (``plan_groups``), and read ``BATCH`` at a time with the
prefetches of ``with_children`` (a few queries per batch instead of per sheet).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.normalize import halfwidth
from evalsheets.models import EvaluationSheet
from evalsheets.pdf import storage
from municipalities.models import Municipality, PlanNode

BATCH = 50  # sheets loaded per round of queries
COVER_DEPTH = 1  # the plan level of the cover lists: 玉名 主要施策(節), 人吉 施策項目

ProgressFn = Callable[[int], None]


def select_sheets(municipality: Municipality, params: dict):
    """The sheets of one fiscal year of ``municipality``, narrowed by 部, 施策 (a node
    and everything below it) and state; ``params`` as in ``ExportJob.parameters``."""
    sheets = EvaluationSheet.objects.filter(
        project__municipality=municipality, fiscal_year=params["year"]
    )
    if params.get("department"):
        sheets = sheets.filter(project__section__department_id=params["department"])
    if params.get("plan_node"):
        node = PlanNode.objects.filter(
            pk=params["plan_node"], plan__municipality=municipality
        ).first()
        if node is None:
            return sheets.none()
        sheets = sheets.in_plan_subtree(node)
    if params.get("state"):
        sheets = sheets.filter(state=params["state"])
    return sheets


def _natural(code: str) -> tuple:
    """741-2 before 741-10; （４） and ⑦ as 4 and 7."""
    text = halfwidth(code)
    return tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in re.split(r"(\d+)", text))


@dataclass
class Entry:
    """One sheet of a booklet: what the cover list and the table of contents print."""

    sheet_id: int
    code: str
    name: str
    section: str
    chain: list  # PlanNode from the top level down to the project's node
    pages: int = 0
    first_page: int = 0  # in the booklet, 1-based


@dataclass
class Group:
    """The sheets of one 施策 (cover list + sheets)."""

    node: PlanNode | None
    entries: list[Entry] = field(default_factory=list)
    cover_page: int = 0

    @property
    def title(self) -> str:
        if self.node is None:
            return _("施策の設定がない事務事業")
        return f"{self.node.code}{self.node.name}"

    @property
    def heading(self) -> str:
        """主要施策名：（４）広域連携の推進 (the level's name without its "(節)")."""
        if self.node is None:
            return self.title
        label = re.sub(r"[（(][^）)]*[）)]$", "", self.node.level_label) or _("施策")
        return f"{label}名：{self.title}"

    @property
    def level_labels(self) -> list[str]:
        depth = max((len(e.chain) for e in self.entries), default=0)
        plan = self.node.plan if self.node is not None else None
        return [plan.level_label(d) if plan else "" for d in range(depth)]

    @property
    def rows(self) -> list[tuple[Entry, list]]:
        """(entry, one plan node or None per level) for the cover list."""
        depth = len(self.level_labels)
        return [(e, e.chain + [None] * (depth - len(e.chain))) for e in self.entries]


def plan_groups(sheets) -> list[Group]:
    """The sheets grouped by 施策 (plan node at COVER_DEPTH) in plan order, each group's
    sheets by 事務事業コード."""
    rows = list(
        sheets.select_related("project__section", "project__plan_node")
        .order_by()
        .only(
            "pk",
            "project__code",
            "project__name",
            "project__section__name",
            "project__plan_node__plan_id",
            "project__plan_node__path",
        )
    )
    plan_ids = {r.project.plan_node.plan_id for r in rows if r.project.plan_node_id}
    nodes = {
        (n.plan_id, n.path): n
        for n in PlanNode.objects.filter(plan_id__in=plan_ids).select_related("plan")
    }
    groups: dict = {}
    for row in rows:
        project = row.project
        chain = []
        if project.plan_node_id:
            parts = project.plan_node.path.split("/")
            plan_id = project.plan_node.plan_id
            chain = [nodes[(plan_id, "/".join(parts[: i + 1]))] for i in range(len(parts))]
        node = chain[min(COVER_DEPTH, len(chain) - 1)] if chain else None
        group = groups.setdefault(node.pk if node else None, Group(node))
        group.entries.append(Entry(row.pk, project.code, project.name, project.section.name, chain))

    def plan_order(group):
        if group.node is None:
            return (1, ())
        chain = group.entries[0].chain[: COVER_DEPTH + 1]
        return (0, tuple((n.plan_id, n.sort_order, _natural(n.code)) for n in chain))

    ordered = sorted(groups.values(), key=plan_order)
    for group in ordered:
        group.entries.sort(key=lambda e: _natural(e.code))
    return ordered


def load_batches(sheet_ids: list[int], size: int = BATCH) -> Iterator[list[EvaluationSheet]]:
    """The sheets with everything a PDF shows, ``size`` per round of queries, in order."""
    queryset = EvaluationSheet.objects.with_children()
    for start in range(0, len(sheet_ids), size):
        batch = sheet_ids[start : start + size]
        by_pk = {sheet.pk: sheet for sheet in queryset.filter(pk__in=batch)}
        yield [by_pk[pk] for pk in batch if pk in by_pk]


def stored_pdfs(sheet_ids: list[int], progress: ProgressFn | None = None):
    """Yield (sheet, SheetPDF) in order: the stored PDF, rendered only if stale."""
    done = 0
    for batch in load_batches(sheet_ids):
        for sheet in batch:
            yield sheet, storage.ensure_loaded_pdf(sheet)
            done += 1
            if progress:
                progress(done)
