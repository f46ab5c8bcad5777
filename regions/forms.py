"""The forms of the region pages: what the central city edits, what a member reports.

Numbers go through ``core.formfields`` (full-width digits and 「，」 accepted); every
refusal is a Japanese message next to its field. The version a form was read at travels
in a hidden ``version`` field and is checked by ``regions.services``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formfields import JapaneseDecimalField, JapaneseIntegerField, JapaneseTextField
from core.normalize import halfwidth
from municipalities.models import Municipality
from regions.choices import MemberRole
from regions.models import (
    FIGURE_MAX,
    MONEY_MAX,
    Initiative,
    InitiativeCost,
    Membership,
    PolicyArea,
    RegionKPI,
    Vision,
    VisionRevision,
)

YEAR_MIN, YEAR_MAX = 1989, 2200
COST_ROWS = 8


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={"invalid": _("日付を「2024-04-01」の形で入力してください。")},
    )


def _year_field(label, required=False):
    return JapaneseIntegerField(
        label=label, required=required, min_value=YEAR_MIN, max_value=YEAR_MAX, grouping=False
    )


def _money_field(label):
    return JapaneseIntegerField(label=label, required=False, min_value=0, max_value=MONEY_MAX)


def _figure_field(label):
    return JapaneseDecimalField(
        label=label, required=False, max_digits=16, min_value=-FIGURE_MAX, max_value=FIGURE_MAX
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


# ------------------------------------------------------------------------ members


class MemberAddForm(forms.Form):
    code = forms.CharField(
        label=_("全国地方公共団体コード（6桁）"),
        max_length=20,
        error_messages={"required": _("市町村のコードを入力してください。")},
    )
    role = forms.ChoiceField(label=_("役割"), choices=MemberRole.choices)
    agreement_date = _date_field(_("形成協定・連携協約の締結日"))

    def __init__(self, *args, region, **kwargs):
        self.region = region
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = halfwidth(self.cleaned_data["code"]).strip()
        town = Municipality.objects.filter(code=code).first()
        if town is None:
            raise forms.ValidationError(
                _("「%(code)s」は市町村として登録されていません。") % {"code": code}
            )
        if self.region.memberships.filter(municipality=town).exists():
            raise forms.ValidationError(
                _("%(name)sは既にこの圏域の構成市町村です。") % {"name": town.name}
            )
        self.municipality = town
        return code

    changed_data = property(lambda self: ["code", "role", "agreement_date"])

    def save(self):
        return Membership.objects.create(
            region=self.region,
            municipality=self.municipality,
            role=self.cleaned_data["role"],
            agreement_date=self.cleaned_data["agreement_date"],
            sort_order=self.region.memberships.count(),
        )


class MembershipForm(forms.ModelForm):
    """A member's role and agreement date, and its municipality's figures."""

    agreement_date = _date_field(_("形成協定・連携協約の締結日"))
    population = JapaneseIntegerField(
        label=_("人口（人）"), required=False, min_value=0, max_value=99_999_999
    )
    households = JapaneseIntegerField(
        label=_("世帯数（世帯）"), required=False, min_value=0, max_value=99_999_999
    )
    area = JapaneseDecimalField(label=_("面積（km²）"), required=False, max_digits=10, min_value=0)
    stats_date = _date_field(_("人口等の基準日"))
    sort_order = JapaneseIntegerField(
        label=_("表示順"), required=False, min_value=0, max_value=9999
    )

    TOWN_FIELDS = ("population", "households", "area", "stats_date")

    class Meta:
        model = Membership
        fields = ["role", "agreement_date", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        town = self.instance.municipality
        for name in self.TOWN_FIELDS:
            self.initial.setdefault(name, getattr(town, name))
        self.fields["sort_order"].initial = self.instance.sort_order

    def clean_sort_order(self):
        value = self.cleaned_data.get("sort_order")
        return self.instance.sort_order if value is None else value

    def save(self, commit=True):
        membership = super().save(commit)
        town = membership.municipality
        for name in self.TOWN_FIELDS:
            setattr(town, name, self.cleaned_data.get(name))
        town.save(update_fields=list(self.TOWN_FIELDS))
        return membership


# ------------------------------------------------------------------- vision, areas


class VisionForm(forms.ModelForm):
    name = JapaneseTextField(label=_("ビジョン名"), max_length=200, required=True)
    period_start = _date_field(_("計画期間（開始）"), required=True)
    period_end = _date_field(_("計画期間（終了）"), required=True)

    class Meta:
        model = Vision
        fields = ["name", "period_start", "period_end"]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("計画期間の終了日は開始日以降にしてください。"))
        return data


class RevisionForm(forms.ModelForm):
    date = _date_field(_("策定・改訂日"), required=True)
    note = JapaneseTextField(label=_("内容"), max_length=200)

    class Meta:
        model = VisionRevision
        fields = ["date", "note"]


class PolicyAreaForm(forms.ModelForm):
    code = JapaneseTextField(label=_("番号"), max_length=10, required=True)
    name = JapaneseTextField(label=_("政策分野"), max_length=200, required=True)

    class Meta:
        model = PolicyArea
        fields = ["code", "name"]


def fiscal_year_of(day) -> int:
    """年度 of a date: April–March."""
    return day.year if day.month >= 4 else day.year - 1


class MemberChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("構成市町村でない市町村（%(value)s）は参加市町村にできません。"),
        "invalid_pk_value": _("構成市町村でない市町村（%(pk)s）は参加市町村にできません。"),
    }


class InitiativeForm(forms.ModelForm):
    """An initiative: its texts, the ○ over the members and its 事業費 per year (rows of
    年度 and amount; a year must lie in the vision's period)."""

    code = JapaneseTextField(label=_("記号"), max_length=20, required=True)
    name = JapaneseTextField(label=_("取組名"), max_length=200, required=True)
    participants = MemberChoiceField(
        label=_("参加市町村"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Initiative
        fields = [
            "policy_area",
            "code",
            "name",
            "content",
            "central_role",
            "neighbour_role",
            "cost_sharing",
            "schedule",
            "subsidies",
            "expected_effect",
            "participants",
        ]

    def __init__(self, *args, region, vision, **kwargs):
        super().__init__(*args, **kwargs)
        self.vision = vision
        self.fields["policy_area"].queryset = PolicyArea.objects.filter(vision=vision)
        self.fields["policy_area"].label = _("政策分野")
        self.fields["policy_area"].error_messages["required"] = _("政策分野を選んでください。")
        members = Municipality.objects.filter(memberships__region=region).order_by(
            "memberships__sort_order", "code"
        )
        self.fields["participants"].queryset = members
        for name in self.Meta.fields[3:-1]:
            self.fields[name] = JapaneseTextField(
                label=Initiative._meta.get_field(name).verbose_name,
                max_length=5000,
                multiline=True,
                rows=3,
            )
        costs = list(self.instance.costs.all()) if self.instance.pk else []
        self.first_year = fiscal_year_of(vision.period_start)
        self.last_year = fiscal_year_of(vision.period_end)
        planned = {c.fiscal_year: c.amount for c in costs}
        years = sorted(set(planned) | set(range(self.first_year, self.last_year + 1)))
        years += [None] * max(0, COST_ROWS - len(years))
        self.cost_rows = []
        for i, year in enumerate(years):
            year_field = f"cost_year_{i}"
            amount_field = f"cost_amount_{i}"
            self.fields[year_field] = _year_field(_("年度"))
            self.fields[amount_field] = _money_field(_("事業費（千円）"))
            self.initial.setdefault(year_field, year)
            self.initial.setdefault(amount_field, planned.get(year))
            self.cost_rows.append((year_field, amount_field))

    @property
    def cost_field_names(self) -> set:
        return {name for pair in self.cost_rows for name in pair}

    @property
    def cost_pairs(self):
        return [(self[year], self[amount]) for year, amount in self.cost_rows]

    def clean(self):
        data = super().clean()
        seen = {}
        for year_field, amount_field in self.cost_rows:
            year, amount = data.get(year_field), data.get(amount_field)
            if amount is None or year is None:
                if amount is not None:
                    self.add_error(year_field, _("事業費の年度を入力してください。"))
                continue
            if not self.first_year <= year <= self.last_year:
                self.add_error(
                    year_field,
                    _("%(year)s年度はビジョンの計画期間（%(first)s～%(last)s年度）の外です。")
                    % {"year": year, "first": self.first_year, "last": self.last_year},
                )
            elif year in seen:
                self.add_error(
                    year_field, _("%(year)s年度の事業費が2回入力されています。") % {"year": year}
                )
            seen[year] = amount
        self.costs = seen
        return data

    def save(self, commit=True):
        initiative = super().save(commit)
        initiative.costs.all().delete()
        InitiativeCost.objects.bulk_create(
            InitiativeCost(initiative=initiative, fiscal_year=y, amount=a)
            for y, a in sorted(self.costs.items())
        )
        return initiative


class KPIForm(forms.ModelForm):
    name = JapaneseTextField(label=_("KPI"), max_length=200, required=True)
    unit = JapaneseTextField(label=_("単位"), max_length=20)
    baseline = _figure_field(_("基準値"))
    baseline_year = _year_field(_("基準年"))
    target = _figure_field(_("目標値"))
    target_year = _year_field(_("目標年"))
    baseline_text = JapaneseTextField(label=_("基準値（表記）"), max_length=100)
    target_text = JapaneseTextField(label=_("目標値（表記）"), max_length=100)
    source = JapaneseTextField(label=_("出典"), max_length=200)

    class Meta:
        model = RegionKPI
        fields = [
            "name",
            "policy_area",
            "unit",
            "baseline",
            "baseline_year",
            "target",
            "target_year",
            "baseline_text",
            "target_text",
            "source",
            "reporter",
        ]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_area"].queryset = PolicyArea.objects.filter(vision__region=region)
        self.fields["policy_area"].required = False
        self.fields["reporter"].queryset = Municipality.objects.filter(
            memberships__region=region
        ).order_by("memberships__sort_order", "code")
        self.fields["reporter"].empty_label = _("中心市・連携中枢都市が入力")
        self.fields["reporter"].error_messages["invalid_choice"] = _(
            "構成市町村から選んでください。"
        )

    def clean(self):
        data = super().clean()
        base, target = data.get("baseline_year"), data.get("target_year")
        if base and target and target < base:
            self.add_error(
                "target_year",
                _("目標年（%(target)s）は基準年（%(base)s）以降にしてください。")
                % {"target": target, "base": base},
            )
        return data


# ------------------------------------------------------------------------- rounds


class RoundOpenForm(forms.Form):
    fiscal_year = _year_field(_("対象年度（西暦）"), required=True)


class ReportForm(forms.Form):
    """One member's report on one initiative."""

    text = JapaneseTextField(label=_("実施内容"), max_length=5000, multiline=True, rows=3)
    actual_cost = _money_field(_("事業費実績（千円）"))
    share = _money_field(_("うち負担額（千円）"))

    def clean(self):
        data = super().clean()
        cost, share = data.get("actual_cost"), data.get("share")
        if cost is not None and share is not None and share > cost:
            self.add_error("share", _("負担額は事業費実績以下にしてください。"))
        return data


class MeetingForm(forms.Form):
    meeting_date = _date_field(_("懇談会・連絡会議の開催日"))
    meeting_comment = JapaneseTextField(
        label=_("懇談会・連絡会議の意見"), max_length=10000, multiline=True, rows=6
    )


class KPIActualsForm(forms.Form):
    """One field per KPI the user may enter for the round's year."""

    def __init__(self, *args, kpis, year, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpis = {}
        for kpi in kpis:
            name = f"kpi_{kpi.pk}"
            self.fields[name] = _figure_field(kpi.name)
            self.fields[name].help_text = kpi.unit
            self.initial[name] = current.get(kpi.pk)
            self.kpis[name] = kpi
        self.year = year

    def values(self) -> dict:
        return {kpi: self.cleaned_data.get(name) for name, kpi in self.kpis.items()}
