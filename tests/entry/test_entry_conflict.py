"""No lost updates: a form opened before someone else's save shows a conflict page."""

import html as htmllib
import re

import pytest
from django.test import Client

from evalsheets.entry.bundle import SheetEntry
from evalsheets.entry.saving import VersionConflict, save_sheet
from evalsheets.models import EvaluationSheet
from municipalities.choices import Role
from tests.conftest import make_user
from tests.support.entry import make_draft, post_data, read_form, snapshot, user


@pytest.fixture
def sheet(demo_data):
    return make_draft(EvaluationSheet.objects.get(project__code="741-2"))


@pytest.fixture
def two_clients(sheet):
    """Two 担当者 of the same 課, each logged in with a client of their own."""
    first = user("tamana-staff")
    second = make_user(
        "tamana-staff-b", first.profile.municipality, Role.STAFF, first.profile.section
    )
    second.last_name, second.first_name = "二人目", "花子"
    second.save()
    clients = []
    for person in (first, second):
        client = Client()
        client.force_login(person)
        clients.append(client)
    return clients


def url(sheet):
    return f"/sheets/{sheet.pk}/edit/"


def test_second_save_of_a_stale_form_shows_both_versions_and_overwrites_nothing(sheet, two_clients):
    alice, bob = two_clients
    form_a, _k, _o = read_form(alice.get(url(sheet)).content)
    form_b, _k, _o = read_form(bob.get(url(sheet)).content)
    assert form_a["version"] == form_b["version"] == ["1"]

    form_a["sheet-intent"] = ["Aさんが書いた意図。"]
    form_a["cost-settled-2022-general_revenue"] = ["400"]
    assert alice.post(url(sheet), post_data(form_a)).status_code == 302
    after_alice = snapshot(sheet)
    assert after_alice["sheet"]["version"] == 2

    form_b["sheet-intent"] = ["Bさんが書いた意図。"]
    form_b["sheet-target"] = ["Bさんの対象"]
    response = bob.post(url(sheet), post_data(form_b))
    assert response.status_code == 409
    page = htmllib.unescape(response.content.decode())
    assert "ほかの人が先に更新しています" in page
    assert "第1版" in page and "第2版" in page
    assert "担当太郎" in page  # who saved first
    differing = page.split("内容が異なる項目")[1].split("同じ内容の項目")[0]
    # Theirs as stored, yours as typed, field by field.
    assert "Aさんが書いた意図。" in differing and "Bさんが書いた意図。" in differing
    assert "Bさんの対象" in differing and "連携市町の担当課" in differing
    # Alice's cost change differs from what Bob's stale form still holds.
    assert re.search(r"R04年度決算 一般財源.*?400.*?355", differing, re.S)
    assert differing.count('class="differs"') == 3
    # Nothing was overwritten.
    assert snapshot(sheet) == after_alice
    # Reloading gives the latest version to edit.
    fresh, _k, _o = read_form(bob.get(url(sheet)).content)
    assert fresh["version"] == ["2"] and fresh["sheet-intent"] == ["Aさんが書いた意図。"]
    fresh["sheet-target"] = ["Bさんの対象"]
    assert bob.post(url(sheet), post_data(fresh)).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.version, sheet.intent, sheet.target) == (3, "Aさんが書いた意図。", "Bさんの対象")


def test_a_stale_form_with_invalid_input_is_still_a_conflict(sheet, two_clients):
    alice, bob = two_clients
    form_a, _k, _o = read_form(alice.get(url(sheet)).content)
    form_b, _k, _o = read_form(bob.get(url(sheet)).content)
    form_a["sheet-intent"] = ["先に保存"]
    alice.post(url(sheet), post_data(form_a))
    before = snapshot(sheet)
    form_b["cost-settled-2022-general_revenue"] = ["abc"]
    form_b["sheet-content"] = ["有効な変更"]
    assert bob.post(url(sheet), post_data(form_b)).status_code == 409
    assert snapshot(sheet) == before


def test_the_service_checks_the_version_under_lock(sheet):
    """save_sheet itself refuses a stale version, whatever the view checked before."""
    staff = user("tamana-staff")
    data, _k, _o = read_form(_page(staff, sheet))
    data["sheet-intent"] = ["一回目"]
    first = SheetEntry(sheet, data=_querydict(data))
    assert first.is_valid()
    result = save_sheet(sheet, staff, first.changes(), expected_version=1)
    assert result.version == 2 and result.changes["intent"][1] == "一回目"
    data["sheet-intent"] = ["二回目"]
    second = SheetEntry(sheet, data=_querydict(data))
    before = snapshot(sheet)
    with pytest.raises(VersionConflict):
        save_sheet(sheet, staff, second.changes(), expected_version=1)
    assert snapshot(sheet) == before


def _page(person, sheet):
    client = Client()
    client.force_login(person)
    return client.get(url(sheet)).content


def _querydict(data):
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for name, values in data.items():
        q.setlist(name, values)
    return q
