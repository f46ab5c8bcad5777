"""Both bounds on every number a user enters (issue 11, finding 2).

Before the constraints are added, values already stored outside the bounds are
repaired, so that the constraints can be added to an existing database and the rows
read again: SQLite kept −999999999999999999999 typed as a 目標 as the REAL −1.0e+21,
which no read could turn into a Decimal (the sheet, its PDF, the diff and the bulk
export failed for good). Such values can only be typing errors: a blank column
(目標・実績・現状値, 対象数, a year) is set to blank, a money column (事業費, 平均給与)
to 0. Nothing else is changed.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Q

FIGURE_MAX = Decimal("999999999999.99")
MONEY_MAX = 999_999_999_999
COUNT_MAX = 999_999_999_999
SALARY_MAX = 100_000
YEAR_MIN, YEAR_MAX = 1868, 2200
MONEY_FIELDS = (
    "national_subsidy",
    "prefectural_subsidy",
    "municipal_bonds",
    "other_specific",
    "user_charges",
    "general_revenue",
)


def _outside(name, low, high) -> Q:
    return Q(**{f"{name}__lt": low}) | Q(**{f"{name}__gt": high})


def repair_out_of_range(apps, schema_editor):
    """Out-of-range values to blank (or 0 where a value is required)."""
    model = apps.get_model
    for name in ("ActivityValue", "OutcomeValue"):
        for column in ("target", "actual"):
            model("evalsheets", name).objects.filter(
                _outside(column, -FIGURE_MAX, FIGURE_MAX)
            ).update(**{column: None})
    outcomes = model("evalsheets", "OutcomeIndicator").objects
    outcomes.filter(_outside("baseline", -FIGURE_MAX, FIGURE_MAX)).update(baseline=None)
    outcomes.filter(_outside("baseline_year", YEAR_MIN, YEAR_MAX)).update(baseline_year=None)
    efforts = model("evalsheets", "StaffEffort").objects
    efforts.filter(_outside("target_count", 0, COUNT_MAX)).update(target_count=None)
    costs = model("evalsheets", "CostRow").objects
    for column in MONEY_FIELDS:
        costs.filter(_outside(column, 0, MONEY_MAX)).update(**{column: 0})
    salaries = model("evalsheets", "AverageSalary").objects
    salaries.filter(_outside("amount", 0, SALARY_MAX)).update(amount=0)
    projects = model("evalsheets", "Project").objects
    for column in ("start_year", "end_year"):
        projects.filter(_outside(column, YEAR_MIN, YEAR_MAX)).update(**{column: None})


class Migration(migrations.Migration):
    dependencies = [
        ("evalsheets", "0005_text_length_bounds"),
        ("municipalities", "0001_initial"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="activityvalue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("target__isnull", True),
                        models.Q(
                            ("target__gte", Decimal("-999999999999.99")),
                            ("target__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("actual__isnull", True),
                        models.Q(
                            ("actual__gte", Decimal("-999999999999.99")),
                            ("actual__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                ),
                name="evalsheets_activityvalue_value_range",
                violation_error_message="目標・実績は±999,999,999,999.99の範囲で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="averagesalary",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0), ("amount__lte", 100000)),
                name="evalsheets_averagesalary_amount_range",
                violation_error_message="平均給与は0以上100,000千円以下で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="costrow",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("national_subsidy__lte", 999999999999)),
                    models.Q(("prefectural_subsidy__lte", 999999999999)),
                    models.Q(("municipal_bonds__lte", 999999999999)),
                    models.Q(("other_specific__lte", 999999999999)),
                    models.Q(("user_charges__lte", 999999999999)),
                    models.Q(("general_revenue__lte", 999999999999)),
                ),
                name="evalsheets_costrow_money_max",
                violation_error_message="事業費（財源）は999,999,999,999千円以下で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="outcomeindicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("baseline__isnull", True),
                        models.Q(
                            ("baseline__gte", Decimal("-999999999999.99")),
                            ("baseline__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("baseline_year__isnull", True),
                        models.Q(("baseline_year__gte", 1868), ("baseline_year__lte", 2200)),
                        _connector="OR",
                    ),
                ),
                name="evalsheets_outcomeindicator_baseline_range",
                violation_error_message="現状値は±999,999,999,999.99の範囲、その年度は1868年から2200年までです。",
            ),
        ),
        migrations.AddConstraint(
            model_name="outcomevalue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("target__isnull", True),
                        models.Q(
                            ("target__gte", Decimal("-999999999999.99")),
                            ("target__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("actual__isnull", True),
                        models.Q(
                            ("actual__gte", Decimal("-999999999999.99")),
                            ("actual__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                ),
                name="evalsheets_outcomevalue_value_range",
                violation_error_message="目標・実績は±999,999,999,999.99の範囲で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("start_year__isnull", True),
                        models.Q(("start_year__gte", 1868), ("start_year__lte", 2200)),
                        _connector="OR",
                    ),
                    models.Q(
                        ("end_year__isnull", True),
                        models.Q(("end_year__gte", 1868), ("end_year__lte", 2200)),
                        _connector="OR",
                    ),
                ),
                name="evalsheets_project_year_range",
                violation_error_message="開始年度・終了年度は1868年から2200年までです。",
            ),
        ),
        migrations.AddConstraint(
            model_name="staffeffort",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("target_count__isnull", True),
                    models.Q(("target_count__gte", 0), ("target_count__lte", 999999999999)),
                    _connector="OR",
                ),
                name="evalsheets_staffeffort_target_count_range",
                violation_error_message="対象数は0以上999,999,999,999以下で入力してください。",
            ),
        ),
    ]
