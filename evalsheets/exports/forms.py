"""The 企画課's bulk export form: which sheets (year, 部, 施策, state) and what to make."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import BookletScope, ExportKind, SheetState
from core.wareki import fiscal_year_label
from evalsheets.exports.selection import select_sheets
from municipalities.forms import PlanNodeChoiceField
from municipalities.models import Department, PlanNode


class ExportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("実施年度"), coerce=int)
    department = forms.ModelChoiceField(
        label=_("部"), queryset=Department.objects.none(), required=False, empty_label=_("すべて")
    )
    plan_node = PlanNodeChoiceField(
        label=_("施策"),
        queryset=PlanNode.objects.none(),
        required=False,
        empty_label=_("すべて"),
        help_text=_("選んだ施策とその下位の施策の事務事業"),
    )
    state = forms.ChoiceField(
        label=_("状態"), choices=[("", _("すべて")), *SheetState.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("出力形式"),
        choices=ExportKind.choices,
        initial=ExportKind.ZIP,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=_("冊子の単位"),
        choices=BookletScope.choices,
        initial=BookletScope.YEAR,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("冊子PDFのときだけ使います。"),
    )

    def __init__(self, *args, municipality, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["year"].choices = [(y, fiscal_year_label(y)) for y in years]
        if years:
            self.fields["year"].initial = years[0]
        self.fields["department"].queryset = Department.objects.filter(municipality=municipality)
        self.fields["plan_node"].queryset = PlanNode.objects.filter(
            plan__municipality=municipality
        ).order_by("plan", "path")

    def parameters(self) -> dict:
        data = self.cleaned_data
        return {
            "year": data["year"],
            "department": data["department"].pk if data.get("department") else None,
            "plan_node": data["plan_node"].pk if data.get("plan_node") else None,
            "state": data.get("state") or "",
            "scope": (data.get("scope") or BookletScope.YEAR)
            if data["kind"] == ExportKind.BOOKLET
            else "",
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not select_sheets(self.municipality, self.parameters()).exists():
            raise forms.ValidationError(
                _("条件に合う評価シートはありません。条件を変えてください。")
            )
        return cleaned
