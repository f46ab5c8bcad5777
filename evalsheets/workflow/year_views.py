"""新年度の開始: the 企画課 sets the year's average salaries and opens the year."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import StaffKind
from core.normalize import parse_integer
from core.wareki import fiscal_year_label, parse_fiscal_year
from evalsheets.layouts import get_layout
from evalsheets.models import AverageSalary, EvaluationSheet
from evalsheets.models.querysets import planning_profile_or_403
from evalsheets.workflow.years import (
    MAX_SALARY,
    FiscalYearError,
    open_fiscal_year,
    projects_to_open,
)

TOO_LONG = _("%(limit_value)s文字以内で入力してください（現在%(show_value)s文字）。")


class OpenYearForm(forms.Form):
    fiscal_year = forms.CharField(
        label=_("開始する年度"),
        help_text=_("例：令和6年度、R06、2024"),
        max_length=20,
        error_messages={"required": _("年度を入力してください。"), "max_length": TOO_LONG},
    )
    staff_salary = forms.CharField(
        label=_("職員の年間平均給与額（千円）"),
        max_length=40,
        help_text=_("例：5,451"),
        error_messages={"required": _("金額を入力してください。"), "max_length": TOO_LONG},
    )
    part_time_salary = forms.CharField(
        label=_("会計年度任用職員の年間平均給与額（千円）"),
        max_length=40,
        help_text=_("例：1,291"),
        error_messages={"required": _("金額を入力してください。"), "max_length": TOO_LONG},
    )

    def __init__(self, *args, personnel: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not personnel:  # the 様式 has no 人件費 (人工 × 平均給与): nothing to ask
            del self.fields["staff_salary"]
            del self.fields["part_time_salary"]

    def clean_fiscal_year(self):
        return parse_fiscal_year(self.cleaned_data["fiscal_year"])

    def _amount(self, name):
        value = parse_integer(self.cleaned_data[name])
        if value is None:
            raise ValidationError(_("金額を入力してください。"), code="required")
        if value < 0:
            raise ValidationError(_("0以上の金額を入力してください。"), code="negative")
        if value > MAX_SALARY:  # the service's own limit, said next to the field
            raise ValidationError(
                _("平均給与は0以上%(max)s千円以下の整数で入力してください。")
                % {"max": f"{MAX_SALARY:,}"},
                code="max_value",
            )
        return value

    def clean_staff_salary(self):
        return self._amount("staff_salary")

    def clean_part_time_salary(self):
        return self._amount("part_time_salary")


@login_required
def open_year(request):
    profile = planning_profile_or_403(request.user)
    municipality = profile.municipality
    latest = EvaluationSheet.objects.latest_year_for(request.user)
    proposed = (latest + 1) if latest else None
    personnel = get_layout(municipality.sheet_layout, proposed).personnel
    if request.method == "POST":
        form = OpenYearForm(request.POST, personnel=personnel)
        if form.is_valid():
            year = form.cleaned_data["fiscal_year"]
            try:
                result = open_fiscal_year(
                    request.user,
                    municipality,
                    year,
                    staff_salary=form.cleaned_data.get("staff_salary"),
                    part_time_salary=form.cleaned_data.get("part_time_salary"),
                )
            except FiscalYearError as exc:
                form.add_error(exc.field, exc.message)
            else:
                _report(request, year, result)
                return redirect(f"{reverse('home')}?year={year}")
    else:
        form = OpenYearForm(initial=_initial(municipality, proposed), personnel=personnel)
    pending = projects_to_open(municipality, proposed).count() if proposed else None
    return render(
        request,
        "evalsheets/fiscal_year/open_year.html",
        {
            "form": form,
            "profile": profile,
            "latest": latest,
            "proposed": proposed,
            "pending": pending,
            "personnel": personnel,
            # 職員 before 会計年度任用職員 in each year, as the sheets print them.
            "salaries": AverageSalary.objects.filter(municipality=municipality).order_by(
                "-fiscal_year", "-staff_kind"
            )[:10],
        },
    )


def _report(request, year: int, result):
    """What opening the year did: sheets made (copied), only salaries, or nothing."""
    if result.created:
        messages.success(
            request,
            _(
                "%(year)sを開始しました。評価シート%(n)s件を作成しました"
                "（うち前年度から複写 %(copied)s件）。"
            )
            % {
                "year": fiscal_year_label(year),
                "n": f"{len(result.created):,}",
                "copied": f"{result.copied:,}",
            },
        )
    elif result.salary_changes:
        messages.success(
            request,
            _("%(year)sの平均給与を更新しました。新しく作成するシートはありません。")
            % {"year": fiscal_year_label(year)},
        )
    else:
        messages.info(
            request,
            _("%(year)sは既に開始済みです。変更はありません。") % {"year": fiscal_year_label(year)},
        )


def _initial(municipality, proposed: int | None) -> dict:
    """The form proposes the year after the latest, with its salaries if already set."""
    initial = {}
    if proposed:
        initial["fiscal_year"] = fiscal_year_label(proposed)
        salaries = {
            s.staff_kind: s.amount
            for s in AverageSalary.objects.filter(municipality=municipality, fiscal_year=proposed)
        }
        for name, kind in (
            ("staff_salary", StaffKind.STAFF),
            ("part_time_salary", StaffKind.PART_TIME),
        ):
            if kind in salaries:
                initial[name] = f"{salaries[kind]:,}"
    return initial
