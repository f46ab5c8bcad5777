"""The workflow in the browser: buttons on the sheet page, errors next to the field,
the history, and bad input (forged, too long, odd) that never changes anything."""

import pytest
from django.urls import reverse

from core.choices import SheetState
from evalsheets.models import EvaluationSheet
from tests.support.workflow import advance, snapshot


def page(client, user, sheet):
    client.force_login(user)
    response = client.get(reverse("sheet_detail", args=[sheet.pk]))
    assert response.status_code == 200
    return response


def actions_on_page(response):
    return [form.transition.action for form in response.context["workflow_forms"]]


@pytest.mark.parametrize(
    ("state", "username", "actions"),
    [
        (SheetState.DRAFT, "staff_a", ["submit"]),
        (SheetState.DRAFT, "chief_a", []),
        (SheetState.DRAFT, "planning", []),
        (SheetState.SUBMITTED, "staff_a", []),  # submitted: no longer the 担当者's to change
        (SheetState.SUBMITTED, "chief_a", ["approve", "return"]),
        (SheetState.SUBMITTED, "planning", []),
        (SheetState.APPROVED, "planning", ["confirm", "reopen"]),
        (SheetState.APPROVED, "chief_a", []),
        (SheetState.CONFIRMED, "planning", ["publish", "reopen"]),
        (SheetState.PUBLISHED, "planning", ["reopen"]),
        (SheetState.PUBLISHED, "staff_b", []),
        (SheetState.PUBLISHED, "viewer", []),
    ],
)
def test_page_offers_what_the_user_may_do(client, world, state, username, actions):
    sheet = advance(world, state)
    response = page(client, world["users"][username], sheet)
    assert actions_on_page(response) == actions
    html = response.content.decode()
    for action in actions:
        assert f'action="{reverse(f"sheet_{action}", args=[sheet.pk])}"' in html
    if not actions:
        assert 'class="workflow-actions"' not in html


def test_submit_button_posts_and_shows_the_result(client, world):
    sheet = world["sheets"]["a"]
    html = page(client, world["users"]["staff_a"], sheet).content.decode()
    assert '<button type="submit" class="action-submit">提出</button>' in html
    response = client.post(
        reverse("sheet_submit", args=[sheet.pk]), {"comment": "確認をお願いします"}, follow=True
    )
    assert response.redirect_chain == [(reverse("sheet_detail", args=[sheet.pk]), 302)]
    html = response.content.decode()
    assert "「提出」を行いました。" in html
    assert '<span class="state state-submitted">提出済</span>（第2版）' in html
    assert actions_on_page(response) == []


def test_history_shows_who_when_what_and_why(client, world):
    chief = world["users"]["chief_a"]
    chief.last_name, chief.first_name = "課長", "一郎"
    chief.save()
    sheet = advance(world, SheetState.SUBMITTED)
    client.force_login(chief)
    client.post(reverse("sheet_return", args=[sheet.pk]), {"reason": "成果指標が未記入です。"})
    response = page(client, world["users"]["staff_a"], sheet)
    rows = response.context["history"]
    assert [(r.action_label, r.from_state, r.to_state) for r in rows] == [
        ("差戻し", "提出済", "下書き"),
        ("提出", "下書き", "提出済"),
    ]
    html = response.content.decode()
    assert "課長一郎" in html
    assert "成果指標が未記入です。" in html
    assert "提出済 → 下書き" in html
    assert "令和" in html  # the date in 和暦


def test_history_lists_changed_fields(client, world):
    sheet = advance(world, SheetState.PUBLISHED)
    client.force_login(world["users"]["planning"])
    client.post(reverse("sheet_reopen", args=[sheet.pk]), {"reason": "決算額の訂正"})
    html = page(client, world["users"]["planning"], sheet).content.decode()
    assert "再開（下書きに戻す）" in html
    assert "承認日時" in html and "公表日時" in html
    assert "→ （なし）" in html


def test_a_long_history_is_paged_and_the_last_step_still_shown(client, world):
    """Hundreds of saves: 20 entries a page, newest first; the reason of the last
    差戻し stays next to the buttons even when it is on a later page."""
    from evalsheets.workflow import audit
    from evalsheets.workflow.audit import ACTION_EDIT

    sheet = advance(world, SheetState.SUBMITTED)
    client.force_login(world["users"]["chief_a"])
    client.post(reverse("sheet_return", args=[sheet.pk]), {"reason": "指標を見直してください。"})
    staff = world["users"]["staff_a"]
    for n in range(43):
        audit.record(staff, ACTION_EDIT, sheet, comment=f"保存{n}")
    response = page(client, staff, sheet)
    rows = response.context["history"]
    assert len(rows) == 20 and rows[0].comment == "保存42"
    html = response.content.decode()
    assert "全45件中 1–20件目" in html and "古い履歴" in html and "新しい履歴" not in html
    assert response.context["workflow_last"].comment == "指標を見直してください。"
    assert "指標を見直してください。" in html
    last = client.get(reverse("sheet_detail", args=[sheet.pk]), {"history": "3"})
    assert [r.action_label for r in last.context["history"]][-2:] == ["差戻し", "提出"]
    assert "全45件中 41–45件目" in last.content.decode()
    # Garbage page numbers fall back to a page that exists (never a 500).
    for value in ("abc", "-1", "999"):
        odd = client.get(reverse("sheet_detail", args=[sheet.pk]), {"history": value})
        assert odd.status_code == 200 and odd.context["history"]


def test_history_of_a_new_sheet_is_empty(client, world):
    response = page(client, world["users"]["staff_a"], world["sheets"]["a"])
    assert "まだ操作の履歴はありません。" in response.content.decode()


@pytest.mark.parametrize(
    ("state", "username", "action", "field", "message"),
    [
        (SheetState.SUBMITTED, "chief_a", "return", "reason", "差戻しの理由を入力してください。"),
        (
            SheetState.SUBMITTED,
            "chief_a",
            "approve",
            "remarks",
            "評価責任者（課長）の所見を入力してください。",
        ),
        (SheetState.PUBLISHED, "planning", "reopen", "reason", "再開の理由を入力してください。"),
    ],
)
def test_required_text_error_next_to_the_field(
    client, world, state, username, action, field, message
):
    sheet = advance(world, state)
    before = snapshot(sheet)
    client.force_login(world["users"][username])
    response = client.post(reverse(f"sheet_{action}", args=[sheet.pk]), {field: "   "})
    assert response.status_code == 200
    form = next(f for f in response.context["workflow_forms"] if f.transition.action == action)
    assert form.errors == {field: [message]}
    html = response.content.decode()
    error_at = html.index(message)
    field_at = html.index(f'id="id_{action}_{field}"')
    assert 0 < error_at - field_at < 600  # the message sits right under its field
    assert snapshot(sheet) == before


@pytest.mark.parametrize(
    ("state", "username", "action", "field"),
    [
        (SheetState.DRAFT, "staff_a", "submit", "comment"),
        (SheetState.SUBMITTED, "chief_a", "approve", "remarks"),
        (SheetState.SUBMITTED, "chief_a", "return", "reason"),
        (SheetState.APPROVED, "planning", "confirm", "comment"),
        (SheetState.CONFIRMED, "planning", "publish", "comment"),
        (SheetState.PUBLISHED, "planning", "reopen", "reason"),
    ],
)
def test_too_long_text_is_kept_and_refused(client, world, state, username, action, field):
    sheet = advance(world, state)
    before = snapshot(sheet)
    text = "長" * 2000 + "文"
    client.force_login(world["users"][username])
    response = client.post(reverse(f"sheet_{action}", args=[sheet.pk]), {field: text})
    assert response.status_code == 200
    form = next(f for f in response.context["workflow_forms"] if f.transition.action == action)
    assert "2000文字以内で入力してください（現在2001文字）。" in form.errors[field][0]
    assert text in response.content.decode()  # nothing the user typed is lost
    assert snapshot(sheet) == before


def test_null_character_is_a_field_error_not_a_500(client, world):
    sheet = advance(world, SheetState.SUBMITTED)
    client.force_login(world["users"]["chief_a"])
    response = client.post(reverse("sheet_return", args=[sheet.pk]), {"reason": "理由\x00"})
    assert response.status_code == 200
    form = next(f for f in response.context["workflow_forms"] if f.transition.action == "return")
    assert form.errors["reason"] == ["差戻しの理由に使用できない文字が含まれています。"]
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)


def test_approve_form_starts_from_the_previous_remarks(client, world):
    sheet = advance(world, SheetState.APPROVED)
    client.force_login(world["users"]["planning"])
    client.post(reverse("sheet_reopen", args=[sheet.pk]), {"reason": "再確認"})
    client.force_login(world["users"]["staff_a"])
    client.post(reverse("sheet_submit", args=[sheet.pk]))
    response = page(client, world["users"]["chief_a"], sheet)
    approve = next(
        f for f in response.context["workflow_forms"] if f.transition.action == "approve"
    )
    assert approve.initial == {"remarks": "所見です。"}


@pytest.mark.parametrize("username", ["staff_a", "chief_a", "planning", "viewer"])
@pytest.mark.parametrize("action", ["submit", "return", "approve", "confirm", "publish", "reopen"])
def test_forged_post_for_another_municipality_is_404(client, world, username, action):
    sheet = world["sheets"]["x"]  # 伊勢原市's draft
    client.force_login(world["users"][username])
    response = client.post(
        reverse(f"sheet_{action}", args=[sheet.pk]),
        {"comment": "x", "reason": "x", "remarks": "x"},
    )
    assert response.status_code == 404
    assert snapshot(sheet) == (SheetState.DRAFT, 1, 0)


def test_unknown_sheet_is_404(client, world):
    client.force_login(world["users"]["planning"])
    missing = EvaluationSheet.objects.order_by("-pk").first().pk + 1000
    assert client.post(reverse("sheet_reopen", args=[missing]), {"reason": "x"}).status_code == 404


def test_a_stale_page_gets_a_message_not_a_second_transition(client, world):
    """Two tabs: the 課長 approves in one, then presses 差戻し in the other."""
    sheet = advance(world, SheetState.SUBMITTED)
    client.force_login(world["users"]["chief_a"])
    client.post(reverse("sheet_approve", args=[sheet.pk]), {"remarks": "承認します"})
    response = client.post(
        reverse("sheet_return", args=[sheet.pk]), {"reason": "やはり差戻し"}, follow=True
    )
    assert "「課長承認」のシートは差戻しできません。" in response.content.decode()
    assert snapshot(sheet) == (SheetState.APPROVED, 3, 2)


def test_odd_post_bodies_never_500(client, world):
    sheet = advance(world, SheetState.SUBMITTED)
    client.force_login(world["users"]["chief_a"])
    url = reverse("sheet_approve", args=[sheet.pk])
    for data in ({}, {"unknown": "x"}, {"remarks": "\u3000\u3000"}):  # full-width spaces only
        assert client.post(url, data).status_code == 200
    assert client.post(url, "not a form", content_type="text/plain").status_code == 200
    assert client.post(url, b"\xff\xfe", content_type="text/plain").status_code == 200
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)
    # Two values for one field: Django's forms read the last one.
    assert client.post(url, {"remarks": ["一つ目", "二つ目"]}).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.state, sheet.review.remarks) == (SheetState.APPROVED, "二つ目")


@pytest.mark.parametrize(
    ("state", "username", "waiting"),
    [
        (SheetState.DRAFT, "chief_a", "担当者が作成中です（提出待ち）。"),
        (SheetState.SUBMITTED, "staff_a", "課長の承認待ちです。"),
        (SheetState.APPROVED, "chief_a", "企画課の確認待ちです。"),
        (SheetState.CONFIRMED, "viewer", "公表待ちです。"),
        (SheetState.PUBLISHED, "staff_a", ""),
        (SheetState.SUBMITTED, "chief_a", ""),  # has something to do instead
    ],
)
def test_page_says_what_the_sheet_waits_for(client, world, state, username, waiting):
    sheet = advance(world, state)
    response = page(client, world["users"][username], sheet)
    assert response.context["workflow_waiting"] == waiting
    if waiting:
        assert waiting in response.content.decode()
