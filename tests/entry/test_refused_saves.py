"""A refused part of an entry save changes nothing of that part: not even the row order.

Issue 11, finding 6: an entry POST that was refused still rewrote ``sort_order`` of the
細事業 and 行程 rows in three cases: a row id that is not an integer, a required name
left out, a formset's management field missing. Each case is posted as the form was
opened and with the first two rows swapped (a reorder riding on a refused formset);
the rows of that part — every field, ``sort_order`` included — stay as they were.
"""

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from core.choices import SheetLayoutKey
from evalsheets.models import (
    ActivityIndicator,
    EvaluationSheet,
    OutcomeIndicator,
    ScheduleItem,
    SubProject,
)
from tests.support.entry import DEMO_SHEETS, make_draft, post_data, read_form, snapshot, user

# form: [(formset prefix, model, rows of the sheet)]
PARTS = {
    "tamana_furikaeri": [
        ("sub", SubProject, lambda sheet: SubProject.objects.filter(sheet=sheet)),
        (
            "act",
            ActivityIndicator,
            lambda sheet: ActivityIndicator.objects.filter(sub_project__sheet=sheet),
        ),
        ("out", OutcomeIndicator, lambda sheet: sheet.outcome_indicators.all()),
    ],
    "hitoyoshi_plan": [
        ("sub", SubProject, lambda sheet: SubProject.objects.filter(sheet=sheet)),
        ("out", OutcomeIndicator, lambda sheet: sheet.outcome_indicators.all()),
    ],
    "isehara_hyoka": [
        ("sched", ScheduleItem, lambda sheet: ScheduleItem.objects.filter(sheet=sheet)),
        ("out", OutcomeIndicator, lambda sheet: sheet.outcome_indicators.all()),
    ],
}
CASES = [(form, prefix) for form, parts in PARTS.items() for prefix, _model, _rows in parts]


def rows_of(queryset) -> list[dict]:
    return sorted((model_to_dict(obj) for obj in queryset), key=lambda row: row["id"])


def swap_rows(data: dict, prefix: str, a: int = 0, b: int = 1) -> dict:
    """The POST with rows a and b of a formset exchanged (what dragging a row does)."""
    other = {f"{prefix}-{a}-": f"{prefix}-{b}-", f"{prefix}-{b}-": f"{prefix}-{a}-"}
    swapped = {}
    for name, values in data.items():
        head = next((h for h in other if name.startswith(h)), None)
        swapped[other[head] + name[len(head) :] if head else name] = values
    if prefix == "sub":  # 活動指標 name their 細事業 by its number in the form
        numbers = {str(a + 1): str(b + 1), str(b + 1): str(a + 1)}
        for name, values in swapped.items():
            if name.startswith("act-") and name.endswith("-sub"):
                swapped[name] = [numbers.get(v, v) for v in values]
    return swapped


def refuse_non_integer_id(data, prefix):
    data[f"{prefix}-0-id"] = ["abc"]


def refuse_missing_name(data, prefix):
    data[f"{prefix}-0-name"] = [""]


def refuse_missing_total(data, prefix):
    del data[f"{prefix}-TOTAL_FORMS"]


def refuse_missing_initial(data, prefix):
    del data[f"{prefix}-INITIAL_FORMS"]


REFUSALS = {
    "non-integer id": refuse_non_integer_id,
    "missing name": refuse_missing_name,
    "missing TOTAL_FORMS": refuse_missing_total,
    "missing INITIAL_FORMS": refuse_missing_initial,
}


def add_rows(sheet):
    """Three rows or more in every part of the demo sheet (活動指標: two under 細事業 1)."""
    for order in range(sheet.outcome_indicators.count(), 3):
        OutcomeIndicator.objects.create(sheet=sheet, sort_order=order, name=f"成果指標{order}")
    if sheet.layout.key == SheetLayoutKey.ISEHARA:
        return
    for order in range(sheet.sub_projects.count(), 3):
        SubProject.objects.create(sheet=sheet, sort_order=order, name=f"細事業{order}")
    if sheet.layout.key == SheetLayoutKey.TAMANA:
        for order, sub in enumerate(sheet.sub_projects.all()):
            for i in range(sub.indicators.count(), 2 if order == 0 else 1):
                ActivityIndicator.objects.create(sub_project=sub, sort_order=i, name=f"活動{i}")


@pytest.fixture
def sheets(demo_data):
    result = {}
    for form, (code, *_users) in DEMO_SHEETS.items():
        result[form] = make_draft(EvaluationSheet.objects.get(project__code=code))
        add_rows(result[form])
    return result


def opened_form(sheet, form):
    client = Client(raise_request_exception=False)
    client.force_login(user(DEMO_SHEETS[form][1]))
    data, _kinds, _options = read_form(client.get(f"/sheets/{sheet.pk}/edit/").content)
    return client, data


@pytest.mark.parametrize("swap", [False, True], ids=["as opened", "rows swapped"])
@pytest.mark.parametrize("refusal", list(REFUSALS))
@pytest.mark.parametrize(("form", "prefix"), CASES)
def test_a_refused_formset_changes_none_of_its_rows(sheets, form, prefix, refusal, swap):
    sheet = sheets[form]
    client, data = opened_form(sheet, form)
    assert int(data[f"{prefix}-TOTAL_FORMS"][0]) >= 2, "the demo sheet needs two rows here"
    before = snapshot(sheet)
    if swap:
        data = swap_rows(data, prefix)
    REFUSALS[refusal](data, prefix)
    response = client.post(f"/sheets/{sheet.pk}/edit/", post_data(data))
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert "入力内容に誤りがあります" in response.content.decode()
    assert snapshot(sheet) == before  # every row of every part, sort_order included


@pytest.mark.parametrize(("form", "prefix"), CASES)
def test_a_valid_reorder_is_saved(sheets, form, prefix):
    """The same swap without an error is kept: the rows change places, nothing else."""
    sheet = sheets[form]
    client, data = opened_form(sheet, form)
    model = dict((p, m) for p, m, _r in PARTS[form])[prefix]
    rows = dict((p, r) for p, _m, r in PARTS[form])[prefix]
    first, second = data[f"{prefix}-0-id"][0], data[f"{prefix}-1-id"][0]
    before = {row["id"]: row for row in rows_of(rows(sheet))}
    swapped = swap_rows(data, prefix)
    response = client.post(f"/sheets/{sheet.pk}/edit/", post_data(swapped))
    assert response.status_code == 302
    after = {row["id"]: row for row in rows_of(rows(sheet))}
    a, b = model.objects.get(pk=first), model.objects.get(pk=second)
    assert b.sort_order < a.sort_order
    for pk, row in after.items():
        assert {k: v for k, v in row.items() if k != "sort_order"} == {
            k: v for k, v in before[pk].items() if k != "sort_order"
        }
