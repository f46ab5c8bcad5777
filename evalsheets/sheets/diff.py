"""What changed since last year: a sheet against the same project's previous sheet.

Field by field: narrative text (with the changed characters marked), the
direction and the other choices, the assessment answers, 人工 and costs by year,
and the indicators' 目標・実績 by year. Pure functions over two loaded sheets (use
``EvaluationSheet.objects.with_children()`` to load them); nothing here queries the database
beyond what is prefetched.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from core.choices import Actor, Allocation, CostKind, Direction, ImplementationMethod
from evalsheets.models import NARRATIVE_FIELDS, EvaluationSheet
from evalsheets.templatetags.sheets import num

CHOICE_FIELDS = {
    "direction": dict(Direction.choices),
    "funding_allocation": dict(Allocation.choices),
    "staffing_allocation": dict(Allocation.choices),
}
LIST_FIELDS = {
    "implementation_methods": dict(ImplementationMethod.choices),
    "actors": dict(Actor.choices),
}
PLAIN_FIELDS = (
    "author_name",
    "implementation_other",
    "contractor",
    "actors_other",
    "user_charge_revised",
    "subsidy_note",
    "other_specific_note",
    "unit_target_definition",
    "unit_target_unit",
)
# Beyond this many characters a character-level comparison is too slow; compare lines.
CHAR_DIFF_LIMIT = 20_000
KIND_LABELS = dict(CostKind.choices)


@dataclass
class TextDiff:
    name: str
    label: str
    old: str
    new: str
    segments: list = field(default_factory=list)  # [(op, text)], op in equal/ins/del
    # Side by side: last year's text with what went marked (equal/del), this year's with
    # what came marked (equal/ins), by sentence, and by character inside a reworded one.
    old_segments: list = field(default_factory=list)
    new_segments: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class ValueDiff:
    label: str
    old: object
    new: object

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class AssessmentDiff:
    label: str
    choice: ValueDiff
    reason: TextDiff

    @property
    def changed(self) -> bool:
        return self.choice.changed or self.reason.changed


@dataclass
class CostDiff:
    fiscal_year: int | None
    kind: str
    kind_label: str
    values: list  # [ValueDiff] 事業費, 職員人工, 会計年度任用職員人工, 人件費, 合計

    @property
    def changed(self) -> bool:
        return any(v.changed for v in self.values)


@dataclass
class IndicatorDiff:
    label: str
    unit: str
    years: list  # [(year, ValueDiff target, ValueDiff actual)]
    only_in: str = ""  # "old" or "new" when the indicator is on one sheet only

    @property
    def changed(self) -> bool:
        return bool(self.only_in) or any(t.changed or a.changed for _y, t, a in self.years)


@dataclass
class SheetDiff:
    sheet: EvaluationSheet
    previous: EvaluationSheet
    texts: list
    choices: list
    assessments: list
    costs: list
    outcomes: list
    activities: list

    @property
    def changed_count(self) -> int:
        groups = (self.texts, self.choices, self.assessments, self.costs)
        groups += (self.outcomes, self.activities)
        return sum(1 for group in groups for item in group if item.changed)


def text_segments(old: str, new: str) -> list[tuple[str, str]]:
    """The new text with deletions and insertions marked, character by character."""
    old, new = old or "", new or ""
    if old == new:
        return [("equal", new)] if new else []
    if len(old) + len(new) > CHAR_DIFF_LIMIT:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    else:
        a, b = old, new
    segments = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(b[j1:j2])))
            continue
        if op in ("delete", "replace"):
            segments.append(("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("ins", "".join(b[j1:j2])))
    return segments


# A sentence ends with 「。」 (or ．！？) or a line break; each keeps its ending.
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])")
# Two sentences at least this similar are one reworded sentence: its changed characters are
# marked; less similar ones are marked whole (a rewritten sentence is not a jumble of
# struck-out fragments).
REWORDED_RATIO = 0.6
# A reworded sentence longer than this is marked whole (character matching is quadratic).
SENTENCE_CHAR_LIMIT = 2_000


def sentences(text: str) -> list[str]:
    """「一文目。二文目。\n三行目」 → 「一文目。」「二文目。」「\n」「三行目」 (joined again,
    the text itself)."""
    return [part for part in _SENTENCE_END.split(text or "") if part]


def _merge(segments: list) -> list:
    merged = []
    for op, text in segments:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def _reworded(old: str, new: str) -> bool:
    if len(old) > SENTENCE_CHAR_LIMIT or len(new) > SENTENCE_CHAR_LIMIT:
        return False
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return (
        matcher.real_quick_ratio() >= REWORDED_RATIO
        and matcher.quick_ratio() >= REWORDED_RATIO
        and matcher.ratio() >= REWORDED_RATIO
    )


def _mark_reworded(before: str, after: str, left: list, right: list):
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, c1, c2, d1, d2 in matcher.get_opcodes():
        if op == "equal":
            left.append(("equal", before[c1:c2]))
            right.append(("equal", after[d1:d2]))
        else:
            left.append(("del", before[c1:c2]))
            right.append(("ins", after[d1:d2]))


def side_by_side(old: str, new: str) -> tuple[list, list]:
    """(last year's segments, this year's segments): sentences matched in order; a sentence
    only on one side is marked whole (del / ins); a reworded sentence (similar on both sides)
    has its changed characters marked on each side."""
    a, b = sentences(old), sentences(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(("equal", "".join(a[i1:i2])))
            right.append(("equal", "".join(b[j1:j2])))
            continue
        # Each of last year's sentences in the block goes with the next sentence of this
        # year's that is like it (a reworded sentence); the others went or came whole.
        news, next_new = b[j1:j2], 0
        for before in a[i1:i2]:
            match = next(
                (k for k in range(next_new, len(news)) if _reworded(before, news[k])), None
            )
            if match is None:
                left.append(("del", before))
                continue
            right.extend(("ins", sentence) for sentence in news[next_new:match])
            _mark_reworded(before, news[match], left, right)
            next_new = match + 1
        right.extend(("ins", sentence) for sentence in news[next_new:])
    return _merge(left), _merge(right)


def _label(name: str) -> str:
    return str(EvaluationSheet._meta.get_field(name).verbose_name)


def _text(name, label, old, new) -> TextDiff:
    old, new = (old or "").strip(), (new or "").strip()
    left, right = side_by_side(old, new)
    return TextDiff(name, label, old, new, text_segments(old, new), left, right)


def _text_diffs(sheet, previous):
    diffs = []
    for name in NARRATIVE_FIELDS:
        diff = _text(name, _label(name), getattr(previous, name), getattr(sheet, name))
        if diff.old or diff.new:
            diffs.append(diff)
    return diffs


def _choice_diffs(sheet, previous):
    """Each choice in the words of its own year's 様式 (a 様式 names its directions and
    実施方法 its own way: 大船渡's maintain is 「１　現状維持」)."""
    layout, before = sheet.layout, previous.layout
    diffs = []
    for name, labels in CHOICE_FIELDS.items():
        old, new = getattr(previous, name), getattr(sheet, name)
        if old or new:
            old_label = _choice_label(before, name, old, labels)
            new_label = _choice_label(layout, name, new, labels)
            diffs.append(ValueDiff(layout.label(name, _label(name)), old_label, new_label))
    for name, labels in LIST_FIELDS.items():
        old_labels = _list_labels(before, name, labels)
        new_labels = _list_labels(layout, name, labels)
        old = "、".join(str(old_labels.get(v, v)) for v in getattr(previous, name) or [])
        new = "、".join(str(new_labels.get(v, v)) for v in getattr(sheet, name) or [])
        if old or new:
            diffs.append(ValueDiff(layout.label(name, _label(name)), old, new))
    for name in PLAIN_FIELDS:
        old, new = getattr(previous, name), getattr(sheet, name)
        if old or new:
            diffs.append(ValueDiff(_label(name), old, new))
    return diffs + _extra_diffs(sheet, previous)


def _choice_label(layout, name: str, value, labels: dict) -> str:
    if name == "direction" and value:
        return layout.direction_label(value) or str(labels.get(value, value))
    return str(labels.get(value, value))


def _list_labels(layout, name: str, labels: dict) -> dict:
    if name == "implementation_methods" and layout.implementation_choices:
        return {**labels, **dict(layout.implementation_choices)}
    return labels


def _extra_diffs(sheet, previous):
    """The 様式's own fields (SheetLayout.extra_fields), shown as each year's layout prints
    them."""
    layout, before = sheet.layout, previous.layout
    diffs = []
    for extra in layout.extra_fields:
        old_field = before.extra_field(extra.name) or extra
        old = old_field.shown((previous.extra or {}).get(extra.name))
        new = extra.shown((sheet.extra or {}).get(extra.name))
        if old or new:
            diffs.append(ValueDiff(extra.full_label, old, new))
    return diffs


def _assessment_diffs(sheet, previous):
    old = {a.viewpoint: a for a in previous.assessments.all()}
    new = {a.viewpoint: a for a in sheet.assessments.all()}
    viewpoints = list(sheet.layout.viewpoints)
    known = {vp.code for vp in viewpoints}
    diffs = []
    for vp in viewpoints:
        a, b = old.get(vp.code), new.get(vp.code)
        if a is None and b is None:
            continue
        label = f"{vp.group} {vp.label}".strip()
        diffs.append(
            AssessmentDiff(
                label,
                ValueDiff(
                    label,
                    vp.choice_label(a.choice) if a else "",
                    vp.choice_label(b.choice) if b else "",
                ),
                _text(vp.code, label, a.reason if a else "", b.reason if b else ""),
            )
        )
    for code in sorted((set(old) | set(new)) - known):
        a, b = old.get(code), new.get(code)
        diffs.append(
            AssessmentDiff(
                code,
                ValueDiff(code, a.choice if a else "", b.choice if b else ""),
                _text(code, code, a.reason if a else "", b.reason if b else ""),
            )
        )
    return diffs


def _cost_values(column):
    if column is None:
        return (None, None, None, None, None)
    effort = column.effort
    return (
        column.project_cost,
        effort.staff_fte if effort else None,
        effort.part_time_fte if effort else None,
        column.personnel_cost if effort else None,
        column.total,
    )


COST_LABELS = ("事業費 小計", "職員人工数", "会計年度任用職員人工数", "人件費", "合計")


def _cost_diffs(sheet, previous):
    old = {(c.fiscal_year, c.kind): c for c in previous.cost_columns()}
    new = {(c.fiscal_year, c.kind): c for c in sheet.cost_columns()}
    order = {"settled": 0, "budget": 1, "plan": 2, "overall": 3}
    keys = sorted(set(old) | set(new), key=lambda k: (k[0] is None, k[0] or 0, order.get(k[1])))
    diffs = []
    for year, kind in keys:
        values = [
            ValueDiff(label, a, b)
            for label, a, b in zip(
                COST_LABELS,
                _cost_values(old.get((year, kind))),
                _cost_values(new.get((year, kind))),
                strict=True,
            )
        ]
        diffs.append(CostDiff(year, kind, KIND_LABELS.get(kind, kind), values))
    return diffs


def _value_pair(value, name) -> str:
    """A year's 目標 or 実績 as printed: "***" when not applicable, "" when missing."""
    if value is None:
        return ""
    if getattr(value, f"{name}_na"):
        return "***"
    return num(getattr(value, name))


def _indicator_diffs(old_indicators: dict, new_indicators: dict):
    """Indicators matched by name; values by year (target and actual)."""
    diffs = []
    for key in list(new_indicators) + [k for k in old_indicators if k not in new_indicators]:
        a, b = old_indicators.get(key), new_indicators.get(key)
        old_values = a.values_by_year() if a else {}
        new_values = b.values_by_year() if b else {}
        years = []
        for year in sorted(set(old_values) | set(new_values)):
            ov, nv = old_values.get(year), new_values.get(year)
            years.append(
                (
                    year,
                    ValueDiff("目標", _value_pair(ov, "target"), _value_pair(nv, "target")),
                    ValueDiff("実績", _value_pair(ov, "actual"), _value_pair(nv, "actual")),
                )
            )
        only_in = "" if (a and b) else ("old" if a else "new")
        label = " / ".join(part for part in key if part)
        diffs.append(IndicatorDiff(label, (b or a).unit, years, only_in))
    return diffs


def _activity_indicators(sheet):
    return {
        (sub.name, ind.name): ind
        for sub in sheet.sub_projects.all()
        for ind in sub.indicators.all()
    }


def _outcome_indicators(sheet):
    return {("", ind.name): ind for ind in sheet.outcome_indicators.all()}


def compare(sheet: EvaluationSheet, previous: EvaluationSheet) -> SheetDiff:
    return SheetDiff(
        sheet=sheet,
        previous=previous,
        texts=_text_diffs(sheet, previous),
        choices=_choice_diffs(sheet, previous),
        assessments=_assessment_diffs(sheet, previous),
        costs=_cost_diffs(sheet, previous),
        outcomes=_indicator_diffs(_outcome_indicators(previous), _outcome_indicators(sheet)),
        activities=_indicator_diffs(_activity_indicators(previous), _activity_indicators(sheet)),
    )
