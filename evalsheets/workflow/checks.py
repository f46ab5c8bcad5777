"""提出前の確認: what a 様式 requires before the 担当者 may submit a sheet (its definition's
``checks``), each missing item said in Japanese. The sheet page lists them above the
「提出」 button; ``transitions.perform("submit", …)`` refuses while any is missing."""

from core.wareki import fiscal_year_label
from evalsheets.models import EvaluationSheet


def submit_problems(sheet: EvaluationSheet) -> list[str]:
    """What is missing before ``sheet`` may be submitted (empty: nothing)."""
    layout = sheet.layout
    problems = [_missing_field(sheet, layout, name) for name in layout.required_fields]
    if layout.check_viewpoints:
        answered = {a.viewpoint for a in sheet.assessments.all() if a.choice}
        problems += [
            f"評価の視点「{(v.label or v.question).strip('【】')}」が選ばれていません。"
            for v in layout.viewpoints
            if v.code not in answered
        ]
    if layout.check_outcome_targets:
        year = fiscal_year_label(sheet.fiscal_year)
        for indicator in sheet.outcome_indicators.all():
            value = next(
                (v for v in indicator.values.all() if v.fiscal_year == sheet.fiscal_year), None
            )
            if value is None or (value.target is None and not value.target_na):
                problems.append(f"成果指標「{indicator.name}」の{year}の目標がありません。")
    return [p for p in problems if p]


def _missing_field(sheet, layout, name: str) -> str:
    extra = layout.extra_field(name)
    if extra is not None:
        value = (sheet.extra or {}).get(name)
        if extra.kind == "year_numbers":
            if (value or {}).get(str(sheet.fiscal_year)) in (None, ""):
                year = fiscal_year_label(sheet.fiscal_year)
                return f"「{extra.full_label}」の{year}が入力されていません。"
            return ""
        if value in (None, ""):
            return f"「{extra.full_label}」が入力されていません。"
        return ""
    if getattr(sheet, name) in (None, "", [], ()):
        verbose = str(EvaluationSheet._meta.get_field(name).verbose_name)
        return f"「{layout.label(name, verbose)}」が入力されていません。"
    return ""
