"""The sheet list: filters (django-filter), sorting, pagination, constant query count."""

import pytest
from django.urls import reverse

from core.choices import SheetState
from evalsheets.models import EvaluationSheet, Project
from municipalities.models import Department, Plan, PlanNode, Section
from tests.conftest import publish


def _codes(response):
    return [sheet.project.code for sheet in response.context["page"]]


def _list(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("sheet_list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def plan(world):
    """玉名's plan: ⑦ → （４） → （１）, and a sibling ⑦ → （５）."""
    plan = Plan.objects.create(
        municipality=world["town"], name="第2次玉名市総合計画", start_year=2020, end_year=2029
    )
    top = PlanNode.objects.create(plan=plan, code="⑦", name="健全な行政運営")
    mid = PlanNode.objects.create(plan=plan, parent=top, code="（４）", name="広域連携の推進")
    leaf = PlanNode.objects.create(plan=plan, parent=mid, code="（１）", name="近隣自治体との連携")
    other = PlanNode.objects.create(plan=plan, parent=top, code="（５）", name="財政運営")
    # A node whose path starts with "⑦/（４）" textually but is not below it.
    lookalike = PlanNode.objects.create(plan=plan, parent=top, code="（４）２", name="紛らわしい")
    world["projects"]["a"].plan_node = leaf
    world["projects"]["a"].save()
    world["projects"]["b"].plan_node = other
    world["projects"]["b"].save()
    Project.objects.create(
        municipality=world["town"],
        code="300-1",
        name="紛らわしい事業",
        section=world["sections"]["b"],
        plan_node=lookalike,
    )
    EvaluationSheet.objects.create(project=Project.objects.get(code="300-1"), fiscal_year=2023)
    return {"top": top, "mid": mid, "leaf": leaf, "other": other}


def test_staff_sees_own_section_and_published(client, world):
    assert _codes(_list(client, world["users"]["staff_a"])) == ["741-2"]
    publish(world["sheets"]["b"])
    assert _codes(_list(client, world["users"]["staff_a"])) == ["200-1", "741-2"]


def test_planning_sees_municipality_never_other(client, world):
    response = _list(client, world["users"]["planning"])
    assert _codes(response) == ["200-1", "741-2"]
    assert "様々な主体との連携推進事業" not in response.content.decode()


def test_filter_by_year_and_state(client, world):
    EvaluationSheet.objects.create(project=world["projects"]["a"], fiscal_year=2024)
    planning = world["users"]["planning"]
    assert _codes(_list(client, planning, year="2024")) == ["741-2"]
    assert len(_codes(_list(client, planning, year="2023"))) == 2
    publish(world["sheets"]["b"])
    assert _codes(_list(client, planning, state=SheetState.PUBLISHED)) == ["200-1"]
    assert _codes(_list(client, planning, state=SheetState.DRAFT, year="2023")) == ["741-2"]


def test_filter_by_department_and_section(client, world):
    planning = world["users"]["planning"]
    other_dept = Department.objects.create(municipality=world["town"], name="総務部")
    sec_c = Section.objects.create(
        municipality=world["town"], department=other_dept, code="c", name="総務課"
    )
    project = Project.objects.create(
        municipality=world["town"], code="100-1", name="総務事業", section=sec_c
    )
    EvaluationSheet.objects.create(project=project, fiscal_year=2023)
    assert _codes(_list(client, planning, section=world["sections"]["b"].pk)) == ["200-1"]
    assert _codes(_list(client, planning, department=other_dept.pk)) == ["100-1"]
    dept_a = world["sections"]["a"].department_id
    assert _codes(_list(client, planning, department=dept_a)) == ["200-1", "741-2"]


def test_other_municipality_section_is_not_a_choice(client, world):
    planning = world["users"]["planning"]
    response = _list(client, planning, section=world["sections"]["x"].pk)
    # An invalid choice is reported on the form and ignored, never a 500 nor a leak.
    assert response.context["filter"].form.errors["section"]
    assert "経営企画課" not in response.content.decode()


def test_filter_by_plan_node_includes_descendants(client, world, plan):
    planning = world["users"]["planning"]
    assert _codes(_list(client, planning, plan_node=plan["leaf"].pk)) == ["741-2"]
    assert _codes(_list(client, planning, plan_node=plan["mid"].pk)) == ["741-2"]
    assert _codes(_list(client, planning, plan_node=plan["other"].pk)) == ["200-1"]
    assert _codes(_list(client, planning, plan_node=plan["top"].pk)) == [
        "200-1",
        "300-1",
        "741-2",
    ]


def test_free_text_over_code_and_name(client, world):
    planning = world["users"]["planning"]
    assert _codes(_list(client, planning, q="自立圏")) == ["741-2"]
    assert _codes(_list(client, planning, q="200")) == ["200-1"]
    # Full-width digits and hyphen as typed on a Japanese keyboard.
    assert _codes(_list(client, planning, q="７４１－２")) == ["741-2"]
    assert _codes(_list(client, planning, q="  財政  運営 ")) == ["200-1"]
    assert _codes(_list(client, planning, q="存在しない")) == []


def test_sorting(client, world):
    planning = world["users"]["planning"]
    assert _codes(_list(client, planning, sort="code")) == ["200-1", "741-2"]
    assert _codes(_list(client, planning, sort="-code")) == ["741-2", "200-1"]
    # 企画経営課 (code a) before 財政課 (code b).
    assert _codes(_list(client, planning, sort="section")) == ["741-2", "200-1"]
    # 定 (U+5B9A) sorts before 財 (U+8CA1).
    assert _codes(_list(client, planning, sort="name")) == ["741-2", "200-1"]
    assert _codes(_list(client, planning, sort="-name")) == ["200-1", "741-2"]
    publish(world["sheets"]["a"])
    assert _codes(_list(client, planning, sort="state")) == ["200-1", "741-2"]
    EvaluationSheet.objects.filter(pk=world["sheets"]["b"].pk).update(state=SheetState.DRAFT)
    world["sheets"]["b"].save()  # touch updated_at
    assert _codes(_list(client, planning, sort="-updated")) == ["200-1", "741-2"]
    body = _list(client, planning, sort="code", state="draft").content.decode()
    # Column headers keep the filters and flip the direction.
    assert "state=draft&amp;sort=-code" in body


def test_bad_filter_values_are_not_errors(client, world):
    response = _list(client, world["users"]["planning"], year="abc", state="bogus", sort="pk")
    assert _codes(response) == ["200-1", "741-2"]
    response = _list(client, world["users"]["planning"], plan_node="999999", page="x")
    assert response.status_code == 200


def _make_sheets(world, n):
    section = world["sections"]["a"]
    projects = Project.objects.bulk_create(
        Project(municipality=world["town"], code=f"9{i:03d}", name=f"事業{i}", section=section)
        for i in range(n)
    )
    EvaluationSheet.objects.bulk_create(
        EvaluationSheet(project=p, fiscal_year=2023) for p in projects
    )


@pytest.mark.parametrize("rows", [5, 60])
def test_query_count_does_not_grow_with_rows(client, world, plan, rows, django_assert_num_queries):
    _make_sheets(world, rows)
    client.force_login(world["users"]["planning"])
    # 1 session, 2 user, 3 profile (visible_to), 4 years for the year filter,
    # 5 count (paginator), 6 the page's sheets with project, section, 部, plan node
    # (select_related), 7 部 choices, 8 課 choices, 9 施策 choices,
    # 10 the municipality in the header (base.html).
    with django_assert_num_queries(10):
        response = client.get(reverse("sheet_list"), {"year": "2023", "sort": "section"})
    assert len(response.context["page"].object_list) == min(rows + 3, 50)


def test_pagination_keeps_filters(client, world):
    _make_sheets(world, 60)
    planning = world["users"]["planning"]
    first = _list(client, planning, section=world["sections"]["a"].pk)
    assert first.context["page"].paginator.count == 61
    assert len(first.context["page"].object_list) == 50
    body = first.content.decode()
    assert f"?section={world['sections']['a'].pk}&amp;page=2" in body
    second = _list(client, planning, section=world["sections"]["a"].pk, page=2)
    assert len(second.context["page"].object_list) == 11
    assert not set(_codes(first)) & set(_codes(second))
