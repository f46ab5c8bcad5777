"""The checks of a definition's ``costs`` (rows, year columns, headings, labels) and
``grids`` (indicator years, sub-projects, outcome columns, schedule)."""

from core.choices import CostKind
from evalsheets.layouts.checker import (
    COST_FIELDS,
    COST_LABEL_KEYS,
    NET_COST_FIELDS,
    OUTCOME_FIELDS,
    SUB_PROJECT_STYLES,
    Checker,
)
from evalsheets.layouts.yaml_reading import YamlList, YamlMap

COST_KEYS = {"rows", "columns", "headings", "net_entry", "personnel", "target_counts", "labels"}
GRID_KEYS = {
    "indicator_years",
    "sub_projects",
    "activity_indicators",
    "activity_years_follow_indicators",
    "outcome_fields",
    "schedule",
}


class CostChecks(Checker):
    def costs(self, value, line) -> dict:
        c = self.mapping(value, "costs", line, COST_KEYS) or YamlMap()
        net = self.flag(c.get("net_entry", False), "costs.net_entry", self.line(c, "net_entry"))
        return {
            "cost_rows": self._cost_rows(c, net),
            "cost_columns": self._cost_columns(c),
            "column_headings": self._cost_headings(c),
            "net_cost_entry": net,
            "personnel": self.flag(
                c.get("personnel", True), "costs.personnel", self.line(c, "personnel")
            ),
            "target_counts": self.flag(
                c.get("target_counts", False), "costs.target_counts", self.line(c, "target_counts")
            ),
            "cost_labels": self._cost_labels(c),
        }

    def _cost_rows(self, c, net: bool) -> tuple:
        rows = []
        items = self.sequence(
            c.get("rows", YamlList()), "costs.rows", self.line(c, "rows"), allow_empty=True
        )
        allowed = NET_COST_FIELDS if net else COST_FIELDS
        for i, item in enumerate(items):
            path = f"costs.rows[{i}]"
            item = self.mapping(
                item, path, self.line(items, i), {"field", "label"}, {"field", "label"}
            )
            if item is None:
                continue
            if item.get("field") not in allowed:
                self.problem(
                    f"{path}.field",
                    self.line(item, "field"),
                    f"費目は {'、'.join(sorted(allowed))} のどれかです。",
                )
            label = self.text(item.get("label"), f"{path}.label", self.line(item, "label"))
            rows.append((str(item.get("field")), label))
        if net and {r[0] for r in rows} != NET_COST_FIELDS:
            self.problem(
                "costs.rows",
                self.line(c, "rows"),
                "net_entry: true のときは total、subsidies、municipal_bonds、other の4行です。",
            )
        return tuple(rows)

    def _cost_columns(self, c) -> tuple:
        columns = []
        items = self.sequence(
            c.get("columns", YamlList()), "costs.columns", self.line(c, "columns"), allow_empty=True
        )
        for i, item in enumerate(items):
            path = f"costs.columns[{i}]"
            item = self.mapping(item, path, self.line(items, i), {"kind", "year"}, {"kind"})
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
                continue
            year = self.integer(item.get("year"), f"{path}.year", self.line(item, "year"), -10, 10)
            columns.append((kind, year))
        return tuple(columns)

    def _cost_headings(self, c) -> dict:
        headings = {}
        keys = {"*", *CostKind.values}
        h = self.mapping(
            c.get("headings", YamlMap()), "costs.headings", self.line(c, "headings"), keys
        )
        for kind, fmt in (h or {}).items():
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
        return headings

    def _cost_labels(self, c) -> dict:
        labels = c.get("labels", YamlMap())
        found = self.mapping(labels, "costs.labels", self.line(c, "labels"), COST_LABEL_KEYS)
        return {
            k: self.text(v, f"costs.labels.{k}", self.line(found, k))
            for k, v in (found or {}).items()
        }

    def grids(self, value, line) -> dict:
        g = self.mapping(value, "grids", line, GRID_KEYS) or YamlMap()
        offsets = self.sequence(
            g.get("indicator_years", YamlList()),
            "grids.indicator_years",
            self.line(g, "indicator_years"),
            allow_empty=True,
        )
        style = g.get("sub_projects", "means")
        if style not in SUB_PROJECT_STYLES:
            self.problem(
                "grids.sub_projects",
                self.line(g, "sub_projects"),
                f"sub_projects は {'、'.join(sorted(SUB_PROJECT_STYLES))} のどれかです。",
            )
        return {
            "indicator_years": tuple(
                self.integer(o, f"grids.indicator_years[{i}]", self.line(offsets, i), -10, 10)
                for i, o in enumerate(offsets)
            ),
            "sub_projects": "" if style == "none" else str(style),
            "outcome_fields": self._outcome_fields(g),
            **{
                name: self.flag(g.get(name, False), f"grids.{name}", self.line(g, name))
                for name in ("activity_indicators", "activity_years_follow_indicators", "schedule")
            },
        }

    def _outcome_fields(self, g) -> tuple:
        return self.names_in(
            g.get("outcome_fields", YamlList()),
            "grids.outcome_fields",
            self.line(g, "outcome_fields"),
            OUTCOME_FIELDS,
            f"成果指標の列は {'、'.join(sorted(OUTCOME_FIELDS))} のどれかです。",
        )
