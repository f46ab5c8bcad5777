"""新年度の開始: the service (copy with shifted years, idempotent, audited) and its view."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.choices import CostKind, SheetState, StaffKind
from evalsheets.models import AuditEntry, AverageSalary, EvaluationSheet, Project, Review
from evalsheets.workflow.audit import ACTION_OPEN_YEAR
from evalsheets.workflow.years import FiscalYearError, open_fiscal_year
from municipalities.models import Municipality


@pytest.fixture
def tamana(demo_data):
    return Municipality.objects.get(code="432067")


@pytest.fixture
def tamana_planning(demo_data):
    return get_user_model().objects.get(username="tamana-planning")


def _open(user, municipality, year=2024, staff=5500, part_time=1300):
    return open_fiscal_year(
        user, municipality, year, staff_salary=staff, part_time_salary=part_time
    )


def test_copy_of_741_2_shifts_years(tamana, tamana_planning):
    old = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2023)
    result = _open(tamana_planning, tamana)
    assert {s.project.code for s in result.created} == {"741-2", "741-3"}
    assert result.copied == 2
    new = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2024)
    assert new.state == SheetState.DRAFT and new.version == 1
    assert new.approved_at is None and new.published_at is None

    # 前回のふりかえり = last year's 見直し・改善; this year's decisions start empty.
    assert new.previous_review == old.improvement
    assert old.direction == "maintain" and new.previous_direction == "maintain"
    assert new.previous_review.startswith("定住自立圏における事業費の8割が特別交付税で措置")
    assert new.improvement == "" and new.direction == "" and new.previous_review_status == ""
    assert not Review.objects.filter(sheet=new).exists()  # no 課長所見 yet
    # Narrative carried over.
    for name in ("background", "target", "intent", "content", "author_name"):
        assert getattr(new, name) == getattr(old, name)
    assert new.implementation_methods == ["other"]

    # Costs: R02–R04 決算 + R05 予算 → R03–R05 決算 + R06 予算 (+ 全体計画).
    rows = {(r.fiscal_year, r.kind): r.general_revenue for r in new.cost_rows.all()}
    assert rows == {
        (2021, CostKind.SETTLED): 826,
        (2022, CostKind.SETTLED): 355,
        (2023, CostKind.SETTLED): 0,  # last year's R05 予算 (433) is not a settlement
        (2024, CostKind.BUDGET): 0,
        (None, CostKind.OVERALL): 0,
    }
    # 人工 move one year: the same years keep their figures, the new year is empty.
    efforts = {e.fiscal_year: (e.staff_fte, e.part_time_fte) for e in new.efforts.all()}
    assert efforts == {
        2021: (Decimal("0.95"), Decimal("0.01")),
        2022: (Decimal("0.45"), Decimal("0.02")),
        2023: (Decimal("0.45"), Decimal("0.00")),
        2024: (Decimal("0"), Decimal("0")),
    }
    # Indicators: R03–R06; R05's target stays, R06 is empty.
    (outcome,) = new.outcome_indicators.all()
    assert outcome.name == "特別交付税措置率(%)"
    values = {v.fiscal_year: (v.target, v.actual) for v in outcome.values.all()}
    assert values == {
        2021: (Decimal("100"), Decimal("42.5")),
        2022: (Decimal("100"), Decimal("100")),
        2023: (Decimal("100"), None),
        2024: (None, None),
    }
    (sub,) = new.sub_projects.all()
    (activity,) = sub.indicators.all()
    assert {v.fiscal_year: v.actual for v in activity.values.all()} == {
        2021: Decimal("3"),
        2022: Decimal("1"),
        2023: None,
        2024: None,
    }
    assert {a.viewpoint: a.choice for a in new.assessments.all()} == {
        a.viewpoint: a.choice for a in old.assessments.all()
    }
    # The new year's salaries are set, so the 人件費 of 2024 can be computed.
    assert {
        s.staff_kind: s.amount
        for s in AverageSalary.objects.filter(municipality=tamana, fiscal_year=2024)
    } == {StaffKind.STAFF: 5500, StaffKind.PART_TIME: 1300}
    # The old sheet is untouched.
    assert old.cost_rows.count() == 5 and old.improvement


def test_not_applicable_values_stay_not_applicable(tamana, tamana_planning):
    _open(tamana_planning, tamana)
    new = EvaluationSheet.objects.get(project__code="741-3", fiscal_year=2024)
    (outcome,) = new.outcome_indicators.all()
    by_year = {v.fiscal_year: v for v in outcome.values.all()}
    assert by_year[2021].target_na and by_year[2021].actual_na  # "***" not 0
    assert by_year[2022].target == 100 and by_year[2022].actual_na
    assert by_year[2023].target_na
    assert by_year[2024].target is None and not by_year[2024].target_na


def test_running_twice_creates_nothing(tamana, tamana_planning):
    _open(tamana_planning, tamana)
    sheets = EvaluationSheet.objects.count()
    audits = AuditEntry.objects.count()
    result = _open(tamana_planning, tamana)
    assert result.created == [] and not result.changed
    assert EvaluationSheet.objects.count() == sheets
    assert AuditEntry.objects.count() == audits  # nothing changed, nothing audited


def test_audited(tamana, tamana_planning):
    _open(tamana_planning, tamana)
    entry = AuditEntry.objects.get(action=ACTION_OPEN_YEAR, municipality=tamana)
    assert entry.actor == tamana_planning and entry.municipality == tamana
    assert entry.changes["fiscal_year"] == 2024
    assert sorted(entry.changes["created_sheets"]) == ["741-2", "741-3"]
    assert entry.changes["average_salaries"] == {"staff": [None, 5500], "part_time": [None, 1300]}
    # Changing only a salary later is audited too, with old and new amounts.
    _open(tamana_planning, tamana, staff=5600)
    latest = AuditEntry.objects.filter(action=ACTION_OPEN_YEAR, municipality=tamana).first()
    assert latest.changes["average_salaries"] == {"staff": [5500, 5600]}
    assert latest.changes["created_sheets"] == []


def test_only_active_running_projects_get_a_sheet(world):
    town = world["town"]
    section = world["sections"]["a"]
    Project.objects.create(
        municipality=town, code="x-1", name="休止", section=section, active=False
    )
    Project.objects.create(
        municipality=town, code="x-2", name="終了", section=section, end_year=2023
    )
    Project.objects.create(municipality=town, code="x-3", name="新規", section=section)
    result = _open(world["users"]["planning"], town)
    assert sorted(s.project.code for s in result.created) == ["200-1", "741-2", "x-3"]
    new_project_sheet = EvaluationSheet.objects.get(project__code="x-3", fiscal_year=2024)
    assert new_project_sheet.cost_rows.count() == 0  # nothing to copy from
    # The other municipality is untouched.
    assert not EvaluationSheet.objects.filter(
        project__municipality=world["other"], fiscal_year=2024
    )


def test_cannot_open_a_year_before_the_latest(world):
    _open(world["users"]["planning"], world["town"], year=2024)
    with pytest.raises(FiscalYearError):
        _open(world["users"]["planning"], world["town"], year=2023)


@pytest.mark.parametrize("staff", [-1, None, 10_000_000])
def test_bad_salaries_are_refused(world, staff):
    with pytest.raises(FiscalYearError):
        _open(world["users"]["planning"], world["town"], staff=staff)
    assert not EvaluationSheet.objects.filter(fiscal_year=2024).exists()


def test_failure_rolls_everything_back(world, monkeypatch):
    from evalsheets.workflow import years as fiscal_year

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fiscal_year.audit, "record", boom)
    with pytest.raises(RuntimeError):
        _open(world["users"]["planning"], world["town"])
    assert not EvaluationSheet.objects.filter(fiscal_year=2024).exists()
    assert not AverageSalary.objects.filter(fiscal_year=2024).exists()


# ---------------------------------------------------------------- the view


@pytest.mark.parametrize("role", ["staff_a", "chief_a", "viewer"])
def test_only_planning_may_open_a_year(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("fiscal_year_new")).status_code == 403
    response = client.post(
        reverse("fiscal_year_new"),
        {"fiscal_year": "2024", "staff_salary": "1", "part_time_salary": "1"},
    )
    assert response.status_code == 403
    assert not EvaluationSheet.objects.filter(fiscal_year=2024).exists()


def test_view_opens_the_year_with_full_width_input(client, world):
    client.force_login(world["users"]["planning"])
    page = client.get(reverse("fiscal_year_new"))
    assert page.status_code == 200
    assert page.context["form"].initial["fiscal_year"] == "令和6年度"
    assert page.context["pending"] == 2
    response = client.post(
        reverse("fiscal_year_new"),
        {
            "fiscal_year": "令和６年度",
            "staff_salary": "５，５００",
            "part_time_salary": "1,300千円",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home") + "?year=2024"
    assert "評価シート2件を作成しました" in response.content.decode()
    assert response.context["year"] == 2024
    assert EvaluationSheet.objects.filter(project__municipality=world["town"], fiscal_year=2024)
    assert (
        AverageSalary.objects.get(
            municipality=world["town"], fiscal_year=2024, staff_kind=StaffKind.STAFF
        ).amount
        == 5500
    )
    # The other municipality's 企画課 opened nothing here.
    assert not EvaluationSheet.objects.filter(
        project__municipality=world["other"], fiscal_year=2024
    )


def test_view_shows_errors_next_to_fields_and_keeps_input(client, world):
    client.force_login(world["users"]["planning"])
    response = client.post(
        reverse("fiscal_year_new"),
        {"fiscal_year": "来年", "staff_salary": "五千", "part_time_salary": "-5"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"fiscal_year", "staff_salary", "part_time_salary"}
    body = response.content.decode()
    assert 'value="五千"' in body and 'value="来年"' in body
    assert not EvaluationSheet.objects.filter(fiscal_year__gt=2023).exists()


def test_previous_direction_is_shown_in_the_previous_review_block(client, tamana, tamana_planning):
    _open(tamana_planning, tamana)
    new = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2024)
    client.force_login(get_user_model().objects.get(username="tamana-staff"))
    page = client.get(reverse("sheet_detail", args=[new.pk])).content.decode()
    assert "前回の今後の方向性：現状のまま継続" in page
    edit = client.get(reverse("sheet_edit", args=[new.pk])).content.decode()
    assert "前回の今後の方向性" in edit and "現状のまま継続" in edit
