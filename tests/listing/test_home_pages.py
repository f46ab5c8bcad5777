"""Home page per role: 担当者 (what is due), 課長 (review queue), 企画課 (progress)."""

import pytest
from django.urls import reverse

from core.choices import SheetState
from evalsheets.models import EvaluationSheet, Project
from evalsheets.workflow.audit import ACTION_RETURN, ACTION_SUBMIT, record
from tests.conftest import publish


def _set_state(sheet, state):
    sheet.state = state
    sheet.save(update_fields=["state"])
    return sheet


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_every_page_links_home(client, world):
    client.force_login(world["users"]["staff_a"])
    for url in (reverse("sheet_list"), reverse("sheet_detail", args=[world["sheets"]["a"].pk])):
        assert f'href="{reverse("home")}"' in client.get(url).content.decode()


def test_staff_sees_own_section_drafts_and_returned(client, world):
    sheet_a = world["sheets"]["a"]
    extra = EvaluationSheet.objects.create(
        project=Project.objects.create(
            municipality=world["town"],
            code="741-9",
            name="返却された事業",
            section=sheet_a.project.section,
        ),
        fiscal_year=2023,
    )
    record(
        world["users"]["chief_a"],
        ACTION_RETURN,
        extra,
        from_state=SheetState.SUBMITTED,
        to_state=SheetState.DRAFT,
        comment="成果指標の実績を記入してください。",
    )
    response = _get(client, world["users"]["staff_a"])
    body = response.content.decode()
    assert [s.pk for s, _e in response.context["returned"]] == [extra.pk]
    assert [s.pk for s in response.context["to_finish"]] == [sheet_a.pk]
    assert "成果指標の実績を記入してください。" in body
    assert "定住自立圏構想事業" in body
    # 課 B's draft is not on 課 A's home, and nothing of the other municipality.
    assert "財政運営事業" not in body
    assert "様々な主体との連携推進事業" not in body


def test_staff_home_counts_states_of_own_section(client, world):
    _set_state(world["sheets"]["a"], SheetState.SUBMITTED)
    response = _get(client, world["users"]["staff_a"])
    counts = {value: n for value, _label, n in response.context["state_counts"]}
    assert counts[SheetState.SUBMITTED] == 1
    assert counts[SheetState.DRAFT] == 0
    assert response.context["to_finish"] == []


def test_chief_sees_review_queue_of_own_section_only(client, world):
    _set_state(world["sheets"]["a"], SheetState.SUBMITTED)
    _set_state(world["sheets"]["b"], SheetState.SUBMITTED)
    record(
        world["users"]["staff_a"],
        ACTION_SUBMIT,
        world["sheets"]["a"],
        from_state=SheetState.DRAFT,
        to_state=SheetState.SUBMITTED,
    )
    response = _get(client, world["users"]["chief_a"])
    queue = response.context["queue"]
    assert [s.pk for s, _entry in queue] == [world["sheets"]["a"].pk]
    assert queue[0][1].actor == world["users"]["staff_a"]
    body = response.content.decode()
    assert reverse("sheet_diff", args=[world["sheets"]["a"].pk]) in body
    assert "財政運営事業" not in body


def test_chief_with_empty_queue(client, world):
    response = _get(client, world["users"]["chief_b"])
    assert response.context["queue"] == []
    assert "確認待ちのシートはありません" in response.content.decode()


def test_planning_sees_progress_by_department_and_section(client, world):
    _set_state(world["sheets"]["a"], SheetState.SUBMITTED)
    # An active project of 課 B without a sheet for 2023: counted as 未作成.
    Project.objects.create(
        municipality=world["town"],
        code="200-2",
        name="未作成の事業",
        section=world["sections"]["b"],
    )
    response = _get(client, world["users"]["planning"])
    total = response.context["total"]
    assert (total.total, total.submitted, total.drafts, total.missing) == (2, 1, 1, 1)
    assert total.percent == 50
    (dept,) = response.context["departments"]
    assert dept.department.name == "企画経営部"
    rows = {row.section.name: row.progress for row in dept.sections}
    assert rows["企画経営課"].submitted == 1 and rows["企画経営課"].drafts == 0
    assert rows["財政課"].drafts == 1 and rows["財政課"].missing == 1
    assert [row.section.name for _d, row in response.context["not_submitted"]] == ["財政課"]
    body = response.content.decode()
    assert '<progress id="progress-total" max="2" value="1">' in body
    assert "1 / 2 件（50%）" in body
    assert reverse("fiscal_year_new") in body
    # The other municipality's 課 never appears.
    assert "経営企画課" not in body


def test_viewer_sees_progress_without_opening_a_year(client, world):
    response = _get(client, world["users"]["viewer"])
    assert response.context["total"].total == 2
    assert reverse("fiscal_year_new") not in response.content.decode()


def test_current_year_is_latest_and_overridable(client, world):
    project = world["projects"]["a"]
    newer = EvaluationSheet.objects.create(project=project, fiscal_year=2024)
    response = _get(client, world["users"]["staff_a"])
    assert response.context["year"] == 2024
    assert [s.pk for s in response.context["sheets"]] == [newer.pk]
    response = _get(client, world["users"]["staff_a"], year="2023")
    assert response.context["year"] == 2023
    assert [s.pk for s in response.context["sheets"]] == [world["sheets"]["a"].pk]
    # A year without sheets, or garbage, falls back to the current year (never a 500).
    for bad in ("1999", "abc", "-1", ""):
        assert _get(client, world["users"]["staff_a"], year=bad).context["year"] == 2024
    # Full-width digits are what people type: accepted.
    assert _get(client, world["users"]["staff_a"], year="２０２３").context["year"] == 2023


def test_latest_year_is_the_municipality_s_not_the_section_s(client, world):
    # 課 B opens 2024 first; 課 A's staff still sees 2024 (with nothing yet) as current.
    EvaluationSheet.objects.create(project=world["projects"]["b"], fiscal_year=2024)
    response = _get(client, world["users"]["staff_a"])
    assert response.context["year"] == 2024
    assert response.context["sheets"] == []


def test_user_without_sheets_sees_an_empty_home(client, world):
    EvaluationSheet.objects.filter(project__municipality=world["other"]).delete()
    response = _get(client, world["users"]["planning_other"])
    assert response.context["year"] is None
    assert "まだ評価シートがありません" in response.content.decode()


@pytest.mark.django_db
def test_demo_homes(client, demo_data):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    staff = _get(client, users.get(username="tamana-staff"))
    assert staff.context["year"] == 2023
    assert {s.project.code for s in staff.context["sheets"]} == {"741-2", "741-3"}
    planning = _get(client, users.get(username="hitoyoshi-planning"))
    assert planning.context["year"] == 2024
    assert planning.context["total"].counts[SheetState.PUBLISHED] == planning.context["total"].total
    assert planning.context["total"].percent == 100


def test_published_sheet_of_other_section_is_not_on_staff_home(client, world):
    publish(world["sheets"]["b"])
    response = _get(client, world["users"]["staff_a"])
    assert [s.pk for s in response.context["sheets"]] == [world["sheets"]["a"].pk]
