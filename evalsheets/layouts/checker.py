"""What every part of a 様式 definition is checked with: the names a definition may use,
and a ``Checker`` that reads one value of the parsed YAML (a mapping with known keys, a
list, a label within the print width, a flag, a bounded integer, a choice list) and notes
each problem with its key path and line instead of stopping at the first."""

import re

from evalsheets.layouts.base import Choice
from evalsheets.layouts.yaml_reading import Problem

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
# How the PDF may draw a block: each style a template pdf/blocks/<type>.<style>.html, the
# arrangement of a paper form that another city's definition can reuse. The sheet page and
# the entry form show the block's data the same way whatever its print style.
BLOCK_STYLES = {
    "plan": {"basis_numbered", "detail"},
    "fields": {"purpose", "check_action", "strategies"},
    "sub_projects": {"with_content"},
    "costs": {"stacked", "with_unit_cost", "sources_result", "sources_future"},
    "activity_indicators": {"by_sub_project"},
    "outcome_indicators": {
        "targets_and_actuals",
        "baseline_targets",
        "baseline_actuals",
        "last_and_current",
        "future_targets",
    },
    "schedule": {"plan", "results"},
    "viewpoints": {"grouped", "graded"},
    "review": {"tall", "head_comment"},
    "direction": {"with_review"},
    "project": {"implementation"},
}
# The printed title area (pdf/title/<style>.html): "default" is 事務事業コード, 評価年度,
# 名称 and 所管課.
TITLE_STYLES = {"default", "results_year", "departments", "strategy"}
HEADING_STYLES = {"brackets", "plain", "banner", "none"}


class Checker:
    def __init__(self, data):
        self.data = data
        self.problems: list[Problem] = []

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

    def names_in(self, value, path: str, line, allowed, message: str) -> tuple[str, ...]:
        """A list (possibly empty) whose every item is one of ``allowed``; ``message``
        formatted with ``name`` for each that is not."""
        names = self.sequence(value, path, line, allow_empty=True)
        for i, name in enumerate(names):
            if name not in allowed:
                self.problem(f"{path}[{i}]", self.line(names, i), message.format(name=name))
        return tuple(str(name) for name in names)

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
