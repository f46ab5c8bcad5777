"""A 様式 definition file (YAML) → a ``SheetLayout``, or every problem with its key path and
line, in Japanese.

The format is documented in docs/sheet-forms.md. Reading is defensive: a file over
``MAX_BYTES`` is refused before it is read, YAML anchors and aliases are refused (a
"billion laughs" file expands them exponentially), unknown keys are errors (a typo must not
silently drop a setting), and every reference — a field, a cost row, a choice — is checked
against what exists.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from core.choices import Direction, ImplementationMethod
from evalsheets.layouts.base import ExtraField, SheetLayout, Viewpoint
from evalsheets.layouts.checker import (
    BLOCK_STYLES,
    BLOCKS,
    EXTRA_TYPES,
    FIELD_NAME_RE,
    FORMAT,
    HEADING_STYLES,
    KEY_RE,
    MAX_HEADING,
    SHEET_FIELDS,
    TITLE_STYLES,
)
from evalsheets.layouts.definition_costs import CostChecks
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
    "checks",
}
EXTRA_KEYS = {
    "name",
    "label",
    "type",
    "choices",
    "max_length",
    "min",
    "max",
    "unit",
    "years",
    "carry",
}
VIEWPOINT_KEYS = {
    "code",
    "group",
    "group_number",
    "label",
    "question",
    "choices",
    "field_number",
    "reason_label",
}
INDICATOR_COLUMNS = {
    "target": "目標",
    "actual": "実績",
    "achievement": "達成率(%)",
    "unit_cost": "単位コスト(円)",
}
SECTION_KEYS = {"heading", "blocks", "heading_style", "number", "page_break"}


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


class _Builder(CostChecks):
    def build(self) -> SheetLayout:
        d = self.mapping(
            self.data, "", 1, TOP_KEYS, {"format", "key", "version", "name", "title", "fields"}
        )
        if d is None:
            raise DefinitionError(self.problems)
        identity = self._identity(d)
        extras = self.extra_fields(d.get("extra_fields", YamlList()), self.line(d, "extra_fields"))
        fields, labels = self.fields(d.get("fields"), self.line(d, "fields"), extras)
        choices = self._choice_lists(d, fields)
        layout = {
            **identity,
            **choices,
            **self._options(d),
            **self._printing(d, fields),
            "fields": fields,
            "labels": labels,
            "field_numbers": self.field_numbers,
            "extra_fields": extras,
            "viewpoints": self.viewpoints(
                d.get("viewpoints", YamlList()), self.line(d, "viewpoints")
            ),
            "sections": self.sections(
                d.get("sections", YamlList()), self.line(d, "sections"), fields, extras
            ),
            **self.checks(d.get("checks", YamlMap()), self.line(d, "checks"), fields),
            **self.costs(d.get("costs", YamlMap()), self.line(d, "costs")),
            **self.grids(d.get("grids", YamlMap()), self.line(d, "grids")),
        }
        if self.problems:
            raise DefinitionError(self.problems)
        return SheetLayout(**layout)

    def _identity(self, d) -> dict:
        if "format" in d and d["format"] != FORMAT:
            self.problem("format", self.line(d, "format"), f"format は {FORMAT} です。")
        key = str(d.get("key", ""))
        if "key" in d and not KEY_RE.match(key):
            self.problem(
                "key",
                self.line(d, "key"),
                "半角英小文字で始まる英小文字・数字・_ の3〜30文字にしてください。",
            )
        templates = self.mapping(
            d.get("templates", YamlMap()),
            "templates",
            self.line(d, "templates"),
            {"page", "entry", "pdf"},
        )
        templates = templates or {}
        return {
            "key": key,
            "version": self.integer(
                d.get("version", 1), "version", self.line(d, "version"), 1, 9999
            ),
            "name": self.text(d.get("name"), "name", self.line(d, "name")),
            "title": self.text(d.get("title"), "title", self.line(d, "title")),
            "page_template": templates.get("page", "evalsheets/layouts/generated.html"),
            "entry_template": templates.get("entry", "evalsheets/entry/generated.html"),
            "pdf_template": templates.get("pdf", "pdf/generated.html"),
        }

    def _choice_lists(self, d, fields) -> dict:
        """directions and implementation_choices: values the model knows, the city's words."""
        directions = implementation = ()
        if "directions" in d:
            directions = self.choices(
                d["directions"],
                "directions",
                self.line(d, "directions"),
                values=set(Direction.values),
            )
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
        return {
            "directions": directions,
            "implementation_choices": tuple((c.value, c.label) for c in implementation),
        }

    def _options(self, d) -> dict:
        """years and plan."""
        years = self.mapping(
            d.get("years", YamlMap()), "years", self.line(d, "years"), {"short_labels"}
        )
        plan = self.mapping(d.get("plan", YamlMap()), "plan", self.line(d, "plan"), {"description"})
        return {
            "short_year_labels": bool((years or {}).get("short_labels", False)),
            "plan_description": bool((plan or {}).get("description", False)),
        }

    def _printing(self, d, fields) -> dict:
        """print: the title area and its fields, the label column, the text size, page
        breaks."""
        printing = self.mapping(
            d.get("print", YamlMap()),
            "print",
            self.line(d, "print"),
            {"font_size", "page_breaks", "title", "header_fields", "label_width"},
        )
        if not printing:  # none, empty, or not a mapping (said already)
            return {"title_style": "default"}
        title = str(printing.get("title", "default"))
        if title not in TITLE_STYLES:
            self.problem(
                "print.title",
                self.line(printing, "title"),
                f"print.title は {'、'.join(sorted(TITLE_STYLES))} のどれかです。",
            )
        return {
            "title_style": title,
            "label_width": self.integer(
                printing.get("label_width", 40),
                "print.label_width",
                self.line(printing, "label_width"),
                20,
                80,
            ),
            "font_size": self._font_size(printing),
            "header_fields": self.names_in(
                printing.get("header_fields", YamlList()),
                "print.header_fields",
                self.line(printing, "header_fields"),
                set(fields),
                "「{name}」は fields にない項目です。",
            ),
            "page_breaks": tuple(printing.get("page_breaks", ())),
        }

    def _font_size(self, printing) -> str:
        """print.font_size: the sheet's text size in pt, 6 to 11 (the paper's small print)."""
        if "font_size" not in printing:
            return ""
        size = printing["font_size"]
        if isinstance(size, bool) or not isinstance(size, int | float) or not 6 <= size <= 11:
            self.problem(
                "print.font_size",
                self.line(printing, "font_size"),
                "6から11までの数（ポイント）で書いてください。",
            )
            return ""
        return f"{size:g}"

    # ------------------------------------------------------------ fields of its own
    def extra_fields(self, value, line) -> tuple[ExtraField, ...]:
        items = self.sequence(value, "extra_fields", line, allow_empty=True)
        result, seen = [], set()
        for i, item in enumerate(items):
            path = f"extra_fields[{i}]"
            item = self.mapping(
                item, path, self.line(items, i), EXTRA_KEYS, {"name", "label", "type"}
            )
            if item is not None:
                result.append(self._extra_field(item, path, seen))
        return tuple(result)

    def _extra_field(self, item, path: str, seen: set) -> ExtraField:
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
        return ExtraField(
            name=name,
            label=self.text(item.get("label"), f"{path}.label", self.line(item, "label")),
            kind=kind or "text",
            choices=self._extra_choices(item, path, kind),
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
            year_offsets=self._extra_years(item, path, kind),
            carry=self.flag(item.get("carry", True), f"{path}.carry", self.line(item, "carry")),
        )

    def _extra_choices(self, item, path: str, kind) -> tuple:
        if kind == "choice":
            if "choices" not in item:
                self.problem(f"{path}.choices", item.line, "type: choice には choices が要ります。")
                return ()
            choices = self.choices(item["choices"], f"{path}.choices", self.line(item, "choices"))
            return tuple((c.value, c.label) for c in choices)
        if "choices" in item:
            self.problem(
                f"{path}.choices",
                self.line(item, "choices"),
                "choices は type: choice だけで使えます。",
            )
        return ()

    def _extra_years(self, item, path: str, kind) -> tuple:
        if kind != "year_numbers":
            return ()
        offsets = self.sequence(item.get("years"), f"{path}.years", self.line(item, "years"))
        return tuple(
            self.integer(o, f"{path}.years[{j}]", self.line(offsets, j), -10, 10)
            for j, o in enumerate(offsets)
        )

    def fields(self, value, line, extras):
        items = self.sequence(value, "fields", line)
        names, labels, numbers, seen = [], {}, {}, set()
        extra_names = {e.name for e in extras}
        for i, item in enumerate(items):
            path, item_line = f"fields[{i}]", self.line(items, i)
            if isinstance(item, str):
                item = single("name", item, item_line)
            item = self.mapping(item, path, item_line, {"name", "label", "number"}, {"name"})
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
            if "number" in item:
                numbers[name] = self.text(
                    item["number"], f"{path}.number", self.line(item, "number"), limit=6
                )
        self.field_numbers = numbers
        return tuple(names), labels

    def checks(self, value, line, fields) -> dict:
        """What must be filled in before submitting: ``required`` fields (of ``fields``),
        ``viewpoints_answered``, ``outcome_targets``."""
        checks = self.mapping(
            value, "checks", line, {"required", "viewpoints_answered", "outcome_targets"}
        )
        if checks is None:
            return {}
        names = self.names_in(
            checks.get("required", YamlList()),
            "checks.required",
            self.line(checks, "required"),
            set(fields),
            "「{name}」は fields にない項目です（入力欄のない項目は必須にできません）。",
        )

        def flag(key):
            return self.flag(checks.get(key, False), f"checks.{key}", self.line(checks, key))

        return {
            "required_fields": names,
            "check_viewpoints": flag("viewpoints_answered"),
            "check_outcome_targets": flag("outcome_targets"),
        }

    # ------------------------------------------------------------ viewpoints, sections
    def viewpoints(self, value, line) -> tuple[Viewpoint, ...]:
        items = self.sequence(value, "viewpoints", line, allow_empty=True)
        result, seen = [], set()
        for i, item in enumerate(items):
            path = f"viewpoints[{i}]"
            required = {"code", "group", "question", "choices"}
            item = self.mapping(item, path, self.line(items, i), VIEWPOINT_KEYS, required)
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
            result.append(self._viewpoint(item, path, code))
        return tuple(result)

    def _viewpoint(self, item, path: str, code: str) -> Viewpoint:
        choices = self.choices(
            item.get("choices", YamlList()), f"{path}.choices", self.line(item, "choices")
        )

        def text(key, default=None, **options):
            return self.text(
                item.get(key, default), f"{path}.{key}", self.line(item, key), **options
            )

        return Viewpoint(
            code=code,
            group=text("group"),
            label=text("label", "", required=False),
            question=text("question", limit=200),
            choices=tuple((c.value, c.label) for c in choices),
            field_number=str(item.get("field_number", "")),
            reason_label=text("reason_label", "判断理由"),
            group_number=str(item.get("group_number", "")),
        )

    def sections(self, value, line, fields, extras):
        items = self.sequence(value, "sections", line, allow_empty=True)
        result = []
        known = set(fields) | {e.name for e in extras}
        for i, item in enumerate(items):
            path = f"sections[{i}]"
            item = self.mapping(
                item, path, self.line(items, i), SECTION_KEYS, {"heading", "blocks"}
            )
            if item is None:
                continue
            heading = self.text(
                item.get("heading"),
                f"{path}.heading",
                self.line(item, "heading"),
                limit=MAX_HEADING,
            )
            block_items = self.sequence(
                item.get("blocks"), f"{path}.blocks", self.line(item, "blocks")
            )
            blocks = [
                self._block(block, f"{path}.blocks[{j}]", self.line(block_items, j), known)
                for j, block in enumerate(block_items)
            ]
            result.append(
                {
                    "heading": heading,
                    "blocks": tuple(b for b in blocks if b),
                    **self._heading_look(item, path),
                }
            )
        return tuple(result)

    def _block(self, block, path: str, line, known: set) -> dict | None:
        if isinstance(block, str):
            block = single("type", block, line)
        block = self.mapping(
            block, path, line, {"type", "fields", "label", "style", "columns"}, {"type"}
        )
        if block is None:
            return None
        kind = block.get("type")
        if kind not in BLOCKS:
            self.problem(
                f"{path}.type",
                self.line(block, "type") or line,
                f"ブロックは {'、'.join(sorted(BLOCKS))} のどれかです。",
            )
        names = tuple(block.get("fields", ()))
        for k, name in enumerate(names):
            if name not in known:
                self.problem(
                    f"{path}.fields[{k}]",
                    self.line(block.get("fields"), k),
                    f"「{name}」は fields にも extra_fields にもない項目です。",
                )
        style = str(block.get("style", ""))
        if style and style not in BLOCK_STYLES.get(kind, ()):
            known_styles = "、".join(sorted(BLOCK_STYLES.get(kind, ()))) or "（なし）"
            self.problem(
                f"{path}.style",
                self.line(block, "style"),
                f"ブロック {kind} の印刷スタイルは {known_styles} のどれかです。",
            )
        return {
            "type": kind,
            "fields": names,
            "label": str(block.get("label", "")),
            "style": style,
            "columns": self._indicator_columns(block, path, kind),
        }

    def _indicator_columns(self, block, path: str, kind) -> tuple[tuple[str, str], ...]:
        """An indicator table's columns under each year, in order: target (目標), actual
        (実績), achievement (達成率), unit_cost (the year's トータルコスト ÷ 実績, in 円); each a
        name or {kind, label} in the city's words."""
        if "columns" not in block:
            return ()
        line = self.line(block, "columns")
        if kind not in ("outcome_indicators", "activity_indicators"):
            self.problem(
                f"{path}.columns",
                line,
                "columns は outcome_indicators と activity_indicators のブロックだけで使えます。",
            )
            return ()
        result = []
        items = self.sequence(block["columns"], f"{path}.columns", line)
        for i, item in enumerate(items):
            item_path, item_line = f"{path}.columns[{i}]", self.line(items, i)
            if isinstance(item, str):
                item = single("kind", item, item_line)
            item = self.mapping(item, item_path, item_line, {"kind", "label"}, {"kind"})
            if item is None:
                continue
            name = str(item.get("kind", ""))
            if name not in INDICATOR_COLUMNS:
                self.problem(
                    f"{item_path}.kind",
                    self.line(item, "kind") or item_line,
                    f"列は {'、'.join(INDICATOR_COLUMNS)} のどれかです。",
                )
                continue
            label = item.get("label", INDICATOR_COLUMNS[name])
            result.append((name, self.text(label, f"{item_path}.label", item_line, limit=10)))
        return tuple(result)

    def _heading_look(self, item, path: str) -> dict:
        """How the PDF prints the section's heading: ≪…≫ (brackets), as written (plain),
        centred between ■ (banner) or not at all; its field number; a page break before."""
        style = str(item.get("heading_style", "brackets"))
        if style not in HEADING_STYLES:
            self.problem(
                f"{path}.heading_style",
                self.line(item, "heading_style"),
                f"heading_style は {'、'.join(sorted(HEADING_STYLES))} のどれかです。",
            )
        number = item.get("number", "")
        if number != "":
            number = self.text(str(number), f"{path}.number", self.line(item, "number"), limit=6)
        page_break = self.flag(
            item.get("page_break", False), f"{path}.page_break", self.line(item, "page_break")
        )
        return {"heading_style": style, "number": number, "page_break": page_break}
