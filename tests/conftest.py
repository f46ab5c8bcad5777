"""Standing users (as in hc/test.py): 担当者 and 課長 of 課 A, 担当者 and 課長 of 課 B,
企画課, 閲覧者, and a user of another municipality — plus the demo data when asked."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.choices import CostKind, SheetLayoutKey, SheetState, StaffKind
from evalsheets.models import AverageSalary, CostRow, EvaluationSheet, Project, StaffEffort
from municipalities.choices import Role
from municipalities.models import Department, Municipality, Section, StaffProfile


@pytest.fixture(autouse=True)
def _no_installed_layouts():
    """Each test's database starts without installed 様式 versions: so does the registry's
    cache (it would otherwise keep a version a test installed and rolled back)."""
    from evalsheets.layouts import assume_none_installed

    assume_none_installed()
    yield
    assume_none_installed()


@pytest.fixture
def demo_data(db):
    from evalsheets import demo

    demo.load_all()


def make_user(username, municipality, role, section=None):
    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@example.jp"
    )
    StaffProfile.objects.create(user=user, municipality=municipality, role=role, section=section)
    return user


@pytest.fixture
def world(db):
    """Two municipalities; the first has 課 A and 課 B, each with a project and a draft sheet."""
    town = Municipality.objects.create(
        code="432067",
        name="玉名市",
        kind="city",
        prefecture="熊本県",
        sheet_layout=SheetLayoutKey.TAMANA,
    )
    other = Municipality.objects.create(
        code="142140",
        name="伊勢原市",
        kind="city",
        prefecture="神奈川県",
        sheet_layout=SheetLayoutKey.ISEHARA,
    )
    dept = Department.objects.create(municipality=town, name="企画経営部")
    sec_a = Section.objects.create(municipality=town, department=dept, code="a", name="企画経営課")
    sec_b = Section.objects.create(municipality=town, department=dept, code="b", name="財政課")
    other_dept = Department.objects.create(municipality=other, name="企画部")
    sec_x = Section.objects.create(
        municipality=other, department=other_dept, code="x", name="経営企画課"
    )
    for year, staff, part in ((2022, 5429, 1382), (2023, 5451, 1291)):
        AverageSalary.objects.create(
            municipality=town, fiscal_year=year, staff_kind=StaffKind.STAFF, amount=staff
        )
        AverageSalary.objects.create(
            municipality=town, fiscal_year=year, staff_kind=StaffKind.PART_TIME, amount=part
        )
    proj_a = Project.objects.create(
        municipality=town, code="741-2", name="定住自立圏構想事業", section=sec_a
    )
    proj_b = Project.objects.create(
        municipality=town, code="200-1", name="財政運営事業", section=sec_b
    )
    proj_x = Project.objects.create(
        municipality=other, code="40-106", name="様々な主体との連携推進事業", section=sec_x
    )
    sheets = {}
    for key, project in (("a", proj_a), ("b", proj_b), ("x", proj_x)):
        sheet = EvaluationSheet.objects.create(project=project, fiscal_year=2023)
        CostRow.objects.create(
            sheet=sheet, fiscal_year=2022, kind=CostKind.SETTLED, general_revenue=355
        )
        StaffEffort.objects.create(
            sheet=sheet, fiscal_year=2022, staff_fte="0.45", part_time_fte="0.02"
        )
        sheets[key] = sheet
    users = {
        "staff_a": make_user("staff_a", town, Role.STAFF, sec_a),
        "staff_b": make_user("staff_b", town, Role.STAFF, sec_b),
        "chief_a": make_user("chief_a", town, Role.CHIEF, sec_a),
        "chief_b": make_user("chief_b", town, Role.CHIEF, sec_b),
        "planning": make_user("planning", town, Role.PLANNING),
        "viewer": make_user("viewer", town, Role.VIEWER),
        "planning_other": make_user("planning_other", other, Role.PLANNING),
    }
    return {
        "town": town,
        "other": other,
        "sections": {"a": sec_a, "b": sec_b, "x": sec_x},
        "projects": {"a": proj_a, "b": proj_b, "x": proj_x},
        "sheets": sheets,
        "users": users,
    }


def publish(sheet, user=None):
    """Put a sheet straight into 公表 (for fixtures; the services do it in real use)."""
    now = timezone.now()
    sheet.state = SheetState.PUBLISHED
    sheet.approved_at = now - datetime.timedelta(days=1)
    sheet.approved_by = user
    sheet.published_at = now
    sheet.save()
    return sheet
