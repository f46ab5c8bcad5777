"""The entry forms of a sheet: one plain form per part of the paper form.

Which fields and which yearly columns a sheet shows depends on its 様式, the
``SheetLayout`` of evalsheets.layouts: every form here takes the layout and asks it.
The forms only parse and validate; :mod:`evalsheets.entry.bundle` puts them
together and :mod:`evalsheets.entry.saving` writes the result.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.choices import Actor, Allocation, CostKind
from core.formfields import (
    NOT_APPLICABLE,
    JapaneseDecimalField,
    JapaneseIntegerField,
    JapaneseTextField,
)
from evalsheets.entry import extra
from evalsheets.layouts import SheetLayout
from evalsheets.models import (
    COUNT_MAX,
    FIGURE_MAX,
    FTE_MAX,
    MONEY_MAX,
    TEXT_MAX_LENGTH,
    YEAR_MAX,
    YEAR_MIN,
    EvaluationSheet,
)

NARRATIVE_MAX = TEXT_MAX_LENGTH  # characters of a narrative field (背景, 判断理由 …)
# The number bounds (MONEY_MAX, COUNT_MAX, FIGURE_MAX, YEAR_MIN/MAX) are the models', the
# same numbers as the database's CheckConstraints.
MAX_ROWS = 30  # 細事業 / 指標 / 事業行程 rows a sheet may have

INVALID_CHOICE = _("選択肢から選んでください。")


# ---------------------------------------------------------------- cost columns
def cost_key(kind: str, year: int | None) -> str:
    return "overall" if kind == CostKind.OVERALL else f"{kind}-{year}"


# ---------------------------------------------------------------- sheet fields
def _sheet_field(name: str, layout: SheetLayout):
    model_field = EvaluationSheet._meta.get_field(name)
    label = layout.label(name, str(model_field.verbose_name))
    if name in ("implementation_methods", "actors"):
        choices = (
            list(layout.implementation_choices)
            if name == "implementation_methods"
            else Actor.choices
        )
        return forms.MultipleChoiceField(
            label=label,
            choices=choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": INVALID_CHOICE},
        )
    if name == "direction":
        choices = [(d.value, d.label) for d in layout.directions]
        return forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": INVALID_CHOICE},
        )
    if name in ("funding_allocation", "staffing_allocation"):
        return forms.ChoiceField(
            label=label,
            choices=Allocation.choices,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": INVALID_CHOICE},
        )
    if name == "user_charge_exists":
        return forms.ChoiceField(
            label=label,
            choices=[("yes", "有"), ("no", "無")],
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": INVALID_CHOICE},
        )
    if model_field.get_internal_type() == "TextField":
        return JapaneseTextField(label=label, max_length=NARRATIVE_MAX, multiline=True)
    return JapaneseTextField(label=label, max_length=model_field.max_length)


class SheetFieldsForm(forms.Form):
    """The sheet's own fields (texts, ■/□ choices, 方向性) for one 様式."""

    def __init__(self, *args, layout: SheetLayout, fiscal_year: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        self.fiscal_year = fiscal_year
        for name in layout.fields:
            extra_field = layout.extra_field(name)
            if extra_field is not None:
                self.fields.update(extra.form_fields(extra_field, fiscal_year))
            else:
                self.fields[name] = _sheet_field(name, layout)

    def extra_values(self, stored: dict) -> dict:
        """{name: value to store} of the extra fields that validated."""
        values = {}
        for extra_field in self.layout.extra_fields:
            if extra_field.name not in self.layout.fields:
                continue
            value = extra.stored_value(
                extra_field, self.cleaned_data, self.fiscal_year, stored.get(extra_field.name)
            )
            if value is not ...:
                values[extra_field.name] = value
        return values

    def is_extra(self, name: str) -> bool:
        return name.split("__")[0] in {e.name for e in self.layout.extra_fields}

    @staticmethod
    def initial_for(sheet: EvaluationSheet, layout: SheetLayout) -> dict:
        initial = {}
        for name in layout.fields:
            extra_field = layout.extra_field(name)
            if extra_field is not None:
                initial.update(extra.initial(extra_field, sheet.extra or {}, sheet.fiscal_year))
                continue
            value = getattr(sheet, name)
            if name == "user_charge_exists":
                value = {True: "yes", False: "no"}.get(value, "")
            initial[name] = value
        return initial

    @staticmethod
    def to_model(name: str, value):
        """A cleaned value as the model stores it."""
        if name == "user_charge_exists":
            return {"yes": True, "no": False}.get(value)
        if name in ("implementation_methods", "actors"):
            return list(value)
        return value


# ---------------------------------------------------------------- costs and 人工
def money_field(label):
    return JapaneseIntegerField(label=label, required=False, min_value=0, max_value=MONEY_MAX)


class CostColumnForm(forms.Form):
    """One column (year and kind) of the 財源 grid, in 千円."""

    def __init__(self, *args, layout: SheetLayout, column_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        self.column_label = column_label
        for name, label in layout.cost_rows:
            self.fields[name] = money_field(f"{column_label} {label}")
        label_inputs(self)

    @staticmethod
    def initial_for(row, layout: SheetLayout) -> dict:
        if row is None:
            return {}
        if layout.net_cost_entry:
            return {
                "total": row.subtotal,
                "subsidies": row.national_subsidy + row.prefectural_subsidy,
                "municipal_bonds": row.municipal_bonds,
                "other": row.other_specific + row.user_charges,
            }
        return {name: getattr(row, name) for name, _label in layout.cost_rows}

    def clean(self):
        data = super().clean()
        if self.layout.net_cost_entry:
            parts = ("total", "subsidies", "municipal_bonds", "other")
            if all(name in data for name in parts) and any(
                data[name] is not None for name in parts
            ):
                values = {name: data[name] or 0 for name in parts}
                general = (
                    values["total"]
                    - values["subsidies"]
                    - values["municipal_bonds"]
                    - values["other"]
                )
                if general < 0:
                    self.add_error(
                        "total",
                        _("事業費合計(a)は①②③の合計（%(sum)s千円）以上にしてください。")
                        % {"sum": f"{values['total'] - general:,}"},
                    )
        return data


FTE_ERRORS = {"max_value": _("人工は99.99以下で入力してください（0.00～99.99）。")}


class EffortForm(forms.Form):
    """人工 of one year (and, for 伊勢原, the 対象数 of 単位当たりコスト)."""

    def __init__(self, *args, layout: SheetLayout, year_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_fte"] = JapaneseDecimalField(
            label=f"{year_label} 職員人工数",
            required=False,
            min_value=Decimal("0"),
            max_value=FTE_MAX,
            decimal_places=2,
            max_digits=4,
            fixed_places=True,
            error_messages=FTE_ERRORS,
        )
        self.fields["part_time_fte"] = JapaneseDecimalField(
            label=f"{year_label} 会計年度任用職員人工数",
            required=False,
            min_value=Decimal("0"),
            max_value=FTE_MAX,
            decimal_places=2,
            max_digits=4,
            fixed_places=True,
            error_messages=FTE_ERRORS,
        )
        if layout.target_counts:
            self.fields["target_count"] = JapaneseIntegerField(
                label=f"{year_label} 対象数", required=False, min_value=0, max_value=COUNT_MAX
            )
        label_inputs(self)

    @staticmethod
    def initial_for(effort) -> dict:
        if effort is None:
            return {}
        return {
            "staff_fte": effort.staff_fte,
            "part_time_fte": effort.part_time_fte,
            "target_count": effort.target_count,
        }


# ---------------------------------------------------------------- rows (formsets)
class RowForm(forms.Form):
    """A row of a formset: ``id`` is the child's pk (blank for a new row)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, known_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.known_ids = set(known_ids)

    def clean_id(self):
        pk = self.cleaned_data.get("id")
        if pk is not None and pk not in self.known_ids:
            raise ValidationError(_("この行は既に削除されたか、このシートのものではありません。"))
        return pk


def figure_field(label, **kwargs):
    """目標・実績・現状値: negative figures allowed (増減数), ±FIGURE_MAX."""
    return JapaneseDecimalField(
        label=label, required=False, min_value=-FIGURE_MAX, max_value=FIGURE_MAX, **kwargs
    )


def year_value_fields(form: RowForm, years, fiscal_year: int, label: str):
    """目標/実績 per year; "***" is accepted and kept as 該当なし."""
    for year, year_label in years:
        form.fields[f"target_{year}"] = figure_field(f"{label} {year_label}目標", allow_na=True)
        if year < fiscal_year:
            form.fields[f"actual_{year}"] = figure_field(f"{label} {year_label}実績", allow_na=True)


def year_value_initial(indicator) -> dict:
    initial = {}
    for value in indicator.values.all():
        initial[f"target_{value.fiscal_year}"] = NOT_APPLICABLE if value.target_na else value.target
        initial[f"actual_{value.fiscal_year}"] = NOT_APPLICABLE if value.actual_na else value.actual
    return initial


class SubProjectForm(RowForm):
    name = JapaneseTextField(label=_("細事業名"), max_length=200, required=True)
    means = JapaneseTextField(
        label=_("手段（細事業の具体的内容）"), max_length=NARRATIVE_MAX, multiline=True, rows=2
    )
    is_new = forms.ChoiceField(
        label=_("新規／既存"),
        choices=[("", "既存"), ("new", "新規")],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )

    def __init__(self, *args, layout: SheetLayout, **kwargs):
        super().__init__(*args, **kwargs)
        # 玉名 prints 手段 per 細事業; 人吉 prints 新規／既存 per 主な取組内容.
        if layout.sub_projects == "is_new":
            del self.fields["means"]
            self.fields["name"].label = _("主な取組内容")
        else:
            del self.fields["is_new"]

    @staticmethod
    def initial_for(sub) -> dict:
        return {
            "id": sub.pk,
            "name": sub.name,
            "means": sub.means,
            "is_new": "new" if sub.is_new else "",
        }


class ActivityIndicatorForm(RowForm):
    """活動指標 row: belongs to the 細事業 with the given number (1, 2 … in the form)."""

    def __init__(self, *args, years=(), fiscal_year=0, sub_count=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub"] = forms.TypedChoiceField(
            label=_("細事業"),
            coerce=int,
            choices=[(str(i), f"細事業{i}") for i in range(1, max(sub_count, 1) + 1)],
            error_messages={"invalid_choice": _("細事業を選んでください。")},
        )
        self.fields["name"] = JapaneseTextField(label=_("活動指標"), max_length=200, required=True)
        self.fields["unit"] = JapaneseTextField(label=_("単位"), max_length=20)
        year_value_fields(self, years, fiscal_year, _("活動指標"))


class OutcomeIndicatorForm(RowForm):
    """成果指標 row (意図の数値化 / 目標 / 事務事業実績)."""

    def __init__(self, *args, years=(), fiscal_year=0, layout: SheetLayout, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"] = JapaneseTextField(label=_("指標名"), max_length=200, required=True)
        self.fields["unit"] = JapaneseTextField(label=_("単位"), max_length=20)
        if "method" in layout.outcome_fields:
            self.fields["method"] = JapaneseTextField(label=_("計算方法又は説明"), max_length=300)
        if "baseline" in layout.outcome_fields:
            self.fields["baseline"] = figure_field(_("現状値"))
            self.fields["baseline_year"] = JapaneseIntegerField(
                label=_("現状値の年度（西暦）"),
                required=False,
                min_value=YEAR_MIN,
                max_value=YEAR_MAX,
                grouping=False,
            )
        year_value_fields(self, years, fiscal_year, _("成果指標"))

    @staticmethod
    def initial_for(indicator) -> dict:
        initial = {
            "id": indicator.pk,
            "name": indicator.name,
            "unit": indicator.unit,
            "method": indicator.method,
            "baseline": indicator.baseline,
            "baseline_year": indicator.baseline_year,
        }
        initial.update(year_value_initial(indicator))
        return initial


class ScheduleItemForm(RowForm):
    """事業行程 / 実施結果 (伊勢原): an item with a plan and a result per year."""

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"] = JapaneseTextField(label=_("項目"), max_length=200, required=True)
        for year, year_label in years:
            self.fields[f"plan_{year}"] = JapaneseTextField(
                label=f"{year_label} 事業行程", max_length=200
            )
            self.fields[f"result_{year}"] = JapaneseTextField(
                label=f"{year_label} 実施結果", max_length=200
            )

    @staticmethod
    def initial_for(item) -> dict:
        initial = {"id": item.pk, "name": item.name}
        for entry in item.entries.all():
            initial[f"plan_{entry.fiscal_year}"] = entry.plan
            initial[f"result_{entry.fiscal_year}"] = entry.result
        return initial


def label_inputs(form):
    """Grid cells show no visible label: give each input its full label for screen readers."""
    for name, form_field in form.fields.items():
        if name not in ("id", "DELETE"):
            form_field.widget.attrs.setdefault("aria-label", str(form_field.label))
    return form


class BaseRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.management_form_ok = not self.is_bound or self.management_form.is_valid()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("削除")
        label_inputs(form)

    def get_deletion_widget(self):
        return forms.CheckboxInput(attrs={"class": "row-delete"})


def row_formset(form_class):
    return forms.formset_factory(
        form_class,
        formset=BaseRowFormSet,
        extra=0,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS + 10,
    )


SubProjectFormSet = row_formset(SubProjectForm)
ActivityIndicatorFormSet = row_formset(ActivityIndicatorForm)
OutcomeIndicatorFormSet = row_formset(OutcomeIndicatorForm)
ScheduleItemFormSet = row_formset(ScheduleItemForm)


# ---------------------------------------------------------------- viewpoints
class AssessmentForm(forms.Form):
    """評価視点: a ■/□ choice (radio buttons with the paper's wording) and 判断理由 each."""

    def __init__(self, *args, layout: SheetLayout, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewpoints = layout.viewpoints
        for vp in self.viewpoints:
            title = f"{vp.group} {vp.label}".strip()
            self.fields[f"choice_{vp.code}"] = forms.ChoiceField(
                label=f"{title} 評価",
                choices=list(vp.choices),
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": INVALID_CHOICE},
            )
            self.fields[f"reason_{vp.code}"] = JapaneseTextField(
                label=f"{title} {vp.reason_label}", max_length=NARRATIVE_MAX, multiline=True, rows=3
            )

    def rows(self):
        return [
            {
                "viewpoint": vp,
                "choice": self[f"choice_{vp.code}"],
                "reason": self[f"reason_{vp.code}"],
            }
            for vp in self.viewpoints
        ]

    @staticmethod
    def initial_for(sheet) -> dict:
        initial = {}
        for answer in sheet.assessments.all():
            initial[f"choice_{answer.viewpoint}"] = answer.choice
            initial[f"reason_{answer.viewpoint}"] = answer.reason
        return initial
