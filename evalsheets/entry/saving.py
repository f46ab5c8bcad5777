"""Saving a draft sheet from the entry form: one service, no lost updates.

``save_sheet`` runs in one transaction: it locks the sheet row
(``select_for_update``), checks that the user may still edit it and that nobody
saved since the form was opened (``expected_version``), writes the sheet and
its children, bumps the version and writes one audit entry with what changed
as ``{field: [old, new]}``. It writes only the values it is given — the entry
form gives it the inputs that validated (see :mod:`evalsheets.entry.bundle`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from core.formfields import NOT_APPLICABLE
from evalsheets.models import (
    ActivityIndicator,
    ActivityValue,
    AssessmentAnswer,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    ScheduleEntry,
    ScheduleItem,
    StaffEffort,
    SubProject,
)
from evalsheets.pdf.tasks import schedule_pdf
from evalsheets.workflow import audit


class VersionConflict(ServiceError):
    """Somebody saved the sheet after the form was opened: nothing was written."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            _("このシートは他の人が更新しました（第%(version)s版）。")
            % {"version": current_version}
        )


@dataclass
class SaveResult:
    version: int
    changes: dict = field(default_factory=dict)
    created: dict = field(default_factory=dict)  # {(formset prefix, form index): pk}
    deleted: set = field(default_factory=set)  # {(formset prefix, form index)}


def _json(value):
    if value is NOT_APPLICABLE:
        return "***"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _same(old, new) -> bool:
    """Equal as stored: Decimal("100.00") is 100; "***" is only "***"; None is only None."""
    numbers = (int, Decimal)
    if isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool):
        return Decimal(old) == Decimal(new)
    return old == new


class _Writer:
    def __init__(self, sheet, result):
        self.sheet = sheet
        self.result = result
        self.diff = result.changes

    def set(self, obj, name, new, key) -> bool:
        old = getattr(obj, name)
        if _same(old, new):
            return False
        self.diff[key] = [_json(old), _json(new)]
        setattr(obj, name, new)
        return True

    # -------------------------------------------------------------- sheet fields
    def sheet_fields(self, values: dict) -> list[str]:
        return [name for name, new in values.items() if self.set(self.sheet, name, new, name)]

    def extra(self, values: dict) -> list[str]:
        """The 様式's own fields (EvaluationSheet.extra), recorded as ``extra.<name>``."""
        stored = dict(self.sheet.extra or {})
        changed = False
        for name, new in values.items():
            old = stored.get(name)
            if old == new or (old in (None, "", {}) and new in (None, "", {})):
                continue
            self.diff[f"extra.{name}"] = [old, new]
            stored[name] = new
            changed = True
        if not changed:
            return []
        self.sheet.extra = stored
        return ["extra"]

    # -------------------------------------------------------------- costs, 人工
    def costs(self, costs: dict):
        rows = {(r.kind, r.fiscal_year): r for r in self.sheet.cost_rows.all()}
        for (kind, year), values in costs.items():
            prefix = f"costs.{kind}.{year or ''}".rstrip(".")
            row = rows.get((kind, year))
            if row is None:
                row = CostRow(sheet=self.sheet, kind=kind, fiscal_year=year)
                for name, new in values.items():
                    self.diff[f"{prefix}.{name}"] = [None, new]
                    setattr(row, name, new)
                row.save()
                continue
            changed = [n for n, new in values.items() if self.set(row, n, new, f"{prefix}.{n}")]
            if changed and row.copy_state:
                row.copy_state = ""  # entered: no longer last year's or a blank copy
                changed.append("copy_state")
            if changed:
                row.save(update_fields=changed)

    def efforts(self, efforts: dict):
        rows = {e.fiscal_year: e for e in self.sheet.efforts.all()}
        for year, values in efforts.items():
            values = dict(values)
            for name in ("staff_fte", "part_time_fte"):
                if name in values and values[name] is None:
                    values[name] = Decimal("0")
            effort = rows.get(year)
            if effort is None:
                if not any(v for v in values.values()):
                    continue
                effort = StaffEffort(sheet=self.sheet, fiscal_year=year)
                for name, new in values.items():
                    self.diff[f"efforts.{year}.{name}"] = [None, _json(new)]
                    setattr(effort, name, new)
                effort.save()
                continue
            changed = [
                n for n, new in values.items() if self.set(effort, n, new, f"efforts.{year}.{n}")
            ]
            if changed:
                effort.save(update_fields=changed)

    # -------------------------------------------------------------- rows
    def rows(self, rows, model, existing, prefix, create):
        """Delete, update and create the rows of one formset; returns {form number: obj}."""
        by_number = {}
        for row in rows:
            obj = existing.get(row.pk) if row.pk else None
            if row.delete:
                if obj is not None:
                    self.diff[f"{prefix}.{obj.pk}"] = [str(obj), None]
                    obj.delete()
                    self.result.deleted.add((prefix, row.index))
                continue
            if obj is None:
                obj = create(row)
                if obj is None:
                    continue
                self.diff[f"{prefix}.{obj.pk}"] = [None, str(obj)]
                self.result.created[(prefix, row.index)] = obj.pk
            else:
                changed = [
                    n
                    for n, new in row.values.items()
                    if self.set(obj, n, new, f"{prefix}.{obj.pk}.{n}")
                ]
                if row.order is not None and obj.sort_order != row.order:
                    obj.sort_order = row.order
                    changed.append("sort_order")
                if changed:
                    obj.save(update_fields=changed)
            by_number[row.index + 1] = obj
        return by_number

    def year_values(self, indicator, value_model, years: dict, prefix: str):
        stored = {v.fiscal_year: v for v in indicator.values.all()}
        for year, cell in years.items():
            value = stored.get(year) or value_model(indicator=indicator, fiscal_year=year)
            changed = False
            for part, new in cell.items():
                old = "***" if getattr(value, f"{part}_na") else getattr(value, part)
                shown = "***" if new is NOT_APPLICABLE else new
                if _same(old, shown):
                    continue
                self.diff[f"{prefix}.{year}.{part}"] = [_json(old), _json(shown)]
                setattr(value, f"{part}_na", new is NOT_APPLICABLE)
                setattr(value, part, None if new is NOT_APPLICABLE else new)
                changed = True
            if not changed:
                continue
            empty = (
                value.target is None
                and value.actual is None
                and not value.target_na
                and not value.actual_na
            )
            if empty:
                if value.pk:
                    value.delete()
            else:
                value.save()

    def schedule_entries(self, item, years: dict, prefix: str):
        stored = {e.fiscal_year: e for e in item.entries.all()}
        for year, cell in years.items():
            entry = stored.get(year) or ScheduleEntry(item=item, fiscal_year=year)
            changed = False
            for part, new in cell.items():
                changed |= self.set(entry, part, new, f"{prefix}.{year}.{part}")
            if not changed:
                continue
            if not entry.plan and not entry.result:
                if entry.pk:
                    entry.delete()
            else:
                entry.save()

    def assessments(self, answers: dict):
        stored = {a.viewpoint: a for a in self.sheet.assessments.all()}
        for code, values in answers.items():
            answer = stored.get(code) or AssessmentAnswer(sheet=self.sheet, viewpoint=code)
            changed = [
                n
                for n, new in values.items()
                if self.set(answer, n, new, f"assessments.{code}.{n}")
            ]
            if changed:
                answer.save()


def _new_order(row) -> int:
    """A new row's sort_order: its place in the form (its number when the formset was refused)."""
    return row.index if row.order is None else row.order


def save_sheet(sheet, user, changes, expected_version: int) -> SaveResult:
    """Write the valid parts of an entry form to a draft sheet; raise VersionConflict if stale."""
    with transaction.atomic():
        locked = _lock(sheet, user, expected_version)
        result = SaveResult(version=locked.version)
        writer = _Writer(locked, result)
        update_fields = writer.sheet_fields(changes.fields)
        update_fields += writer.extra(changes.extra)
        writer.costs(changes.costs)
        writer.efforts(changes.efforts)
        _write_rows(writer, locked, changes)
        writer.assessments(changes.assessments)
        if result.changes:
            _record(locked, user, result, update_fields)
        result.version = locked.version
        return result


def _lock(sheet, user, expected_version: int) -> EvaluationSheet:
    """The sheet's row, locked, if the user may still edit it and nobody saved since."""
    locked = (
        EvaluationSheet.objects.editable_by(user)
        .select_for_update(of=("self",))
        .filter(pk=sheet.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    if locked.version != expected_version:
        raise VersionConflict(locked.version)
    return locked


def _sheet_rows(writer, locked, rows, model, existing, prefix):
    """Rows owned by the sheet: a new one is created once it has a name."""
    return writer.rows(
        rows,
        model,
        {obj.pk: obj for obj in existing},
        prefix,
        lambda row: (
            model.objects.create(sheet=locked, sort_order=_new_order(row), **row.values)
            if "name" in row.values
            else None
        ),
    )


def _kept(rows, objects):
    """(row, object) for every row that was not deleted."""
    for row in rows:
        obj = objects.get(row.index + 1)
        if obj is not None and not row.delete:
            yield row, obj


def _create_activity(row):
    if "sub_project_id" not in row.values or "name" not in row.values:
        return None
    return ActivityIndicator.objects.create(sort_order=_new_order(row), **row.values)


def _write_rows(writer, locked, changes):
    """The formsets: 細事業, their 活動指標 (a new one names its 細事業 by its number in
    the form), 成果指標 and schedule items, each with its per-year values."""
    subs = _sheet_rows(
        writer, locked, changes.sub_projects, SubProject, locked.sub_projects.all(), "sub"
    )
    activity_rows = changes.activities
    for row in activity_rows:
        number = row.values.pop("sub", None)
        if number in subs:
            row.values["sub_project_id"] = subs[number].pk
    existing = {a.pk: a for a in ActivityIndicator.objects.filter(sub_project__sheet=locked)}
    activities = writer.rows(activity_rows, ActivityIndicator, existing, "act", _create_activity)
    for row, obj in _kept(activity_rows, activities):
        writer.year_values(obj, ActivityValue, row.years, f"act.{obj.pk}")

    outcomes = _sheet_rows(
        writer, locked, changes.outcomes, OutcomeIndicator, locked.outcome_indicators.all(), "out"
    )
    for row, obj in _kept(changes.outcomes, outcomes):
        writer.year_values(obj, OutcomeValue, row.years, f"out.{obj.pk}")

    items = _sheet_rows(
        writer, locked, changes.schedule, ScheduleItem, locked.schedule_items.all(), "sched"
    )
    for row, obj in _kept(changes.schedule, items):
        writer.schedule_entries(obj, row.years, f"sched.{obj.pk}")


def _record(locked, user, result, update_fields):
    """Something changed: a new version, one audit entry with the changes, a new PDF."""
    locked.version += 1
    locked.save(update_fields=[*update_fields, "version", "updated_at"])
    audit.record(
        user,
        audit.ACTION_EDIT,
        locked,
        comment=f"第{locked.version}版",
        changes=result.changes,
    )
    schedule_pdf(locked)  # render the new content once committed, in the background
