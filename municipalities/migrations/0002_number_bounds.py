"""Bounds on the numbers of municipalities and their KPIs (issue 11, finding 2).

Values already stored out of range (SQLite keeps what a column cannot hold as a REAL no
read can turn into a Decimal) are first set to blank, so that the constraints can be
added to an existing database; they can only be typing errors.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Q


def _outside(name, low, high) -> Q:
    return Q(**{f"{name}__lt": low}) | Q(**{f"{name}__gt": high})


def repair_out_of_range(apps, schema_editor):
    towns = apps.get_model("municipalities", "Municipality").objects
    for column in ("population", "households"):
        towns.filter(_outside(column, 0, 999_999_999)).update(**{column: None})
    towns.filter(_outside("area", 0, Decimal("9999999.99"))).update(area=None)
    kpis = apps.get_model("municipalities", "PlanKPI").objects
    limit = Decimal("999999999999.99")
    for column in ("actual", "target"):
        kpis.filter(_outside(column, -limit, limit)).update(**{column: None})


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="municipality",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("population__isnull", True),
                        models.Q(("population__gte", 0), ("population__lte", 999999999)),
                        _connector="OR",
                    ),
                    models.Q(
                        ("households__isnull", True),
                        models.Q(("households__gte", 0), ("households__lte", 999999999)),
                        _connector="OR",
                    ),
                    models.Q(
                        ("area__isnull", True),
                        models.Q(("area__gte", 0), ("area__lte", Decimal("9999999.99"))),
                        _connector="OR",
                    ),
                ),
                name="municipalities_municipality_stats_range",
                violation_error_message="人口・世帯数は0以上999,999,999以下、面積は0以上9,999,999.99以下で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="plankpi",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("actual__isnull", True),
                        models.Q(
                            ("actual__gte", Decimal("-999999999999.99")),
                            ("actual__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("target__isnull", True),
                        models.Q(
                            ("target__gte", Decimal("-999999999999.99")),
                            ("target__lte", Decimal("999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                ),
                name="municipalities_plankpi_value_range",
                violation_error_message="実績値・目標値は±999,999,999,999.99の範囲で入力してください。",
            ),
        ),
    ]
