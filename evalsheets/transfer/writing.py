"""Writing a planned import: projects, then the changed sheets and their replaced tables.

Called by ``service.apply_import`` inside its transaction, with a plan without errors.
Everything is written in batches, level by level (sheets; their rows; the indicators of a
細事業; the values of an indicator), each level one ``bulk_create`` per model: a year of
1,000 sheets is a few hundred queries, not tens of thousands. Every value was parsed and
bounded by the plan; the database's constraints stay the last word (no ``full_clean``:
its constraint checks are a query each).
"""

from collections import defaultdict

from evalsheets.models import (
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
from evalsheets.transfer import layout, rows

BATCH = 500


def apply_projects(plan) -> dict[str, Project]:
    """Create or update the plan's projects (plan.ImportPlan); every project by code."""
    town = plan.municipality
    created, updated = [], []
    names = [c.key for c in layout.PROJECTS.value_columns if c.key not in ("plan", "plan_node")]
    names.append("plan_node")
    for _action, row, old in plan.projects:
        project = old or Project(municipality=town, code=row["project"])
        for column in layout.PROJECTS.value_columns:
            if column.key not in ("section", "plan", "plan_node"):
                setattr(project, column.key, row[column.key])
        project.section = row["_section"]
        project.plan_node = row["_node"]
        (updated if old else created).append(project)
    Project.objects.bulk_create(created, batch_size=BATCH)
    Project.objects.bulk_update(updated, names, batch_size=BATCH)
    return {p.code: p for p in Project.objects.filter(municipality=town)}


def _extra(sheet, new_rows) -> dict:
    """The sheet's ``extra`` as the entry form stores it (numbers as decimal strings)."""
    fields = {f.name: f for f in sheet.layout.extra_fields}
    extra = {}
    for row in new_rows:
        value, kind = row["value"], fields[row["name"]].kind
        if kind == "year_numbers":
            extra.setdefault(row["name"], {})[str(row["year"])] = format(value.normalize(), "f")
        elif kind == "number":
            extra[row["name"]] = format(value.normalize(), "f")
        else:
            extra[row["name"]] = value
    return extra


def _value(row) -> dict:
    target, actual = row["target"], row["actual"]
    return {
        "fiscal_year": row["year"],
        "target": None if target == rows.NOT_APPLICABLE else target,
        "target_na": target == rows.NOT_APPLICABLE,
        "actual": None if actual == rows.NOT_APPLICABLE else actual,
        "actual_na": actual == rows.NOT_APPLICABLE,
    }


class Levels:
    """Objects to create, by level: a level is created (one bulk_create per model) before
    the next is built, so a child gets its parent's primary key."""

    def __init__(self):
        self.levels = [defaultdict(list) for _ in range(3)]
        self.later = [[] for _ in range(3)]  # (level, callable) run after a level exists

    def add(self, level: int, obj):
        self.levels[level][type(obj)].append(obj)
        return obj

    def then(self, level: int, build):
        self.later[level].append(build)

    def create(self):
        for level, objects in enumerate(self.levels):
            for model, items in objects.items():
                model.objects.bulk_create(items, batch_size=BATCH)
            for build in self.later[level]:
                build()


def _flat(levels: Levels, sheet, name: str, new_rows):
    for r in new_rows:
        if name == "costs":
            money = {c.key: r[c.key] for c in layout.COSTS.value_columns}
            levels.add(0, CostRow(sheet=sheet, fiscal_year=r["year"], kind=r["kind"], **money))
        elif name == "efforts":
            levels.add(
                0,
                StaffEffort(
                    sheet=sheet,
                    fiscal_year=r["year"],
                    staff_fte=r["staff_fte"],
                    part_time_fte=r["part_time_fte"],
                    target_count=r["target_count"],
                ),
            )
        elif name == "assessments":
            answer = AssessmentAnswer(
                sheet=sheet, viewpoint=r["viewpoint"], choice=r["choice"], reason=r["reason"]
            )
            levels.add(0, answer)
        elif name == "reviews":
            review = Review(
                sheet=sheet,
                remarks=r["remarks"],
                head_comment=r["head_comment"],
                reviewer_name=r["reviewer_name"],
            )
            levels.add(0, review)


def _activities(levels: Levels, sheet, new_rows):
    subs, indicators = {}, {}
    for row in sorted(new_rows, key=lambda r: (r["sub_no"], r["ind_no"] or 0, r["year"] or 0)):
        if row["sub_no"] not in subs:
            subs[row["sub_no"]] = levels.add(
                0,
                SubProject(
                    sheet=sheet,
                    sort_order=row["sub_order"] or 0,
                    name=row["sub_name"],
                    means=row["means"],
                    is_new=row["is_new"],
                ),
            )
        if row["ind_no"] is None:
            continue
        key = (row["sub_no"], row["ind_no"])
        if key not in indicators:
            indicators[key] = levels.add(
                1,
                ActivityIndicator(
                    sort_order=row["ind_order"] or 0, name=row["ind_name"], unit=row["unit"]
                ),
            )
            indicators[key]._parent = subs[row["sub_no"]]
        if row["year"] is not None:
            value = levels.add(2, ActivityValue(**_value(row)))
            value._parent = indicators[key]


def _outcomes(levels: Levels, sheet, new_rows):
    indicators = {}
    for row in sorted(new_rows, key=lambda r: (r["ind_no"], r["year"] or 0)):
        if row["ind_no"] not in indicators:
            indicators[row["ind_no"]] = levels.add(
                0,
                OutcomeIndicator(
                    sheet=sheet,
                    sort_order=row["ind_order"] or 0,
                    name=row["ind_name"],
                    unit=row["unit"],
                    method=row["method"],
                    baseline=row["baseline"],
                    baseline_year=row["baseline_year"],
                ),
            )
        if row["year"] is not None:
            value = levels.add(1, OutcomeValue(**_value(row)))
            value._parent = indicators[row["ind_no"]]


def _schedule(levels: Levels, sheet, new_rows):
    items = {}
    for row in sorted(new_rows, key=lambda r: (r["item_no"], r["year"] or 0)):
        if row["item_no"] not in items:
            items[row["item_no"]] = levels.add(
                0,
                ScheduleItem(sheet=sheet, sort_order=row["item_order"] or 0, name=row["item_name"]),
            )
        if row["year"] is not None:
            entry = levels.add(
                1, ScheduleEntry(fiscal_year=row["year"], plan=row["plan"], result=row["result"])
            )
            entry._parent = items[row["item_no"]]


def _link_parents(levels: Levels):
    """Set each child's foreign key from its parent object (created by the level before)."""
    fields = {
        ActivityIndicator: "sub_project",
        ActivityValue: "indicator",
        OutcomeValue: "indicator",
        ScheduleEntry: "item",
    }

    def link(level):
        def run():
            for model, items in levels.levels[level].items():
                for item in items:
                    setattr(item, fields[model], item._parent)

        return run

    levels.then(0, link(1))
    levels.then(1, link(2))


# Each replaced table: the sheet's current rows of it (deleted first), by sheet ids.
CURRENT = {
    "costs": lambda ids: CostRow.objects.filter(sheet__in=ids),
    "efforts": lambda ids: StaffEffort.objects.filter(sheet__in=ids),
    "activities": lambda ids: SubProject.objects.filter(sheet__in=ids),
    "outcomes": lambda ids: OutcomeIndicator.objects.filter(sheet__in=ids),
    "schedule": lambda ids: ScheduleItem.objects.filter(sheet__in=ids),
    "assessments": lambda ids: AssessmentAnswer.objects.filter(sheet__in=ids),
    "reviews": lambda ids: Review.objects.filter(sheet__in=ids),
}
TREES = {"activities": _activities, "outcomes": _outcomes, "schedule": _schedule}


def _sheets(changes, projects: dict[str, Project]) -> list[tuple]:
    """Each change's sheet, with its fields set: new sheets created in batches, existing
    ones updated (version + 1, locked for the transaction)."""
    existing_ids = [c.existing.pk for c in changes if c.existing is not None]
    locked = EvaluationSheet.objects.select_for_update().select_related("project__municipality")
    current = {s.pk: s for s in locked.filter(pk__in=existing_ids)}
    created, updated, pairs = [], [], []
    for change in changes:
        if change.existing is None:
            code, year = change.key
            sheet = EvaluationSheet(project=projects[code], fiscal_year=year)
            created.append(sheet)
        else:
            sheet = current[change.existing.pk]
            sheet.version += 1
            updated.append(sheet)
        if change.sheet_row is not None:
            for column in layout.SHEETS.value_columns:
                value = change.sheet_row[column.key]
                setattr(sheet, column.key, list(value) if column.kind == "choices" else value)
        if "extra" in change.tables:
            sheet.extra = _extra(sheet, change.tables["extra"])
        pairs.append((change, sheet))
    EvaluationSheet.objects.bulk_create(created, batch_size=BATCH)
    for sheet in updated:
        sheet.save()
    return pairs


def apply_sheets(changes, projects: dict[str, Project]):
    """Create or update the sheets of ``changes`` (plan.SheetChange) and replace their
    changed tables."""
    pairs = _sheets(list(changes), projects)
    for name, current in CURRENT.items():
        ids = [s.pk for c, s in pairs if c.existing is not None and name in c.tables]
        for start in range(0, len(ids), BATCH):
            current(ids[start : start + BATCH]).delete()
    levels = Levels()
    for change, sheet in pairs:
        for name, new_rows in change.tables.items():
            if name in TREES:
                TREES[name](levels, sheet, new_rows)
            elif name != "extra":
                _flat(levels, sheet, name, new_rows)
    _link_parents(levels)
    levels.create()
