"""Nothing unpublished is reachable on the public pages: not in a list, the CSV, or by URL."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.choices import APPROVED_STATES, CostKind, SheetState
from evalsheets.models import CostRow, EvaluationSheet, Project
from municipalities.models import Department, Municipality, Section
from regions.models import Region

pytestmark = pytest.mark.django_db

UNPUBLISHED = [SheetState.DRAFT, SheetState.SUBMITTED, SheetState.APPROVED, SheetState.CONFIRMED]


def make_sheet(project, year, state):
    approved = timezone.now() - datetime.timedelta(days=1) if state in APPROVED_STATES else None
    sheet = EvaluationSheet.objects.create(
        project=project,
        fiscal_year=year,
        state=state,
        approved_at=approved,
        published_at=timezone.now() if state == SheetState.PUBLISHED else None,
    )
    CostRow.objects.create(
        sheet=sheet, fiscal_year=year - 1, kind=CostKind.SETTLED, general_revenue=987654
    )
    return sheet


@pytest.fixture
def hidden(demo_data):
    """Unpublished sheets in every state, placed where a leak would show.

    * 玉名 2023 (a year with published sheets): a new project per state, named 秘密…;
    * 玉名 2024 (no published sheet at all): 741-2 and 741-3 as draft / confirmed;
    * 玉東町 (a region member with no published sheet): one confirmed sheet.
    """
    tamana = Municipality.objects.get(code="432067")
    section = Section.objects.get(municipality=tamana, name="企画経営課")
    sheets = []
    for i, state in enumerate(UNPUBLISHED):
        project = Project.objects.create(
            municipality=tamana, code=f"999-{i}", name=f"秘密事業{state}", section=section
        )
        sheets.append(make_sheet(project, 2023, state))
    sheets.append(make_sheet(Project.objects.get(municipality=tamana, code="741-2"), 2024, "draft"))
    sheets.append(
        make_sheet(Project.objects.get(municipality=tamana, code="741-3"), 2024, "confirmed")
    )
    gyokuto = Municipality.objects.get(code="433641")
    dept = Department.objects.create(municipality=gyokuto, name="総務部")
    gyokuto_section = Section.objects.create(
        municipality=gyokuto, department=dept, code="s", name="総務課"
    )
    gyokuto_project = Project.objects.create(
        municipality=gyokuto, code="1-1", name="秘密事業玉東", section=gyokuto_section
    )
    sheets.append(make_sheet(gyokuto_project, 2023, SheetState.CONFIRMED))
    return sheets


def public_pages(client):
    urls = [
        "/public/",
        "/public/432067/",
        "/public/432067/2023/",
        "/public/432067/2023/sheets.csv",
        "/public/432067/2023/?section=&plan_node=&q=秘密",
        "/public/432067/2023/sheets.csv?q=秘密",
        "/public/regions/",
    ]
    urls += [f"/public/regions/{pk}/" for pk in Region.objects.values_list("pk", flat=True)]
    return {url: client.get(url) for url in urls}


def test_unpublished_sheets_appear_in_no_list_or_csv(client, hidden):
    pages = public_pages(client)
    for url, response in pages.items():
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        assert "秘密事業" not in body, url
        assert "999-" not in body, url
        assert "987654" not in body and "987,654" not in body, url
        assert "/public/433641/" not in body, url
        assert "/public/432067/2024/" not in body, url
    listed = [row.project.code for row in pages["/public/432067/2023/"].context["rows"]]
    assert listed == ["741-2", "741-3"]
    years = [y["fiscal_year"] for y in pages["/public/432067/"].context["years"]]
    assert years == [2023]
    tamana = next(m for m in pages["/public/"].context["municipalities"] if m.code == "432067")
    assert tamana.sheet_count == 2
    assert tamana.latest_year == 2023
    assert "玉東町" not in pages["/public/"].content.decode()


def test_unpublished_sheets_are_404_by_url_guessing(client, hidden):
    for sheet in hidden:
        code = sheet.project.municipality.code
        assert (
            client.get(f"/public/{code}/{sheet.fiscal_year}/{sheet.project.code}/").status_code
            == 404
        )
    assert client.get("/public/432067/2024/").status_code == 404
    assert client.get("/public/432067/2024/sheets.csv").status_code == 404
    assert client.get("/public/433641/").status_code == 404
    assert client.get("/public/433641/2023/").status_code == 404


def test_published_ones_still_appear(client, hidden):
    assert client.get("/public/432067/2023/741-2/").status_code == 200
    assert client.get("/public/432067/2023/741-3/").status_code == 200


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_each_state_becomes_visible_only_when_published(client, hidden, state):
    sheet = next(s for s in hidden if s.state == state and s.project.code.startswith("999-"))
    url = f"/public/432067/2023/{sheet.project.code}/"
    assert client.get(url).status_code == 404
    sheet.state = SheetState.PUBLISHED
    sheet.approved_at = sheet.approved_at or timezone.now()
    sheet.published_at = timezone.now()
    sheet.save()
    assert client.get(url).status_code == 200
    listed = [row.project.code for row in client.get("/public/432067/2023/").context["rows"]]
    assert sheet.project.code in listed


def test_a_logged_in_planner_sees_only_published_sheets_here_too(client, hidden):
    """The public pages never widen to what a user may see when logged in."""
    client.force_login(get_user_model().objects.get(username="tamana-planning"))
    assert client.get("/public/432067/2023/999-0/").status_code == 404
    body = client.get("/public/432067/2023/").content.decode()
    assert "秘密事業" not in body
