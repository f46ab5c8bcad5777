"""Every number field has both bounds, in the form and in the database.

Issue 11, finding 2: 目標・実績 and 現状値 had a maximum but no minimum, so
``-999999999999999999999`` was accepted on all three forms; SQLite stored it as
``-1.0e+21`` and every later read of the sheet failed (InvalidOperation), PostgreSQL
answered 500 at the save. Now each number input refuses a value beyond its bounds with a
Japanese message next to the field and saves nothing of it; the bounds themselves are
accepted; and a CheckConstraint refuses an out-of-range value written through the ORM.
"""

import html as htmllib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from core.formfields import format_number
from evalsheets.models import (
    COUNT_MAX,
    FIGURE_MAX,
    MONEY_MAX,
    YEAR_MAX,
    YEAR_MIN,
    ActivityIndicator,
    ActivityValue,
    AverageSalary,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    StaffEffort,
)
from tests.support.entry import DEMO_SHEETS, make_draft, post_data, read_form, snapshot, user

HUGE_NEGATIVE = "-999999999999999999999"
FIGURE = (-FIGURE_MAX, FIGURE_MAX, Decimal("0.01"))
MONEY = (0, MONEY_MAX, 1)
COUNT = (0, COUNT_MAX, 1)
YEAR = (YEAR_MIN, YEAR_MAX, 1)

# form: [(input name, (lowest, highest, step))]
INPUTS = {
    "tamana_furikaeri": [
        ("out-0-target_2023", FIGURE),
        ("out-0-actual_2022", FIGURE),
        ("act-0-target_2022", FIGURE),
        ("act-0-actual_2021", FIGURE),
        ("cost-settled-2022-general_revenue", MONEY),
        ("cost-overall-national_subsidy", MONEY),
    ],
    "isehara_hyoka": [
        ("out-0-target_2022", FIGURE),
        ("out-0-actual_2021", FIGURE),
        ("out-0-baseline", FIGURE),
        ("out-0-baseline_year", YEAR),
        ("cost-settled-2022-total", MONEY),
        ("effort-2022-target_count", COUNT),
    ],
    "hitoyoshi_plan": [
        ("out-0-target_2027", FIGURE),
        ("out-0-actual_2023", FIGURE),
        ("cost-plan-2025-general_revenue", MONEY),
        ("cost-settled-2023-national_subsidy", MONEY),
    ],
}
CASES = [(form, name, bounds) for form, inputs in INPUTS.items() for name, bounds in inputs]


def typed(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def shown(value, bounds) -> str:
    """The limit as the message and the input write it (a year without a separator)."""
    return str(value) if bounds is YEAR else format_number(value)


@pytest.fixture
def sheets(demo_data):
    return {
        form: make_draft(EvaluationSheet.objects.get(project__code=code))
        for form, (code, *_users) in DEMO_SHEETS.items()
    }


def post(sheet, form, name, value):
    client = Client(raise_request_exception=False)
    client.force_login(user(DEMO_SHEETS[form][1]))
    data, _kinds, _options = read_form(client.get(f"/sheets/{sheet.pk}/edit/").content)
    assert name in data, name
    if form == "isehara_hyoka" and name.startswith("cost-"):
        # (a) must cover ①②③: the other inputs of the column are emptied.
        column = name.rsplit("-", 1)[0]
        for part in ("total", "subsidies", "municipal_bonds", "other"):
            data[f"{column}-{part}"] = ["0"]
    data[name] = [value]
    return client, client.post(f"/sheets/{sheet.pk}/edit/", post_data(data))


def error_next_to(page: str, name: str) -> str:
    """The error list of the cell holding the input ``name``."""
    start = page.index(f'name="{name}"')
    cell = page[page.rindex('<div class="cell', 0, start) : page.index("</div>", start)]
    return htmllib.unescape(cell)


@pytest.mark.parametrize(("form", "name", "bounds"), CASES)
def test_values_beyond_the_bounds_are_refused_next_to_the_field(sheets, form, name, bounds):
    low, high, step = bounds
    sheet = sheets[form]
    refused = [
        (HUGE_NEGATIVE, f"{shown(low, bounds)}以上で入力してください"),
        (typed(low - step), f"{shown(low, bounds)}以上で入力してください"),
        (typed(high + step), f"{shown(high, bounds)}以下で入力してください"),
        ("9" * 40, f"{shown(high, bounds)}以下で入力してください"),
    ]
    for value, message in refused:
        before = snapshot(sheet)
        _client, response = post(sheet, form, name, value)
        assert response.status_code == 200, (name, value)
        page = response.content.decode()
        assert message in error_next_to(page, name), (name, value, error_next_to(page, name))
        assert "入力内容に誤りがあります" in page
        assert snapshot(sheet) == before, (name, value)


@pytest.mark.parametrize(("form", "name", "bounds"), CASES)
def test_the_bounds_themselves_are_saved_and_shown(sheets, form, name, bounds):
    low, high, _step = bounds
    sheet = sheets[form]
    for value in (low, high):
        client, response = post(sheet, form, name, typed(value))
        assert response.status_code == 302, (name, value, response.content.decode()[:3000])
        for url in (f"/sheets/{sheet.pk}/", f"/sheets/{sheet.pk}/edit/"):
            assert client.get(url).status_code == 200, (name, value, url)
        again, _kinds, _options = read_form(client.get(f"/sheets/{sheet.pk}/edit/").content)
        assert again[name] == [shown(value, bounds)]


# ------------------------------------------------------------------ the database


def out_of_range_writes(world_sheet):
    """(what, a function writing an out-of-range value through the ORM)."""
    sheet = world_sheet
    sub = sheet.sub_projects.create(name="細事業")
    activity = ActivityIndicator.objects.create(sub_project=sub, name="活動")
    outcome = OutcomeIndicator.objects.create(sheet=sheet, name="成果")
    cost = sheet.cost_rows.get()
    effort = sheet.efforts.get()
    salary = AverageSalary.objects.filter(municipality=sheet.project.municipality).first()
    beyond = FIGURE_MAX + Decimal("0.01")
    return [
        (
            "目標 −10^21",
            lambda: OutcomeValue.objects.create(
                indicator=outcome, fiscal_year=2022, target=Decimal(HUGE_NEGATIVE)
            ),
        ),
        (
            "実績 beyond",
            lambda: ActivityValue.objects.create(
                indicator=activity, fiscal_year=2022, actual=beyond
            ),
        ),
        (
            "目標 below",
            lambda: ActivityValue.objects.create(
                indicator=activity, fiscal_year=2021, target=-beyond
            ),
        ),
        (
            "現状値",
            lambda: OutcomeIndicator.objects.filter(pk=outcome.pk).update(
                baseline=Decimal(HUGE_NEGATIVE)
            ),
        ),
        (
            "現状値の年度",
            lambda: OutcomeIndicator.objects.filter(pk=outcome.pk).update(
                baseline_year=YEAR_MAX + 1
            ),
        ),
        (
            "現状値の年度 low",
            lambda: OutcomeIndicator.objects.filter(pk=outcome.pk).update(
                baseline_year=YEAR_MIN - 1
            ),
        ),
        (
            "事業費",
            lambda: CostRow.objects.filter(pk=cost.pk).update(general_revenue=MONEY_MAX + 1),
        ),
        ("事業費 負", lambda: CostRow.objects.filter(pk=cost.pk).update(national_subsidy=-1)),
        (
            "対象数",
            lambda: StaffEffort.objects.filter(pk=effort.pk).update(target_count=COUNT_MAX + 1),
        ),
        ("平均給与", lambda: AverageSalary.objects.filter(pk=salary.pk).update(amount=10**9)),
    ]


def test_the_database_refuses_out_of_range_values(world):
    for what, write in out_of_range_writes(world["sheets"]["a"]):
        # PostgreSQL refuses a value too wide for numeric(14, 2) before the check.
        expected = IntegrityError if connection.vendor == "sqlite" else DatabaseError
        with pytest.raises(expected), transaction.atomic():
            write()
            pytest.fail(f"{what} was stored")


def test_the_database_keeps_values_at_the_bounds(world):
    sheet = world["sheets"]["a"]
    outcome = OutcomeIndicator.objects.create(
        sheet=sheet, name="成果", baseline=-FIGURE_MAX, baseline_year=YEAR_MIN
    )
    OutcomeValue.objects.create(
        indicator=outcome, fiscal_year=2022, target=-FIGURE_MAX, actual=FIGURE_MAX
    )
    CostRow.objects.filter(sheet=sheet).update(general_revenue=MONEY_MAX, national_subsidy=0)
    StaffEffort.objects.filter(sheet=sheet).update(target_count=COUNT_MAX)
    value = OutcomeValue.objects.get(indicator=outcome)
    assert (value.target, value.actual) == (-FIGURE_MAX, FIGURE_MAX)
    assert CostRow.objects.get(sheet=sheet).general_revenue == MONEY_MAX


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_migration_repairs_values_sqlite_stored_out_of_range(world):
    """SQLite stored −10^21 as a REAL that no read could turn into a Decimal; the
    migration that adds the bounds sets such values to blank so the sheet reads again."""
    from importlib import import_module

    sheet = world["sheets"]["a"]
    outcome = OutcomeIndicator.objects.create(sheet=sheet, name="成果")
    value = OutcomeValue.objects.create(indicator=outcome, fiscal_year=2022, actual=1)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                f"UPDATE {OutcomeValue._meta.db_table} SET target = -1.0e21 WHERE id = %s",
                [value.pk],
            )
            cursor.execute(
                f"UPDATE {OutcomeIndicator._meta.db_table} SET baseline = 1.0e30 WHERE id = %s",
                [outcome.pk],
            )
            cursor.execute(
                f"UPDATE {CostRow._meta.db_table} SET general_revenue = 1.0e20 WHERE sheet_id = %s",
                [sheet.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    with pytest.raises(Exception):  # noqa: B017 - the read failure the finding describes
        OutcomeValue.objects.get(pk=value.pk)
    migration = import_module("evalsheets.migrations.0006_number_bounds")
    migration.repair_out_of_range(apps, None)
    value = OutcomeValue.objects.get(pk=value.pk)
    assert (value.target, value.actual) == (None, Decimal("1.00"))
    assert OutcomeIndicator.objects.get(pk=outcome.pk).baseline is None
    assert CostRow.objects.get(sheet=sheet).general_revenue == 0
    client = Client()
    client.force_login(world["users"]["staff_a"])
    assert client.get(f"/sheets/{sheet.pk}/").status_code == 200


# ------------------------------------------------------------------ municipalities, regions


def other_out_of_range_writes():
    from municipalities.models import Municipality, PlanKPI
    from regions.models import InitiativeCost, RegionKPI, RegionKPIValue

    town = Municipality.objects.first()
    kpi = PlanKPI.objects.first()
    region_kpi = RegionKPI.objects.first()
    value = RegionKPIValue.objects.first()
    cost = InitiativeCost.objects.first()
    huge = Decimal(HUGE_NEGATIVE)
    return [
        ("人口", lambda: Municipality.objects.filter(pk=town.pk).update(population=10**10)),
        ("面積", lambda: Municipality.objects.filter(pk=town.pk).update(area=Decimal("-1"))),
        ("KPI 実績値", lambda: PlanKPI.objects.filter(pk=kpi.pk).update(actual=huge)),
        ("圏域KPI 目標値", lambda: RegionKPI.objects.filter(pk=region_kpi.pk).update(target=huge)),
        ("圏域KPI 実績値", lambda: RegionKPIValue.objects.filter(pk=value.pk).update(value=huge)),
        (
            "取組の事業費",
            lambda: InitiativeCost.objects.filter(pk=cost.pk).update(amount=MONEY_MAX + 1),
        ),
    ]


def test_the_database_refuses_out_of_range_values_of_towns_and_regions(demo_data):
    for what, write in other_out_of_range_writes():
        expected = IntegrityError if connection.vendor == "sqlite" else DatabaseError
        with pytest.raises(expected), transaction.atomic():
            write()
            pytest.fail(f"{what} was stored")


def test_the_admin_forms_say_which_bound(demo_data):
    from django.forms import modelform_factory

    from municipalities.models import Municipality
    from regions.models import RegionKPI

    town = Municipality.objects.get(code="432067")
    form_class = modelform_factory(Municipality, exclude=[])
    data = {f: getattr(town, f) for f in ("code", "name", "kind", "prefecture", "sheet_layout")}
    form = form_class({**data, "population": "1500000000"}, instance=town)
    assert not form.is_valid()
    assert "人口・世帯数は0以上999,999,999以下" in str(form.errors)
    kpi = RegionKPI.objects.first()
    form_class = modelform_factory(RegionKPI, exclude=[])
    form = form_class(
        {"region": kpi.region_id, "name": kpi.name, "sort_order": 0, "target": "-" + "9" * 15},
        instance=kpi,
    )
    assert not form.is_valid()
    assert "桁" in str(form.errors["target"])  # Django's message: what the column holds
