"""Bounds and shared field builders of the sheet models: money in 千円, 人工, text lengths,
and the lists of narrative and detail fields."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

MONEY_FIELDS = (
    "national_subsidy",
    "prefectural_subsidy",
    "municipal_bonds",
    "other_specific",
    "user_charges",
    "general_revenue",
)
FTE_MAX = Decimal("99.99")
# Bounds of every number a user enters, checked by the entry form (with a Japanese
# message next to the field) and by a CheckConstraint of each model (migration 0006).
MONEY_MAX = 999_999_999_999  # 千円: larger than any municipal budget, inside BigIntegerField
COUNT_MAX = 999_999_999_999  # 対象数
# 目標・実績・現状値 may be negative (増減数); what DecimalField(14, 2) holds, either sign.
FIGURE_MAX = Decimal("999999999999.99")
YEAR_MIN, YEAR_MAX = 1868, 2200  # a year typed as such (現状値の年度)
SALARY_MAX = 100_000  # 千円 a year (平均給与)
# The longest narrative text, workflow comment, reason or 所見 (entry form, workflow form
# and service, and a database constraint on every such TextField: ``text_bound``).
TEXT_MAX_LENGTH = 2000


def text_bound(model_name: str, label: str, *names: str) -> models.CheckConstraint:
    """The database's side of ``TEXT_MAX_LENGTH``: each named column holds at most that many
    characters, whatever writes it (form, admin, import, shell)."""
    return models.CheckConstraint(
        condition=Q(*(LessThanOrEqual(Length(name), TEXT_MAX_LENGTH) for name in names)),
        name=f"evalsheets_{model_name}_text_length",
        violation_error_message=format_lazy(
            _("{label}は、それぞれ{max}文字以内で入力してください。"),
            label=label,
            max=TEXT_MAX_LENGTH,
        ),
    )


# The sheet's narrative text fields, in the order of the model (one list for the demo
# loader, the diff, the list's deferred columns and the new-year copy).
NARRATIVE_FIELDS = (
    "background",
    "target",
    "intent",
    "purpose",
    "content",
    "summary",
    "policy",
    "work_done",
    "results",
    "issues",
    "improvement",
    "previous_review",
    "previous_review_status",
    "strategies",
    "manifesto",
)
# A sheet's other yearly details (実施方法, 事業主体, 受益者負担, 対象数 …).
SHEET_DETAIL_FIELDS = (
    "implementation_methods",
    "implementation_other",
    "contractor",
    "actors",
    "actors_other",
    "user_charge_exists",
    "user_charge_revised",
    "subsidy_note",
    "other_specific_note",
    "unit_target_definition",
    "unit_target_unit",
)
# A project's descriptive master data (demo loader and the import/export resource).
PROJECT_DETAIL_FIELDS = (
    "name",
    "start_year",
    "end_year",
    "period_kind",
    "basis_law",
    "basis_law_text",
    "basis_pledge",
    "basis_plan",
    "basis_plan_text",
    "project_type",
    "account",
    "account_name",
    "budget_kan",
    "budget_kou",
    "budget_moku",
    "budget_saimoku",
    "budget_project_name",
    "affair_kind",
    "legal_position",
    "related_laws",
    "national_plans",
    "national_plans_period",
    "related_plans",
    "related_plans_period",
)


def figure_range(name: str) -> Q:
    """A 目標・実績・現状値 column: blank, or within ±FIGURE_MAX."""
    return Q(**{f"{name}__isnull": True}) | Q(
        **{f"{name}__gte": -FIGURE_MAX, f"{name}__lte": FIGURE_MAX}
    )


def year_range(name: str) -> Q:
    """A year column: blank, or from YEAR_MIN to YEAR_MAX."""
    return Q(**{f"{name}__isnull": True}) | Q(
        **{f"{name}__gte": YEAR_MIN, f"{name}__lte": YEAR_MAX}
    )


def money(label):
    return models.BigIntegerField(label, default=0)


def fte(label):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(FTE_MAX)],
    )
