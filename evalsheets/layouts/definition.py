"""A 様式 definition file (YAML) → a ``SheetLayout``, or every problem with its key path and
line, in Japanese.

The format is documented in docs/sheet-forms.md. Reading is defensive: a file over
``MAX_BYTES`` is refused before it is read, YAML anchors and aliases are refused (a
"billion laughs" file expands them exponentially), unknown keys are errors (a typo must not
silently drop a setting), and every reference — a field, a cost row, a choice — is checked
against what exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from core.choices import CostKind, Direction, ImplementationMethod
from evalsheets.layouts.base import (
    Choice,
    ExtraField,
    SheetLayout,
    Viewpoint,
)
from evalsheets.layouts.yaml_reading import (
    MAX_BYTES,
    DefinitionError,
    NoAliasLoader,
    Problem,
    YamlList,
    YamlMap,
    read_text,
    single,
    to_python,
)

FORMAT = 1
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{2,29}$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The widest label the printed forms hold in one line of their label column (full-width
# characters; a longer label would wrap into the next row or be cut in the PDF).
MAX_LABEL = 40
MAX_HEADING = 80

# The sheet's own fields an entry form may edit (EvaluationSheet), with their kind.
SHEET_FIELDS = {
    "author_name": "text",
    "implementation_methods": "multi",
    "implementation_other": "text",
    "actors": "multi",
    "actors_other": "text",
    "background": "text",
    "target": "text",
    "intent": "text",
    "content": "text",
    "previous_review": "text",
    "previous_review_status": "text",
    "direction": "direction",
    "improvement": "text",
    "purpose": "text",
    "policy": "text",
    "contractor": "text",
    "work_done": "text",
    "subsidy_note": "text",
    "other_specific_note": "text",
    "user_charge_exists": "yes_no",
    "user_charge_revised": "text",
    "unit_target_definition": "text",
    "unit_target_unit": "text",
    "summary": "text",
    "results": "text",
    "issues": "text",
    "funding_allocation": "allocation",
    "staffing_allocation": "allocation",
    "strategies": "text",
    "manifesto": "text",
}
COST_FIELDS = {
    "national_subsidy",
    "prefectural_subsidy",
    "municipal_bonds",
    "other_specific",
    "user_charges",
    "general_revenue",
}
NET_COST_FIELDS = {"total", "subsidies", "municipal_bonds", "other"}
COST_LABEL_KEYS = {"project_cost", "staff_fte", "part_time_fte", "personnel", "total"}
OUTCOME_FIELDS = {"method", "baseline", "baseline_year"}
EXTRA_TYPES = {"text", "choice", "number", "yes_no", "year_numbers"}
SUB_PROJECT_STYLES = {"means", "is_new", "none"}
BLOCKS = {
    "header",
    "plan",
    "project",
    "fields",
    "sub_projects",
    "activity_indicators",
    "outcome_indicators",
    "costs",
    "schedule",
    "viewpoints",
    "direction",
    "extra",
    "review",
}


def parse(text: str) -> SheetLayout:
    """The SheetLayout a definition describes; DefinitionError lists every problem."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise DefinitionError(
            [Problem("(ファイル)", None, f"様式定義は{MAX_BYTES:,}バイトまでです。")]
        )
    try:
        node = yaml.compose(text, Loader=NoAliasLoader)
    except DefinitionError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DefinitionError(
            [
                Problem(
                    "(ファイル)",
                    mark.line + 1 if mark else None,
                    f"YAMLとして読めません（{getattr(exc, 'problem', None) or exc}）。",
                )
            ]
        ) from None
    if node is None or not isinstance(node, yaml.MappingNode):
        raise DefinitionError(
            [Problem("(ファイル)", 1, "キーと値の組（マッピング）で書いてください。")]
        )
    data = to_python(node)
    return _Builder(data).build()


def parse_file(path: Path) -> SheetLayout:
    return parse(read_text(Path(path)))


# ------------------------------------------------------------------------ checking


class _Builder:
    TOP_KEYS = {
        "format",
        "key",
        "version",
        "name",
        "title",
        "templates",
        "fields",
        "extra_fields",
        "implementation_choices",
        "viewpoints",
        "directions",
        "costs",
        "grids",
        "years",
        "plan",
        "sections",
        "print",
    }

    def __init__(self, data: YamlMap):
        self.data = data
        self.problems: list[Problem] = []

    # --- helpers
    def problem(self, path: str, line, message: str):
        self.problems.append(Problem(path, line, message))

    def mapping(self, value, path, line, keys: set[str], required: set[str] = frozenset()):
        if not isinstance(value, dict):
            self.problem(path, line, "キーと値の組（マッピング）で書いてください。")
            return None
        for key, key_line in value.duplicates:
            self.problem(f"{path}.{key}" if path else key, key_line, "同じキーが2回あります。")
        for key in value:
            if key not in keys:
                known = "、".join(sorted(keys))
                self.problem(
                    f"{path}.{key}" if path else str(key),
                    value.lines.get(key),
                    f"知らないキーです（使えるキー: {known}）。",
                )
        for key in sorted(required - set(value)):
            self.problem(f"{path}.{key}" if path else key, value.line, "必須のキーがありません。")
        return value

    def sequence(self, value, path, line, *, allow_empty=False):
        if not isinstance(value, list):
            self.problem(path, line, "リスト（- で始まる行）で書いてください。")
            return []
        if not value and not allow_empty:
            self.problem(path, line, "空のリストです。1つ以上書いてください。")
        return value

    def text(self, value, path, line, *, limit=MAX_LABEL, required=True) -> str:
        if value is None or value == "":
            if required:
                self.problem(path, line, "空です。文字を入れてください。")
            return ""
        if not isinstance(value, str):
            value = str(value)
        if len(value) > limit:
            self.problem(
                path,
                line,
                f"{len(value)}文字あり、印刷幅（{limit}文字）を超えます。短くしてください。",
            )
        return value

    def flag(self, value, path, line) -> bool:
        if not isinstance(value, bool):
            self.problem(path, line, "true か false で書いてください。")
            return False
        return value

    def integer(self, value, path, line, low, high) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(path, line, f"{low}から{high}までの整数で書いてください。")
            return low
        return value

    def line(self, container, key):
        if isinstance(container, dict):
            return container.lines.get(key, container.line)
        if isinstance(container, list) and isinstance(key, int) and key < len(container.lines):
            return container.lines[key]
        return getattr(container, "line", None)

    def choices(self, value, path, line, *, values=None) -> tuple[Choice, ...]:
        items = self.sequence(value, path, line)
        result, seen = [], set()
        for i, item in enumerate(items):
            item_path, item_line = f"{path}[{i}]", self.line(items, i)
            item = self.mapping(item, item_path, item_line, {"value", "label"}, {"value", "label"})
            if item is None:
                continue
            choice_value = str(item.get("value", ""))
            if values is not None and choice_value not in values:
                self.problem(
                    f"{item_path}.value",
                    self.line(item, "value"),
                    f"「{choice_value}」は選べる値ではありません（{'、'.join(sorted(values))}）。",
                )
            if choice_value in seen:
                self.problem(
                    f"{item_path}.value", self.line(item, "value"), "同じ値が2回あります。"
                )
            seen.add(choice_value)
            label = self.text(item.get("label"), f"{item_path}.label", self.line(item, "label"))
            result.append(Choice(choice_value, label))
        return tuple(result)

    # --- the definition
    def build(self) -> SheetLayout:
        d = self.mapping(
            self.data, "", 1, self.TOP_KEYS, {"format", "key", "version", "name", "title", "fields"}
        )
        if d is None:
            raise DefinitionError(self.problems)
        if "format" in d and d["format"] != FORMAT:
            self.problem("format", self.line(d, "format"), f"format は {FORMAT} です。")
        key = str(d.get("key", ""))
        if "key" in d and not KEY_RE.match(key):
            self.problem(
                "key",
                self.line(d, "key"),
                "半角英小文字で始まる英小文字・数字・_ の3〜30文字にしてください。",
            )
        version = self.integer(d.get("version", 1), "version", self.line(d, "version"), 1, 9999)
        name = self.text(d.get("name"), "name", self.line(d, "name"))
        title = self.text(d.get("title"), "title", self.line(d, "title"))
        extras = self.extra_fields(d.get("extra_fields", YamlList()), self.line(d, "extra_fields"))
        fields, labels = self.fields(d.get("fields"), self.line(d, "fields"), extras)
        costs = self.costs(d.get("costs", YamlMap()), self.line(d, "costs"))
        grids = self.grids(d.get("grids", YamlMap()), self.line(d, "grids"))
        years = self.mapping(
            d.get("years", YamlMap()), "years", self.line(d, "years"), {"short_labels"}
        )
        plan = self.mapping(d.get("plan", YamlMap()), "plan", self.line(d, "plan"), {"description"})
        templates = (
            self.mapping(
                d.get("templates", YamlMap()),
                "templates",
                self.line(d, "templates"),
                {"page", "entry", "pdf"},
            )
            or {}
        )
        viewpoints = self.viewpoints(d.get("viewpoints", YamlList()), self.line(d, "viewpoints"))
        directions = ()
        if "directions" in d:
            directions = self.choices(
                d["directions"],
                "directions",
                self.line(d, "directions"),
                values=set(Direction.values),
            )
        implementation = ()
        if "implementation_choices" in d:
            implementation = self.choices(
                d["implementation_choices"],
                "implementation_choices",
                self.line(d, "implementation_choices"),
                values=set(ImplementationMethod.values),
            )
        if "direction" in fields and not directions:
            self.problem(
                "directions", d.line, "fields に direction があるのに directions がありません。"
            )
        sections = self.sections(
            d.get("sections", YamlList()), self.line(d, "sections"), fields, extras
        )
        print_settings = (
            self.mapping(
                d.get("print", YamlMap()),
                "print",
                self.line(d, "print"),
                {"font_size", "page_breaks"},
            )
            or {}
        )
        if self.problems:
            raise DefinitionError(self.problems)
        years = years or {}
        plan = plan or {}
        return SheetLayout(
            key=key,
            version=version,
            name=name,
            title=title,
            page_template=templates.get("page", "evalsheets/layouts/generated.html"),
            entry_template=templates.get("entry", "evalsheets/entry/generated.html"),
            pdf_template=templates.get("pdf", "pdf/generated.html"),
            fields=fields,
            labels=labels,
            implementation_choices=tuple((c.value, c.label) for c in implementation),
            viewpoints=viewpoints,
            directions=directions,
            extra_fields=extras,
            sections=sections,
            page_breaks=tuple(print_settings.get("page_breaks", ())),
            short_year_labels=bool(years.get("short_labels", False)),
            plan_description=bool(plan.get("description", False)),
            **costs,
            **grids,
        )

    def extra_fields(self, value, line) -> tuple[ExtraField, ...]:
        items = self.sequence(value, "extra_fields", line, allow_empty=True)
        result, seen = [], set()
        keys = {"name", "label", "type", "choices", "max_length", "min", "max", "unit", "years"}
        for i, item in enumerate(items):
            path, item_line = f"extra_fields[{i}]", self.line(items, i)
            item = self.mapping(item, path, item_line, keys, {"name", "label", "type"})
            if item is None:
                continue
            name = str(item.get("name", ""))
            if not FIELD_NAME_RE.match(name):
                self.problem(
                    f"{path}.name",
                    self.line(item, "name"),
                    "半角英小文字・数字・_ の名前にしてください。",
                )
            if name in SHEET_FIELDS or name in seen:
                self.problem(
                    f"{path}.name",
                    self.line(item, "name"),
                    f"「{name}」という名前の項目はすでにあります。",
                )
            seen.add(name)
            kind = item.get("type")
            if kind not in EXTRA_TYPES:
                self.problem(
                    f"{path}.type",
                    self.line(item, "type"),
                    f"type は {'、'.join(sorted(EXTRA_TYPES))} のどれかです。",
                )
            choices = ()
            if kind == "choice":
                if "choices" not in item:
                    self.problem(
                        f"{path}.choices", item.line, "type: choice には choices が要ります。"
                    )
                else:
                    choices = self.choices(
                        item["choices"], f"{path}.choices", self.line(item, "choices")
                    )
            elif "choices" in item:
                self.problem(
                    f"{path}.choices",
                    self.line(item, "choices"),
                    "choices は type: choice だけで使えます。",
                )
            years = ()
            if kind == "year_numbers":
                offsets = self.sequence(
                    item.get("years"), f"{path}.years", self.line(item, "years")
                )
                years = tuple(
                    self.integer(o, f"{path}.years[{j}]", self.line(offsets, j), -10, 10)
                    for j, o in enumerate(offsets)
                )
            result.append(
                ExtraField(
                    name=name,
                    label=self.text(item.get("label"), f"{path}.label", self.line(item, "label")),
                    kind=kind or "text",
                    choices=tuple((c.value, c.label) for c in choices),
                    max_length=self.integer(
                        item.get("max_length", 2000),
                        f"{path}.max_length",
                        self.line(item, "max_length"),
                        1,
                        2000,
                    ),
                    unit=self.text(
                        item.get("unit", ""),
                        f"{path}.unit",
                        self.line(item, "unit"),
                        limit=10,
                        required=False,
                    ),
                    year_offsets=years,
                )
            )
        return tuple(result)

    def fields(self, value, line, extras):
        items = self.sequence(value, "fields", line)
        names, labels, seen = [], {}, set()
        extra_names = {e.name for e in extras}
        for i, item in enumerate(items):
            path, item_line = f"fields[{i}]", self.line(items, i)
            if isinstance(item, str):
                item = single("name", item, item_line)
            item = self.mapping(item, path, item_line, {"name", "label"}, {"name"})
            if item is None:
                continue
            name = str(item.get("name", ""))
            if name not in SHEET_FIELDS and name not in extra_names:
                self.problem(
                    f"{path}.name",
                    self.line(item, "name") or item_line,
                    f"「{name}」という項目はありません"
                    "（シートの項目か extra_fields の名前を書いてください）。",
                )
            if name in seen:
                self.problem(
                    f"{path}.name",
                    self.line(item, "name") or item_line,
                    f"「{name}」が2回あります。",
                )
            seen.add(name)
            names.append(name)
            if "label" in item:
                labels[name] = self.text(item["label"], f"{path}.label", self.line(item, "label"))
        return tuple(names), labels

    def costs(self, value, line) -> dict:
        keys = {"rows", "columns", "headings", "net_entry", "personnel", "target_counts", "labels"}
        c = self.mapping(value, "costs", line, keys) or YamlMap()
        net = self.flag(c.get("net_entry", False), "costs.net_entry", self.line(c, "net_entry"))
        rows = []
        for i, item in enumerate(
            self.sequence(
                c.get("rows", YamlList()), "costs.rows", self.line(c, "rows"), allow_empty=True
            )
        ):
            path = f"costs.rows[{i}]"
            item = self.mapping(
                item, path, self.line(c.get("rows"), i), {"field", "label"}, {"field", "label"}
            )
            if item is None:
                continue
            allowed = NET_COST_FIELDS if net else COST_FIELDS
            if item.get("field") not in allowed:
                self.problem(
                    f"{path}.field",
                    self.line(item, "field"),
                    f"費目は {'、'.join(sorted(allowed))} のどれかです。",
                )
            rows.append(
                (
                    str(item.get("field")),
                    self.text(item.get("label"), f"{path}.label", self.line(item, "label")),
                )
            )
        if net and {r[0] for r in rows} != NET_COST_FIELDS:
            self.problem(
                "costs.rows",
                self.line(c, "rows"),
                "net_entry: true のときは total、subsidies、municipal_bonds、other の4行です。",
            )
        columns = []
        for i, item in enumerate(
            self.sequence(
                c.get("columns", YamlList()),
                "costs.columns",
                self.line(c, "columns"),
                allow_empty=True,
            )
        ):
            path = f"costs.columns[{i}]"
            item = self.mapping(
                item, path, self.line(c.get("columns"), i), {"kind", "year"}, {"kind"}
            )
            if item is None:
                continue
            kind = item.get("kind")
            if kind not in CostKind.values:
                self.problem(
                    f"{path}.kind",
                    self.line(item, "kind"),
                    f"kind は {'、'.join(CostKind.values)} のどれかです。",
                )
            if kind == CostKind.OVERALL:
                columns.append((kind, None))
            else:
                columns.append(
                    (
                        kind,
                        self.integer(
                            item.get("year"), f"{path}.year", self.line(item, "year"), -10, 10
                        ),
                    )
                )
        headings = {}
        h = (
            self.mapping(
                c.get("headings", YamlMap()),
                "costs.headings",
                self.line(c, "headings"),
                {"*", *CostKind.values},
            )
            or {}
        )
        for kind, fmt in h.items():
            text = self.text(fmt, f"costs.headings.{kind}", self.line(h, kind), limit=30)
            try:
                text.format(short="R05", long="令和5年度", kind="決算")
            except (KeyError, IndexError, ValueError):
                self.problem(
                    f"costs.headings.{kind}",
                    self.line(h, kind),
                    "使える差し込みは {short}、{long}、{kind} です。",
                )
            headings[kind] = text
        labels = {}
        lab = (
            self.mapping(
                c.get("labels", YamlMap()), "costs.labels", self.line(c, "labels"), COST_LABEL_KEYS
            )
            or {}
        )
        for k, v in lab.items():
            labels[k] = self.text(v, f"costs.labels.{k}", self.line(lab, k))
        return {
            "cost_rows": tuple(rows),
            "cost_columns": tuple(columns),
            "column_headings": headings,
            "net_cost_entry": net,
            "personnel": self.flag(
                c.get("personnel", True), "costs.personnel", self.line(c, "personnel")
            ),
            "target_counts": self.flag(
                c.get("target_counts", False), "costs.target_counts", self.line(c, "target_counts")
            ),
            "cost_labels": labels,
        }

    def grids(self, value, line) -> dict:
        keys = {
            "indicator_years",
            "sub_projects",
            "activity_indicators",
            "activity_years_follow_indicators",
            "outcome_fields",
            "schedule",
        }
        g = self.mapping(value, "grids", line, keys) or YamlMap()
        offsets = self.sequence(
            g.get("indicator_years", YamlList()),
            "grids.indicator_years",
            self.line(g, "indicator_years"),
            allow_empty=True,
        )
        years = tuple(
            self.integer(o, f"grids.indicator_years[{i}]", self.line(offsets, i), -10, 10)
            for i, o in enumerate(offsets)
        )
        style = g.get("sub_projects", "means")
        if style not in SUB_PROJECT_STYLES:
            self.problem(
                "grids.sub_projects",
                self.line(g, "sub_projects"),
                f"sub_projects は {'、'.join(sorted(SUB_PROJECT_STYLES))} のどれかです。",
            )
        outcome = self.sequence(
            g.get("outcome_fields", YamlList()),
            "grids.outcome_fields",
            self.line(g, "outcome_fields"),
            allow_empty=True,
        )
        for i, name in enumerate(outcome):
            if name not in OUTCOME_FIELDS:
                self.problem(
                    f"grids.outcome_fields[{i}]",
                    self.line(outcome, i),
                    f"成果指標の列は {'、'.join(sorted(OUTCOME_FIELDS))} のどれかです。",
                )
        return {
            "indicator_years": years,
            "sub_projects": "" if style == "none" else str(style),
            "activity_indicators": self.flag(
                g.get("activity_indicators", False),
                "grids.activity_indicators",
                self.line(g, "activity_indicators"),
            ),
            "activity_years_follow_indicators": self.flag(
                g.get("activity_years_follow_indicators", False),
                "grids.activity_years_follow_indicators",
                self.line(g, "activity_years_follow_indicators"),
            ),
            "outcome_fields": tuple(str(n) for n in outcome),
            "schedule": self.flag(
                g.get("schedule", False), "grids.schedule", self.line(g, "schedule")
            ),
        }

    def viewpoints(self, value, line) -> tuple[Viewpoint, ...]:
        items = self.sequence(value, "viewpoints", line, allow_empty=True)
        result, seen = [], set()
        keys = {"code", "group", "label", "question", "choices", "field_number", "reason_label"}
        for i, item in enumerate(items):
            path = f"viewpoints[{i}]"
            item = self.mapping(
                item, path, self.line(items, i), keys, {"code", "group", "question", "choices"}
            )
            if item is None:
                continue
            code = str(item.get("code", ""))
            if code in seen:
                self.problem(
                    f"{path}.code",
                    self.line(item, "code"),
                    f"視点のコード「{code}」が2回あります。",
                )
            seen.add(code)
            choices = self.choices(
                item.get("choices", YamlList()), f"{path}.choices", self.line(item, "choices")
            )
            result.append(
                Viewpoint(
                    code=code,
                    group=self.text(item.get("group"), f"{path}.group", self.line(item, "group")),
                    label=self.text(
                        item.get("label", ""),
                        f"{path}.label",
                        self.line(item, "label"),
                        required=False,
                    ),
                    question=self.text(
                        item.get("question"),
                        f"{path}.question",
                        self.line(item, "question"),
                        limit=200,
                    ),
                    choices=tuple((c.value, c.label) for c in choices),
                    field_number=str(item.get("field_number", "")),
                    reason_label=self.text(
                        item.get("reason_label", "判断理由"),
                        f"{path}.reason_label",
                        self.line(item, "reason_label"),
                    ),
                )
            )
        return tuple(result)

    def sections(self, value, line, fields, extras):
        items = self.sequence(value, "sections", line, allow_empty=True)
        result = []
        known = set(fields) | {e.name for e in extras}
        for i, item in enumerate(items):
            path = f"sections[{i}]"
            item = self.mapping(
                item, path, self.line(items, i), {"heading", "blocks"}, {"heading", "blocks"}
            )
            if item is None:
                continue
            heading = self.text(
                item.get("heading"),
                f"{path}.heading",
                self.line(item, "heading"),
                limit=MAX_HEADING,
            )
            blocks = []
            block_items = self.sequence(
                item.get("blocks"), f"{path}.blocks", self.line(item, "blocks")
            )
            for j, block in enumerate(block_items):
                bpath = f"{path}.blocks[{j}]"
                if isinstance(block, str):
                    block = single("type", block, self.line(block_items, j))
                block = self.mapping(
                    block, bpath, self.line(block_items, j), {"type", "fields", "label"}, {"type"}
                )
                if block is None:
                    continue
                kind = block.get("type")
                if kind not in BLOCKS:
                    self.problem(
                        f"{bpath}.type",
                        self.line(block, "type") or self.line(block_items, j),
                        f"ブロックは {'、'.join(sorted(BLOCKS))} のどれかです。",
                    )
                names = tuple(block.get("fields", ()))
                for k, name in enumerate(names):
                    if name not in known:
                        self.problem(
                            f"{bpath}.fields[{k}]",
                            self.line(block.get("fields"), k),
                            f"「{name}」は fields にも extra_fields にもない項目です。",
                        )
                blocks.append({"type": kind, "fields": names, "label": str(block.get("label", ""))})
            result.append({"heading": heading, "blocks": tuple(blocks)})
        return tuple(result)
