"""Bounds on the numbers of regions: 事業費 and KPI values (issue 11, finding 2).

Values already stored out of range (SQLite keeps what a column cannot hold as a REAL no
read can turn into a Decimal) are first repaired, so that the constraints can be added to
an existing database: a KPI's 基準値・目標値 set to blank, a 事業費 or a 実績値 (which
must have a value) deleted with its year. They can only be typing errors.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Q


def _outside(name, low, high) -> Q:
    return Q(**{f"{name}__lt": low}) | Q(**{f"{name}__gt": high})


def repair_out_of_range(apps, schema_editor):
    limit = Decimal("99999999999999.99")
    kpis = apps.get_model("regions", "RegionKPI").objects
    for column in ("baseline", "target"):
        kpis.filter(_outside(column, -limit, limit)).update(**{column: None})
    apps.get_model("regions", "RegionKPIValue").objects.filter(
        _outside("value", -limit, limit)
    ).delete()
    apps.get_model("regions", "InitiativeCost").objects.filter(
        _outside("amount", 0, 999_999_999_999)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="initiativecost",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__lte", 999999999999)),
                name="regions_initiativecost_amount_max",
                violation_error_message="事業費は999,999,999,999千円以下で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="regionkpi",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("baseline__isnull", True),
                        models.Q(
                            ("baseline__gte", Decimal("-99999999999999.99")),
                            ("baseline__lte", Decimal("99999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("target__isnull", True),
                        models.Q(
                            ("target__gte", Decimal("-99999999999999.99")),
                            ("target__lte", Decimal("99999999999999.99")),
                        ),
                        _connector="OR",
                    ),
                ),
                name="regions_regionkpi_value_range",
                violation_error_message="基準値・目標値は±99,999,999,999,999.99の範囲で入力してください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="regionkpivalue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("value__gte", Decimal("-99999999999999.99")),
                    ("value__lte", Decimal("99999999999999.99")),
                ),
                name="regions_regionkpivalue_value_range",
                violation_error_message="実績値は±99,999,999,999,999.99の範囲で入力してください。",
            ),
        ),
    ]
