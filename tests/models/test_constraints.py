"""Invariants held by the database, with their Japanese messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.choices import CostKind, SheetState
from evalsheets.models import CostRow, EvaluationSheet, Project, StaffEffort
from municipalities.models import Municipality, Section
from municipalities.validators import validate_local_government_code

pytestmark = pytest.mark.django_db


def test_duplicate_sheet_is_refused_with_a_message(world):
    sheet = world["sheets"]["a"]
    duplicate = EvaluationSheet(project=sheet.project, fiscal_year=sheet.fiscal_year)
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "この事務事業のこの年度の評価シートは既にあります。" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert EvaluationSheet.objects.filter(project=sheet.project).count() == 1


def test_negative_cost_is_refused_with_a_message(world):
    sheet = world["sheets"]["a"]
    row = CostRow(sheet=sheet, fiscal_year=2023, kind=CostKind.BUDGET, general_revenue=-1)
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert "事業費（財源）に負の金額は入力できません。" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert not CostRow.objects.filter(sheet=sheet, fiscal_year=2023).exists()


def test_fte_must_be_between_0_and_99_99(world):
    sheet = world["sheets"]["a"]
    for value in ("-0.01", "100.00"):
        effort = StaffEffort(sheet=sheet, fiscal_year=2024, staff_fte=Decimal(value))
        with pytest.raises(ValidationError):
            effort.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffEffort.objects.create(sheet=sheet, fiscal_year=2024, staff_fte=Decimal("-1"))
    StaffEffort.objects.create(sheet=sheet, fiscal_year=2024, staff_fte=Decimal("99.99"))


def test_unique_project_code_per_municipality(world):
    project = world["projects"]["a"]
    again = Project(
        municipality=project.municipality, code=project.code, name="x", section=project.section
    )
    with pytest.raises(ValidationError) as exc:
        again.full_clean()
    assert "この事務事業コードは既に登録されています。" in str(exc.value)
    # The same code in another municipality is fine.
    Project.objects.create(
        municipality=world["other"], code=project.code, name="x", section=world["sections"]["x"]
    )


def test_unique_section_code_per_municipality(world):
    section = world["sections"]["a"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(
            municipality=section.municipality,
            department=section.department,
            code="a",
            name="別の課",
        )


def test_approved_state_requires_approval_time(world):
    sheet = world["sheets"]["a"]
    sheet.state = SheetState.APPROVED
    with pytest.raises(IntegrityError), transaction.atomic():
        sheet.save()
    sheet.refresh_from_db()
    assert sheet.state == SheetState.DRAFT


def test_overall_cost_column_has_no_year_and_is_unique(world):
    sheet = world["sheets"]["a"]
    CostRow.objects.create(sheet=sheet, kind=CostKind.OVERALL)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostRow.objects.create(sheet=sheet, kind=CostKind.OVERALL)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostRow.objects.create(sheet=sheet, kind=CostKind.SETTLED)  # a year is required


@pytest.mark.parametrize("code", ["432067", "431001", "142140", "432032", "011002", "433641"])
def test_local_government_code_valid(code):
    validate_local_government_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("432068", "検査数字が正しくありません"),
        ("43206", "半角数字6桁"),
        ("４３２０６７", "半角数字6桁"),
        ("43206a", "半角数字6桁"),
    ],
)
def test_local_government_code_invalid(code, message):
    with pytest.raises(ValidationError) as exc:
        validate_local_government_code(code)
    assert message in exc.value.messages[0]


def test_municipality_full_clean_checks_code(db):
    with pytest.raises(ValidationError) as exc:
        Municipality(code="432060", name="x", kind="city", prefecture="熊本県").full_clean()
    assert "code" in exc.value.message_dict
