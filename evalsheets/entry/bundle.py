"""All the entry forms of one sheet, put together: build, validate, collect the valid parts.

``SheetEntry(sheet)`` is the form as opened (initial values from the database);
``SheetEntry(sheet, data=request.POST)`` is the form as typed. ``changes()``
returns only what parsed and validated — the invalid inputs stay in ``data``
and are shown again with their errors, so nothing the user typed is lost and
nothing invalid reaches the database (see :mod:`evalsheets.entry.saving`).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import calculations
from core.choices import CostKind
from core.formfields import NOT_APPLICABLE, format_number
from evalsheets.entry.forms import (
    ActivityIndicatorFormSet,
    AssessmentForm,
    CostColumnForm,
    EffortForm,
    OutcomeIndicatorFormSet,
    ScheduleItemFormSet,
    SheetFieldsForm,
    SubProjectForm,
    SubProjectFormSet,
    cost_key,
    year_value_initial,
)

KIND_ORDER = {CostKind.SETTLED: 0, CostKind.BUDGET: 1, CostKind.PLAN: 2, CostKind.OVERALL: 3}


@dataclass
class RowChange:
    """What to do with one row of a formset: only its valid values are in ``values``.

    ``order`` is the ``sort_order`` to store, or None when the formset has an error
    anywhere: the order of rows is the formset's as a whole, so a refused formset
    leaves every row where it was.
    """

    index: int
    pk: int | None
    delete: bool
    values: dict = field(default_factory=dict)
    years: dict = field(default_factory=dict)  # {year: {"target": …, "actual": …}}
    order: int | None = None


@dataclass
class EntryChanges:
    fields: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # {extra field: value} (SheetLayout.extra_fields)
    costs: dict = field(default_factory=dict)  # {(kind, year): {model field: int}}
    efforts: dict = field(default_factory=dict)  # {year: {field: value}}
    sub_projects: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    schedule: list = field(default_factory=list)
    assessments: dict = field(default_factory=dict)  # {code: {"choice": …, "reason": …}}


@dataclass
class Column:
    kind: str
    year: int | None
    key: str
    label: str
    form: CostColumnForm
    row: object = None
    effort: object = None
    effort_form: EffortForm | None = None
    staff_salary: int | None = None
    part_time_salary: int | None = None
    project_cost: int = 0
    personnel_cost: int | None = None
    total: int = 0
    general_revenue: int | None = None
    unit_cost: int | None = None


class SheetEntry:
    def __init__(self, sheet, data=None):
        self.sheet = sheet
        self.layout = sheet.layout
        self.data = data
        self.is_bound = data is not None
        self.version = sheet.version
        self.fields = SheetFieldsForm(
            data,
            prefix="sheet",
            layout=self.layout,
            fiscal_year=sheet.fiscal_year,
            initial=SheetFieldsForm.initial_for(sheet, self.layout),
        )
        self.salaries = sheet.salary_table()
        self._build_columns(sheet, data)
        self._build_indicator_grids(sheet, data)
        self._build_schedule(sheet, data)
        self.assessment = AssessmentForm(
            data, prefix="vp", layout=self.layout, initial=AssessmentForm.initial_for(sheet)
        )
        self._validated = None

    # ------------------------------------------------------------ building
    def _grid_years(self, years, stored) -> list[tuple[int, str]]:
        """The layout's years plus any year the sheet already has, with their labels."""
        years = set(years) | set(stored)
        return [(y, self.layout.year_label(y)) for y in sorted(years)]

    def _build_columns(self, sheet, data):
        layout = self.layout
        rows = {(r.kind, r.fiscal_year): r for r in sheet.cost_rows.all()}
        keys = layout.new_cost_columns(sheet.fiscal_year)
        keys += [k for k in rows if k not in keys]
        keys.sort(key=lambda k: (k[1] is None, k[1] or 0, KIND_ORDER.get(k[0], 9)))
        efforts = {e.fiscal_year: e for e in sheet.efforts.all()}
        self.columns = []
        seen_years = set()
        for kind, year in keys:
            label = layout.column_label(kind, year)
            row = rows.get((kind, year))
            column = Column(
                kind=kind,
                year=year,
                key=cost_key(kind, year),
                label=label,
                row=row,
                form=CostColumnForm(
                    data,
                    prefix=f"cost-{cost_key(kind, year)}",
                    layout=layout,
                    column_label=label,
                    initial=CostColumnForm.initial_for(row, layout),
                ),
            )
            if layout.personnel and year is not None and year not in seen_years:
                seen_years.add(year)
                column.effort = efforts.get(year)
                column.effort_form = EffortForm(
                    data,
                    prefix=f"effort-{year}",
                    layout=layout,
                    year_label=label,
                    initial=EffortForm.initial_for(column.effort),
                )
                column.staff_salary = self.salaries.get((year, calculations.STAFF))
                column.part_time_salary = self.salaries.get((year, calculations.PART_TIME))
            self._compute(column)
            self.columns.append(column)

    def _build_indicator_grids(self, sheet, data):
        """細事業, 活動指標 and 成果指標, each grid with the layout's years."""
        layout, fy = self.layout, sheet.fiscal_year
        new_years = layout.new_indicator_years(fy)
        subs = list(sheet.sub_projects.all())
        outcome_list = list(sheet.outcome_indicators.all())
        activity_list = [(i, ind) for i, sub in enumerate(subs, 1) for ind in sub.indicators.all()]
        self.outcome_years = self._grid_years(
            new_years, (v.fiscal_year for ind in outcome_list for v in ind.values.all())
        )
        self.activity_years = self._grid_years(
            new_years if layout.activity_years_follow_indicators else (),
            (v.fiscal_year for _i, ind in activity_list for v in ind.values.all()),
        )
        self.sub_projects = None
        if layout.sub_projects:
            self.sub_projects = SubProjectFormSet(
                data,
                prefix="sub",
                initial=[SubProjectForm.initial_for(s) for s in subs],
                form_kwargs={"known_ids": [s.pk for s in subs], "layout": layout},
            )
        sub_count = len(subs)
        if self.is_bound and self.sub_projects is not None and self.sub_projects.management_form_ok:
            sub_count = self.sub_projects.total_form_count()
        self.activities = None
        if layout.activity_indicators:
            self.activities = ActivityIndicatorFormSet(
                data,
                prefix="act",
                initial=[
                    {
                        "id": ind.pk,
                        "sub": str(i),
                        "name": ind.name,
                        "unit": ind.unit,
                        **year_value_initial(ind),
                    }
                    for i, ind in activity_list
                ],
                form_kwargs={
                    "known_ids": [ind.pk for _i, ind in activity_list],
                    "years": self.activity_years,
                    "fiscal_year": fy,
                    "sub_count": sub_count,
                },
            )
        self.outcomes = OutcomeIndicatorFormSet(
            data,
            prefix="out",
            initial=[OutcomeIndicatorFormSet.form.initial_for(ind) for ind in outcome_list],
            form_kwargs={
                "known_ids": [ind.pk for ind in outcome_list],
                "years": self.outcome_years,
                "fiscal_year": fy,
                "layout": layout,
            },
        )

    def _build_schedule(self, sheet, data):
        """事業行程 / 実施結果 per year, where the layout has it."""
        self.schedule = None
        if not self.layout.schedule:
            return
        items = list(sheet.schedule_items.all())
        self.schedule_years = self._grid_years(
            self.layout.new_indicator_years(sheet.fiscal_year),
            (e.fiscal_year for item in items for e in item.entries.all()),
        )
        self.schedule = ScheduleItemFormSet(
            data,
            prefix="sched",
            initial=[ScheduleItemFormSet.form.initial_for(item) for item in items],
            form_kwargs={"known_ids": [i.pk for i in items], "years": self.schedule_years},
        )

    def _compute(self, column):
        """The server's figures, from the stored rows (calculations.py is authoritative)."""
        row = column.row
        column.project_cost = calculations.project_cost(row) if row else 0
        column.general_revenue = row.general_revenue if row else None
        if column.effort_form is not None:
            effort = column.effort
            column.personnel_cost = calculations.personnel_cost(
                effort.staff_fte if effort else 0,
                effort.part_time_fte if effort else 0,
                column.staff_salary,
                column.part_time_salary,
            )
            column.total = calculations.total_cost(column.project_cost, column.personnel_cost)
            column.unit_cost = calculations.unit_cost_yen(
                column.total, effort.target_count if effort else None
            )
        else:
            column.total = column.project_cost

    def formsets(self):
        for name in ("sub_projects", "activities", "outcomes", "schedule"):
            formset = getattr(self, name)
            if formset is not None:
                yield name, formset

    def plain_forms(self):
        yield "fields", self.fields
        for column in self.columns:
            yield "costs", column.form
            if column.effort_form is not None:
                yield "efforts", column.effort_form
        yield "assessment", self.assessment

    # ------------------------------------------------------------ validation
    def is_valid(self) -> bool:
        if self._validated is not None:
            return self._validated
        valid = True
        for _name, form in self.plain_forms():
            valid &= form.is_valid()
        for _name, formset in self.formsets():
            valid &= formset.is_valid()
        valid &= self._check_sub_references()
        self._validated = bool(valid)
        return self._validated

    def _form_deleted(self, form) -> bool:
        return bool(form.cleaned_data.get("DELETE")) if hasattr(form, "cleaned_data") else False

    def _check_sub_references(self) -> bool:
        """活動指標 must point at a 細事業 that exists after this save."""
        self.blocked_sub_deletes = set()
        if self.activities is None or not self.activities.management_form_ok:
            return True
        if self.sub_projects is None or not self.sub_projects.management_form_ok:
            return True
        alive, deleted = set(), set()
        for i, form in enumerate(self.sub_projects.forms, 1):
            if "id" in form.errors:
                continue
            pk = form.cleaned_data.get("id")
            if self._form_deleted(form):
                if pk:
                    deleted.add(i)
                continue
            if pk or ("name" in form.cleaned_data and form.has_changed()):
                alive.add(i)
        ok = True
        for form in self.activities.forms:
            if self._form_deleted(form) or (not form.has_changed() and not form.initial):
                continue
            sub = form.cleaned_data.get("sub")
            if sub is None:
                continue
            if sub in deleted:
                self.blocked_sub_deletes.add(sub)
                form.add_error(
                    "sub",
                    _(
                        "削除する細事業を指しています。別の細事業を選ぶか、この活動指標も削除してください。"
                    ),
                )
                ok = False
            elif sub not in alive:
                form.add_error("sub", _("この細事業は未入力です。細事業名を入力してください。"))
                ok = False
        for i in self.blocked_sub_deletes:
            self.sub_projects.forms[i - 1].add_error(
                None, _("この細事業の活動指標が残っているため削除していません。")
            )
        return ok

    # ------------------------------------------------------------ the valid parts
    def changes(self) -> EntryChanges:
        """Everything that validated, as the model stores it; invalid inputs are left out."""
        self.is_valid()
        changes = EntryChanges()
        cleaned = self.fields.cleaned_data
        for name in self.fields.fields:
            if name in cleaned and not self.fields.is_extra(name):
                changes.fields[name] = SheetFieldsForm.to_model(name, cleaned[name])
        changes.extra = self.fields.extra_values(self.sheet.extra or {})
        for column in self.columns:
            values = self._cost_values(column.form)
            if values:
                changes.costs[(column.kind, column.year)] = values
            if column.effort_form is not None:
                data = column.effort_form.cleaned_data
                values = {k: v for k, v in data.items() if k in column.effort_form.fields}
                if values:
                    changes.efforts[column.year] = values
        changes.sub_projects = self._rows(self.sub_projects, ("name", "means", "is_new"))
        for row in changes.sub_projects:
            if row.index + 1 in getattr(self, "blocked_sub_deletes", ()):
                row.delete = False
            if "is_new" in row.values:
                row.values["is_new"] = row.values["is_new"] == "new"
        if self.activities is not None:
            changes.activities = self._rows(self.activities, ("sub", "name", "unit"), years=True)
            # 活動指標 are ordered within their 細事業.
            positions = {}
            for row in changes.activities:
                if row.order is not None and not row.delete:
                    sub = row.values.get("sub")
                    row.order = positions.get(sub, 0)
                    positions[sub] = row.order + 1
        changes.outcomes = self._rows(
            self.outcomes, ("name", "unit", "method", "baseline", "baseline_year"), years=True
        )
        if self.schedule is not None:
            changes.schedule = self._rows(self.schedule, ("name",), schedule=True)
        data = self.assessment.cleaned_data
        for vp in self.assessment.viewpoints:
            answer = {}
            if f"choice_{vp.code}" in data:
                answer["choice"] = data[f"choice_{vp.code}"]
            if f"reason_{vp.code}" in data:
                answer["reason"] = data[f"reason_{vp.code}"]
            if answer:
                changes.assessments[vp.code] = answer
        return changes

    def _cost_values(self, form) -> dict:
        data = form.cleaned_data
        names = [n for n in form.fields if n in data]
        if self.layout.net_cost_entry:
            # (a) and ①②③ go together: 一般財源 is derived from all four.
            if len(names) < len(form.fields) or form.errors:
                return {}
            if all(data[n] is None for n in names) and not form.initial:
                return {}
            v = {n: data[n] or 0 for n in names}
            initial = form.initial or {}
            values = {"municipal_bonds": v["municipal_bonds"]}
            if initial.get("subsidies") == v["subsidies"] and form.initial:
                pass  # keep the stored split between 国庫 and 県
            else:
                values.update(national_subsidy=v["subsidies"], prefectural_subsidy=0)
            if initial.get("other") == v["other"] and form.initial:
                pass  # keep the stored split between その他 and 受益者負担
            else:
                values.update(other_specific=v["other"], user_charges=0)
            values["general_revenue"] = calculations.general_revenue_from_total(
                v["total"], v["subsidies"], v["municipal_bonds"], v["other"]
            )
            return values
        if not form.initial and all(data[n] is None for n in names):
            return {}  # an empty column the sheet never had: no row
        return {n: data[n] or 0 for n in names}

    def _rows(self, formset, names, *, years=False, schedule=False) -> list[RowChange]:
        if formset is None or not formset.management_form_ok:
            return []  # a tampered or missing formset changes nothing
        # Rows keep their order unless the whole formset is valid (is_valid() also sees
        # the errors _check_sub_references added).
        reorder = formset.is_valid()
        rows = []
        for index, form in enumerate(formset.forms):
            data = getattr(form, "cleaned_data", {})
            if "id" in form.errors:
                continue  # a forged or stale row id: never touch another row
            pk = data.get("id")
            if pk is None and not form.has_changed():
                continue  # an added row left empty
            delete = bool(data.get("DELETE"))
            if pk is None and delete:
                continue
            row = RowChange(index=index, pk=pk, delete=delete, order=index if reorder else None)
            row.values = {n: data[n] for n in names if n in form.fields and n in data}
            if years:
                for year, _label in formset.form_kwargs["years"]:
                    cell = {}
                    for part in ("target", "actual"):
                        key = f"{part}_{year}"
                        if key in form.fields and key in data:
                            cell[part] = data[key]
                    if cell:
                        row.years[year] = cell
            if schedule:
                for year, _label in formset.form_kwargs["years"]:
                    cell = {}
                    for part in ("plan", "result"):
                        key = f"{part}_{year}"
                        if key in data:
                            cell[part] = data[key]
                    if cell:
                        row.years[year] = cell
            rows.append(row)
        return rows

    # ------------------------------------------------------------ conflict page
    def field_rows(self):
        """(section, label, name, shown value, comparable value) of every input, in form order."""
        sections = [
            (_("記述・選択項目"), [self.fields]),
            (_("事業費"), [c.form for c in self.columns]),
            (_("人工"), [c.effort_form for c in self.columns if c.effort_form is not None]),
        ]
        for name, formset in self.formsets():
            title = {
                "sub_projects": _("細事業"),
                "activities": _("活動指標"),
                "outcomes": _("成果指標"),
                "schedule": _("事業行程・実施結果"),
            }[name]
            sections.append((title, list(formset.forms) if formset.management_form_ok else []))
        sections.append((_("評価"), [self.assessment]))
        for title, forms in sections:
            for index, form in enumerate(forms):
                for bf in form:
                    if bf.name == "id":
                        continue
                    label = str(bf.label)
                    if bf.name == "DELETE":
                        label = _("削除")
                    if form.prefix and form.prefix.split("-")[0] in ("sub", "act", "out", "sched"):
                        label = f"{index + 1}行目 {label}"
                    shown, comparable = _shown(bf, self.is_bound)
                    yield title, label, bf.html_name, shown, comparable


def _shown(bf, bound: bool):
    """What a person reads for an input, and a value to compare two versions with."""
    field_ = bf.field
    raw = bf.data if bound else bf.initial
    if hasattr(field_, "choices"):
        labels = {str(k): str(v) for k, v in field_.choices}
        values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
        shown = "、".join(labels.get(str(v), str(v)) for v in values)
        return shown, tuple(sorted(str(v) for v in values))
    if bf.name == "DELETE":
        on = bool(raw) and raw not in ("", "false", "False", "0")
        return ("削除" if on else ""), on
    if raw is None:
        raw = ""
    if not bound:
        # As the input would show it (人工 with two places: 1.00).
        raw = field_.prepare_value(raw) if not isinstance(raw, str) else raw
        raw = raw if isinstance(raw, str) else format_number(raw)
    text = str(raw).replace("\r\n", "\n")
    try:
        value = field_.clean(text)
        comparable = "***" if value is NOT_APPLICABLE else value
    except ValidationError:  # invalid input: compare the text itself
        comparable = text.strip()
    if comparable in (None, ""):
        comparable = ""
    return text, comparable
