"""Workflow texts are bounded like the sheet's own texts, and every long text column of the
sheets has a database bound (issue 11, finding 5).

The entry form's narrative fields (背景, 判断理由 …) take 2000 characters, count a line
break as one character and say 「2000文字以内で入力してください（現在N文字）。」 under the
field; the workflow's comment, 差戻し・再開の理由 and 課長所見 do exactly the same, by the
same field class and constant. The database refuses a longer text whatever wrote it
(admin, import, shell).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from core.choices import SheetState
from core.formfields import JapaneseTextField
from evalsheets.entry.forms import NARRATIVE_MAX
from evalsheets.models import (
    TEXT_MAX_LENGTH,
    AssessmentAnswer,
    AuditEntry,
    EvaluationSheet,
    ExportJob,
    Review,
    SheetLayoutDefinition,
    SubProject,
)
from evalsheets.workflow import transitions as services
from tests.support.workflow import advance, snapshot

pytestmark = pytest.mark.django_db

# (state, who, action, text field) of every transition with a text
TRANSITIONS = [
    (SheetState.DRAFT, "staff_a", "submit", "comment"),
    (SheetState.SUBMITTED, "chief_a", "return", "reason"),
    (SheetState.SUBMITTED, "chief_a", "approve", "remarks"),
    (SheetState.APPROVED, "planning", "confirm", "comment"),
    (SheetState.CONFIRMED, "planning", "publish", "comment"),
    (SheetState.PUBLISHED, "planning", "reopen", "reason"),
]


def entry_form_message(text: str) -> str:
    """What the entry form says under a narrative field holding ``text``."""
    with pytest.raises(ValidationError) as exc:
        JapaneseTextField(max_length=NARRATIVE_MAX, multiline=True).clean(text)
    return exc.value.messages[0]


def test_one_bound_for_every_text():
    assert TEXT_MAX_LENGTH == NARRATIVE_MAX == services.TEXT_MAX_LENGTH == 2000


@pytest.mark.parametrize(("state", "who", "action", "field"), TRANSITIONS)
def test_too_long_workflow_text_gets_the_entry_forms_message(world, state, who, action, field):
    sheet = advance(world, state)
    before = snapshot(sheet)
    client = Client()
    client.force_login(world["users"][who])
    text = "長" * 2001
    response = client.post(reverse(f"sheet_{action}", args=[sheet.pk]), {field: text})
    assert response.status_code == 200
    form = next(f for f in response.context["workflow_forms"] if f.transition.action == action)
    assert form.errors[field] == [entry_form_message(text)]
    assert form.errors[field] == ["2000文字以内で入力してください（現在2001文字）。"]
    assert snapshot(sheet) == before


@pytest.mark.parametrize(("state", "who", "action", "field"), TRANSITIONS)
def test_a_million_characters_are_refused_and_not_stored(world, state, who, action, field):
    sheet = advance(world, state)
    before = snapshot(sheet)
    client = Client()
    client.force_login(world["users"][who])
    response = client.post(reverse(f"sheet_{action}", args=[sheet.pk]), {field: "a" * 1_000_000})
    assert response.status_code == 200
    assert snapshot(sheet) == before
    assert not AuditEntry.objects.filter(comment__startswith="a" * 2001).exists()


def test_a_line_break_counts_as_one_character_as_in_the_entry_form(world):
    """Browsers send CRLF: 2000 characters with line breaks are 2000, not more."""
    sheet = advance(world, SheetState.SUBMITTED)
    client = Client()
    client.force_login(world["users"]["chief_a"])
    text = "所" * 999 + "\r\n" + "見" * 1000  # 2001 sent, 2000 typed
    response = client.post(reverse("sheet_approve", args=[sheet.pk]), {"remarks": text})
    assert response.status_code == 302
    assert Review.objects.get(sheet=sheet).remarks == "所" * 999 + "\n" + "見" * 1000


def test_the_textarea_is_not_cut_by_the_browser(world):
    """As in the entry form: no maxlength (a paste would be cut silently), the server
    says how long the text is; the limit is on data-maxlength for the counter."""
    sheet = advance(world, SheetState.SUBMITTED)
    client = Client()
    client.force_login(world["users"]["chief_a"])
    page = client.get(reverse("sheet_detail", args=[sheet.pk])).content.decode()
    start = page.index('name="remarks"')
    tag = page[page.rindex("<textarea", 0, start) : page.index(">", start)]
    assert "maxlength=" not in tag.replace("data-maxlength", "")
    assert 'data-maxlength="2000"' in tag


def test_the_service_says_the_same_to_any_caller(world):
    sheet = advance(world, SheetState.SUBMITTED)
    with pytest.raises(services.WorkflowError) as exc:
        services.return_sheet(sheet, world["users"]["chief_a"], "理" * 2001)
    assert exc.value.message == entry_form_message("理" * 2001)
    assert exc.value.field == "reason"


# --- the database bound -------------------------------------------------------------------

BOUNDED = [
    *[
        (EvaluationSheet, f.name)
        for f in EvaluationSheet._meta.fields
        if f.get_internal_type() == "TextField"
    ],
    (SubProject, "means"),
    (AssessmentAnswer, "reason"),
    (Review, "remarks"),
    (Review, "head_comment"),
]


def test_every_text_column_of_a_sheet_is_bounded():
    """Every TextField of the models a sheet is made of is in the list below."""
    from django.apps import apps

    # Written by the application itself: the history of the sheet (its comments come
    # from the bounded workflow) and a failed export's error; a 様式 definition's YAML is
    # bounded at 1 MB by its installer and its own CheckConstraint (tests/layouts).
    unbounded_by_design = {
        (AuditEntry, "comment"),
        (ExportJob, "error"),
        (SheetLayoutDefinition, "source"),
    }
    for model in apps.get_app_config("evalsheets").get_models():
        for field in model._meta.fields:
            if field.get_internal_type() == "TextField":
                assert (model, field.name) in BOUNDED or (
                    model,
                    field.name,
                ) in unbounded_by_design, (model, field.name)


def instance_of(model, world):
    sheet = world["sheets"]["a"]
    if model is EvaluationSheet:
        return sheet
    if model is SubProject:
        return SubProject.objects.create(sheet=sheet, name="細事業")
    if model is AssessmentAnswer:
        return AssessmentAnswer.objects.create(sheet=sheet, viewpoint="20-1")
    return Review.objects.create(sheet=sheet)


@pytest.mark.parametrize(("model", "name"), BOUNDED, ids=lambda v: getattr(v, "__name__", v))
def test_the_database_refuses_a_longer_text(world, model, name):
    obj = instance_of(model, world)
    setattr(obj, name, "あ" * TEXT_MAX_LENGTH)
    obj.save()
    setattr(obj, name, "あ" * (TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    assert any("2000文字以内" in m for m in exc.value.messages), exc.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_the_admin_refuses_a_too_long_remark(admin_client, world):
    review = Review.objects.create(sheet=world["sheets"]["a"], remarks="所見")
    url = reverse("admin:evalsheets_review_change", args=[review.pk])
    response = admin_client.post(
        url,
        {
            "sheet": review.sheet_id,
            "remarks": "所" * 2001,
            "head_comment": "",
            "reviewer": "",
            "reviewer_name": "",
            "reviewed_at_0": "",
            "reviewed_at_1": "",
        },
    )
    assert response.status_code == 200
    assert "2000文字以内" in response.content.decode()
    review.refresh_from_db()
    assert review.remarks == "所見"


def _migration():
    from importlib import import_module

    return import_module("evalsheets.migrations.0005_text_length_bounds")


def test_the_migration_passes_texts_within_the_bound(world):
    from django.apps import apps

    Review.objects.create(sheet=world["sheets"]["a"], remarks="所" * TEXT_MAX_LENGTH)
    _migration().refuse_longer_texts(apps, None)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL enforces the bound")
def test_the_migration_names_a_longer_text_instead_of_cutting_it(world):
    """A text written past the forms before the bound existed: the migration stops and
    says which one, and changes nothing."""
    from django.apps import apps

    sheet = world["sheets"]["a"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            EvaluationSheet.objects.filter(pk=sheet.pk).update(background="背" * 2001)
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    with pytest.raises(RuntimeError) as exc:
        _migration().refuse_longer_texts(apps, None)
    assert f"EvaluationSheet {sheet.pk}: background (2001 characters)" in str(exc.value)
    assert len(EvaluationSheet.objects.get(pk=sheet.pk).background) == 2001
