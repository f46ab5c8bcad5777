"""The dry run's checks, row by row: each cell parsed, the natural keys looked up (an
unknown key is an error, never created), doubled keys, another municipality's rows, the
rows of a sheet compared with the database's."""

import hashlib

from django.core.exceptions import FieldDoesNotExist

from core.choices import CostKind
from evalsheets.layouts import UnknownLayout, get_layout
from evalsheets.models import (
    ActivityIndicator,
    AssessmentAnswer,
    EvaluationSheet,
    OutcomeIndicator,
    Project,
    Review,
    ScheduleEntry,
    ScheduleItem,
    SubProject,
)
from evalsheets.models.bounds import TEXT_MAX_LENGTH
from evalsheets.transfer import layout, rows
from evalsheets.transfer.parsing import CellError, parse_cell, parse_extra
from evalsheets.transfer.plan import ImportPlan
from evalsheets.transfer.reading import Problem, RawTable
from municipalities.models import PlanNode, Section


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------- parsing the rows


def _parse_row(raw: RawTable, number: int, values: dict, plan: ImportPlan) -> dict | None:
    """One row's values, or None when a cell does not parse, the row is another
    municipality's, a key is missing or a text too long (each a problem of the plan)."""
    parsed, problems = {}, []
    for column in raw.table.read_columns:
        try:
            parsed[column.key] = parse_cell(column, values.get(column.key))
        except CellError as exc:
            problems.append(Problem(raw.sheet_name, number, column.header, str(exc)))
    code = plan.municipality.code
    if not problems and parsed["municipality"] != code:
        message = (
            f"他の団体（団体コード「{parsed['municipality'] or '空欄'}」）のデータです。"
            f"{plan.municipality.name}（{code}）のデータだけを取り込めます。"
        )
        problems.append(Problem(raw.sheet_name, number, layout.MUNICIPALITY.header, message))
    if not problems:
        for column in raw.table.key_columns:
            if parsed.get(column.key) in (None, "") and _required(raw.table, column):
                message = f"「{column.header}」を入力してください。"
                problems.append(Problem(raw.sheet_name, number, column.header, message))
    plan.problems.extend(problems)
    if problems or _too_long(raw, number, parsed, plan):
        return None
    return parsed


def _parse_rows(raw: RawTable, plan: ImportPlan) -> list[tuple[int, dict]]:
    """The rows of a table that parsed, of this municipality, each key once."""
    parsed_rows, seen = [], {}
    for number, values in raw.rows:
        parsed = _parse_row(raw, number, values, plan)
        if parsed is None:
            continue
        key = tuple(parsed[c.key] for c in raw.table.key_columns)
        if key in seen:
            message = f"同じキーの行が{seen[key]}行目にもあります。1つにしてください。"
            header = raw.table.key_columns[-1].header
            plan.problems.append(Problem(raw.sheet_name, number, header, message))
            continue
        seen[key] = number
        parsed_rows.append((number, parsed))
    return parsed_rows


# The model field behind each text column (its max_length, or TEXT_MAX_LENGTH for a
# TextField): a text too long is an error of the plan, never a failed write.
TEXT_FIELDS = {
    "projects": {"project": (Project, "code")},
    "activities": {
        "sub_name": (SubProject, "name"),
        "means": (SubProject, "means"),
        "ind_name": (ActivityIndicator, "name"),
        "unit": (ActivityIndicator, "unit"),
    },
    "outcomes": {
        "ind_name": (OutcomeIndicator, "name"),
        "unit": (OutcomeIndicator, "unit"),
        "method": (OutcomeIndicator, "method"),
    },
    "schedule": {
        "item_name": (ScheduleItem, "name"),
        "plan": (ScheduleEntry, "plan"),
        "result": (ScheduleEntry, "result"),
    },
    "assessments": {
        "viewpoint": (AssessmentAnswer, "viewpoint"),
        "choice": (AssessmentAnswer, "choice"),
        "reason": (AssessmentAnswer, "reason"),
    },
    "reviews": {
        "remarks": (Review, "remarks"),
        "head_comment": (Review, "head_comment"),
        "reviewer_name": (Review, "reviewer_name"),
    },
}


def _max_length(table: layout.Table, key: str) -> int:
    model, name = TEXT_FIELDS.get(table.name, {}).get(key, (None, key))
    if model is None:
        model = {"projects": Project, "sheets": EvaluationSheet}.get(table.name)
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        field = None
    return getattr(field, "max_length", None) or TEXT_MAX_LENGTH


def _too_long(raw: RawTable, number: int, parsed: dict, plan: ImportPlan) -> bool:
    found = False
    for column in raw.table.read_columns:
        value = parsed.get(column.key)
        if column.kind in ("text", "code") and isinstance(value, str):
            limit = _max_length(raw.table, column.key)
            if len(value) > limit:
                message = f"{limit:,}文字以内で入力してください（{len(value):,}文字あります）。"
                plan.problems.append(Problem(raw.sheet_name, number, column.header, message))
                found = True
    return found


OPTIONAL_KEYS = {
    ("extra", "year"),
    ("costs", "year"),
    ("activities", "ind_no"),
    ("activities", "year"),
    ("outcomes", "year"),
    ("schedule", "year"),
}


def _required(table: layout.Table, column: layout.Column) -> bool:
    return (table.name, column.key) not in OPTIONAL_KEYS


def _compare(table: layout.Table, new: dict, old: dict | None) -> str:
    if old is None:
        return "create"
    same = all(new.get(c.key) == old.get(c.key) for c in table.value_columns)
    return "unchanged" if same else "update"


# ------------------------------------------------------------------------- projects


def _project_links(row: dict, sections: dict, nodes: dict) -> tuple[str, str] | None:
    """Find the project's 課 and 施策 (set as row["_section"], row["_node"]); or the
    (column, message) of what is wrong."""
    section = sections.get(row["section"])
    if section is None:
        return "課コード", f"課コード「{row['section']}」の課が登録されていません。"
    node = None
    if row["plan_node"]:
        node = nodes.get((row["plan"], row["plan_node"]))
        if node is None:
            return (
                "施策の番号",
                f"総合計画「{row['plan']}」に施策の番号「{row['plan_node']}」がありません。",
            )
    if row["start_year"] and row["end_year"] and row["end_year"] < row["start_year"]:
        return "終了年度", "終了年度は開始年度以降にしてください。"
    row["_section"], row["_node"] = section, node
    return None


def _plan_projects(raw: RawTable, plan: ImportPlan) -> set[str]:
    town = plan.municipality
    parsed = _parse_rows(raw, plan)
    codes = [p["project"] for _n, p in parsed]
    existing = {
        p.code: p
        for p in Project.objects.filter(municipality=town, code__in=codes).select_related(
            "municipality", "section", "plan_node__plan"
        )
    }
    sections = {s.code: s for s in Section.objects.filter(municipality=town)}
    nodes = {
        (n.plan.name, n.path): n
        for n in PlanNode.objects.filter(plan__municipality=town).select_related("plan")
    }
    for number, row in parsed:
        problem = _project_links(row, sections, nodes)
        if problem is not None:
            plan.problems.append(Problem(raw.sheet_name, number, *problem))
            continue
        old = existing.get(row["project"])
        action = _compare(layout.PROJECTS, row, rows.project_row(old) if old else None)
        plan.count(layout.PROJECTS, action)
        if action != "unchanged":
            plan.projects.append((action, row, old))
    return set(codes)


# --------------------------------------------------------------------------- sheets


def _existing_sheets(town, keys) -> dict:
    codes = {code for code, _year in keys}
    found = {}
    queryset = EvaluationSheet.objects.filter(project__municipality=town, project__code__in=codes)
    for sheet in rows.sheets_in_batches(queryset):
        key = (sheet.project.code, sheet.fiscal_year)
        if key in keys:
            found[key] = sheet
    return found


def _check_extra(plan, raw, number, row, town) -> bool:
    try:
        sheet_layout = get_layout(town.sheet_layout, row["fiscal_year"])
    except UnknownLayout:
        sheet_layout = None
    fields = {f.name: f for f in sheet_layout.extra_fields} if sheet_layout else {}
    extra = fields.get(row["name"])
    if extra is None:
        plan.problems.append(
            Problem(
                raw.sheet_name,
                number,
                "項目名",
                f"この様式に項目名「{row['name']}」の項目はありません。",
            )
        )
        return False
    if (extra.kind == "year_numbers") != (row["year"] is not None):
        message = (
            "年度ごとの項目には年度を入れてください。"
            if extra.kind == "year_numbers"
            else ("この項目には年度を入れません。")
        )
        plan.problems.append(Problem(raw.sheet_name, number, "年度", message))
        return False
    try:
        row["value"] = parse_extra(extra, row["value"])
    except CellError as exc:
        plan.problems.append(Problem(raw.sheet_name, number, "値", str(exc)))
        return False
    if row["value"] in ("", None):
        return False  # an empty value is not stored (rows._extra_rows writes none)
    return True


def _check_child(plan, raw, number, row, town) -> bool:
    """The checks of a child row that need more than its own cells."""
    name = raw.table.name
    if name == "extra":
        return _check_extra(plan, raw, number, row, town)
    if name == "costs" and (row["kind"] == CostKind.OVERALL) != (row["year"] is None):
        message = (
            "全体計画には年度を入れません。"
            if row["kind"] == CostKind.OVERALL
            else ("全体計画以外の事業費には年度を入れてください。")
        )
        plan.problems.append(Problem(raw.sheet_name, number, "年度", message))
        return False
    if name == "activities" and row["ind_no"] is None and row["year"] is not None:
        plan.problems.append(
            Problem(raw.sheet_name, number, "指標番号", "年度の値には指標番号が必要です。")
        )
        return False
    if name == "assessments":
        try:
            viewpoints = {
                v.code: v for v in get_layout(town.sheet_layout, row["fiscal_year"]).viewpoints
            }
        except UnknownLayout:
            viewpoints = {}
        viewpoint = viewpoints.get(row["viewpoint"])
        if viewpoint is None:
            plan.problems.append(
                Problem(
                    raw.sheet_name,
                    number,
                    "評価視点",
                    f"この様式に評価視点「{row['viewpoint']}」はありません。",
                )
            )
            return False
        if row["choice"]:
            by_label = {label: key for key, label in viewpoint.choices}
            row["choice"] = by_label.get(row["choice"], row["choice"])
            if row["choice"] not in dict(viewpoint.choices):
                plan.problems.append(
                    Problem(
                        raw.sheet_name,
                        number,
                        "評価",
                        f"評価「{row['choice']}」はこの評価視点で選べません。",
                    )
                )
                return False
    return True


NUMBER_HEADERS = {"sub_no": "細事業番号", "ind_no": "指標番号", "item_no": "項目番号"}


def _consistent_groups(plan, raw, parsed) -> bool:
    """Rows of one 細事業, 指標 or 行程 repeat its fields: they must agree."""
    groups = {
        "activities": (("sub_no",), ("sub_order", "sub_name", "means", "is_new")),
        "outcomes": (
            ("ind_no",),
            ("ind_order", "ind_name", "unit", "method", "baseline", "baseline_year"),
        ),
        "schedule": (("item_no",), ("item_order", "item_name")),
    }
    spec = groups.get(raw.table.name)
    ok = True
    checks = [spec] if spec else []
    if raw.table.name == "activities":
        checks.append((("sub_no", "ind_no"), ("ind_order", "ind_name", "unit")))
    for keys, fields in checks:
        first = {}
        for number, row in parsed:
            if any(row.get(k) is None for k in keys):
                continue
            group = (row["project"], row["fiscal_year"], *(row[k] for k in keys))
            values = tuple(row.get(f) for f in fields)
            if group not in first:
                first[group] = (number, values)
            elif first[group][1] != values:
                plan.problems.append(
                    Problem(
                        raw.sheet_name,
                        number,
                        NUMBER_HEADERS[keys[-1]],
                        f"同じ番号の行（{first[group][0]}行目）と内容が違います。",
                    )
                )
                ok = False
    return ok


def _check_references(plan, parsed_tables, new_projects, existing, file_sheets):
    """Each sheet's project and each row's sheet exist, in the database or in the file."""
    known_projects = set(
        Project.objects.filter(municipality=plan.municipality).values_list("code", flat=True)
    )
    known_projects |= new_projects
    for name, (raw, parsed) in parsed_tables.items():
        for number, row in parsed:
            key = (row["project"], row["fiscal_year"])
            if name == "sheets":
                if row["project"] not in known_projects:
                    plan.problems.append(
                        Problem(
                            raw.sheet_name,
                            number,
                            layout.PROJECT.header,
                            f"事務事業コード「{row['project']}」は登録されていません（「事務事業」の表にもありません）。",
                        )
                    )
            elif key not in existing and key not in file_sheets:
                plan.problems.append(
                    Problem(
                        raw.sheet_name,
                        number,
                        layout.PROJECT.header,
                        f"事務事業「{row['project']}」の{row['fiscal_year']}年度の評価シートがありません"
                        "（「評価シート」の表にもありません）。",
                    )
                )
