"""Each workflow service: who may call it, in which state, what it writes and whom it mails."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.choices import SheetState
from evalsheets.models import EvaluationSheet, Review
from evalsheets.workflow import audit
from evalsheets.workflow import transitions as services
from evalsheets.workflow.audit import entries_for
from evalsheets.workflow.transitions import WorkflowError
from municipalities.choices import Role
from tests.support.workflow import advance, snapshot


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def last_entry(sheet):
    return entries_for(sheet).first()


# ---------------------------------------------------------------- submit


def test_submit_moves_draft_to_submitted(world, django_capture_on_commit_callbacks):
    sheet, staff = world["sheets"]["a"], world["users"]["staff_a"]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.perform("submit", sheet, staff, "  ご確認ください。 ")
    sheet.refresh_from_db()
    assert result.state == sheet.state == SheetState.SUBMITTED
    assert sheet.version == 2
    entry = last_entry(sheet)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.comment) == (
        staff,
        audit.ACTION_SUBMIT,
        SheetState.DRAFT,
        SheetState.SUBMITTED,
        "ご確認ください。",
    )
    assert entry.municipality == world["town"]
    # Submitted, the sheet is no longer the 担当者's to edit.
    assert not EvaluationSheet.objects.editable_by(staff).filter(pk=sheet.pk).exists()
    # The 課長 of 課 A, and nobody else, hears of it.
    assert recipients() == ["chief_a@example.jp"]
    message = mail.outbox[0]
    assert "741-2 定住自立圏構想事業（令和5年度）" in message.subject
    assert "提出" in message.subject
    assert "ご確認ください。" in message.body
    assert "下書き → 提出済" in message.body
    assert f"/sheets/{sheet.pk}/" in message.body


def test_mail_links_are_absolute_with_site_url(world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://hyouka.example.lg.jp/"
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("submit", world["sheets"]["a"], world["users"]["staff_a"], "")
    link = f"https://hyouka.example.lg.jp/sheets/{world['sheets']['a'].pk}/"
    assert link in mail.outbox[0].body


@pytest.mark.parametrize("username", ["chief_a", "planning", "viewer", "staff_b", "chief_b"])
def test_submit_refused_to_other_roles_and_sections(world, username):
    sheet = world["sheets"]["a"]
    before = snapshot(sheet)
    with pytest.raises(PermissionDenied):
        services.perform("submit", sheet, world["users"][username])
    assert snapshot(sheet) == before


def test_submit_refused_to_another_municipality_and_anonymous(world):
    from django.contrib.auth.models import AnonymousUser

    sheet = world["sheets"]["a"]
    for user in (world["users"]["planning_other"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.perform("submit", sheet, user)
    assert snapshot(sheet) == (SheetState.DRAFT, 1, 0)


def test_submit_twice_is_a_workflow_error(world):
    sheet = advance(world, SheetState.SUBMITTED)
    with pytest.raises(WorkflowError) as exc:
        services.perform("submit", sheet, world["users"]["staff_a"])
    assert exc.value.message == "「提出済」のシートは提出できません。"
    assert exc.value.field is None
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)


def test_stale_object_cannot_submit_twice(world):
    """The service re-reads the row under lock: a stale in-memory draft is not trusted."""
    stale_one = EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk)
    stale_two = EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk)
    services.perform("submit", stale_one, world["users"]["staff_a"])
    assert stale_two.state == SheetState.DRAFT  # what the second caller believes
    with pytest.raises(WorkflowError):
        services.perform("submit", stale_two, world["users"]["staff_a"])
    assert snapshot(stale_one) == (SheetState.SUBMITTED, 2, 1)


def test_the_row_is_locked(world):
    sheet = world["sheets"]["a"]
    with CaptureQueriesContext(connection) as queries:
        services.perform("submit", sheet, world["users"]["staff_a"])
    sheet_table = EvaluationSheet._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    first_read = next(sql for sql in reads if f'FROM "{sheet_table}"' in sql)
    if connection.features.has_select_for_update:  # PostgreSQL
        assert first_read.rstrip().endswith("FOR UPDATE")
    else:  # SQLite: the write transaction itself is the lock (BEGIN IMMEDIATE)
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_makes_one_transition(world):
    """Two requests submit the same draft at once: one wins, the other sees 提出済."""
    pk, staff = world["sheets"]["a"].pk, world["users"]["staff_a"]
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            sheet = EvaluationSheet.objects.get(pk=pk)
            barrier.wait(timeout=10)
            services.perform("submit", sheet, staff, "同時")
            outcomes.append("ok")
        except WorkflowError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    sheet = EvaluationSheet.objects.get(pk=pk)
    assert (sheet.state, sheet.version) == (SheetState.SUBMITTED, 2)
    assert entries_for(sheet).filter(action=audit.ACTION_SUBMIT).count() == 1


def test_no_mail_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    sheet = world["sheets"]["a"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.perform("submit", sheet, world["users"]["staff_a"])
            raise RuntimeError("something later in the same request failed")
    assert callbacks == []
    assert mail.outbox == []
    assert snapshot(sheet) == (SheetState.DRAFT, 1, 0)


def test_mail_skips_users_without_address_or_inactive(world, django_capture_on_commit_callbacks):
    from tests.conftest import make_user

    silent = make_user("chief_a2", world["town"], Role.CHIEF, world["sections"]["a"])
    silent.email = ""
    silent.save()
    gone = make_user("chief_a3", world["town"], Role.CHIEF, world["sections"]["a"])
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("submit", world["sheets"]["a"], world["users"]["staff_a"])
    assert recipients() == ["chief_a@example.jp"]


# ---------------------------------------------------------------- return


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_return_requires_a_reason(world, reason):
    sheet = advance(world, SheetState.SUBMITTED)
    with pytest.raises(WorkflowError) as exc:
        services.perform("return", sheet, world["users"]["chief_a"], reason)
    assert exc.value.message == "差戻しの理由を入力してください。"
    assert exc.value.field == "reason"
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)


def test_return_goes_back_to_draft_and_tells_the_staff(world, django_capture_on_commit_callbacks):
    sheet = advance(world, SheetState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("return", sheet, world["users"]["chief_a"], "成果指標の実績が未記入です。")
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version) == (SheetState.DRAFT, 3)
    entry = last_entry(sheet)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        world["users"]["chief_a"],
        audit.ACTION_RETURN,
        SheetState.SUBMITTED,
        SheetState.DRAFT,
    )
    assert entry.comment == "成果指標の実績が未記入です。"
    assert recipients() == ["staff_a@example.jp"]
    assert "成果指標の実績が未記入です。" in mail.outbox[0].body
    # Back in 下書き, the 担当者 may edit it again.
    assert EvaluationSheet.objects.editable_by(world["users"]["staff_a"]).filter(pk=sheet.pk)


def test_return_refused_on_a_draft_and_to_staff(world):
    sheet = world["sheets"]["a"]
    with pytest.raises(WorkflowError) as exc:
        services.perform("return", sheet, world["users"]["chief_a"], "理由")
    assert exc.value.message == "「下書き」のシートは差戻しできません。"
    submitted = advance(world, SheetState.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.perform("return", submitted, world["users"]["staff_a"], "理由")
    with pytest.raises(PermissionDenied):
        services.perform("return", submitted, world["users"]["chief_b"], "理由")


# ---------------------------------------------------------------- approve


def test_approve_requires_remarks(world):
    sheet = advance(world, SheetState.SUBMITTED)
    with pytest.raises(WorkflowError) as exc:
        services.perform("approve", sheet, world["users"]["chief_a"], " ")
    assert exc.value.message == "評価責任者（課長）の所見を入力してください。"
    assert exc.value.field == "remarks"
    assert not Review.objects.filter(sheet=sheet).exists()
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)


def test_approve_records_the_review(world, django_capture_on_commit_callbacks):
    chief = world["users"]["chief_a"]
    chief.last_name, chief.first_name = "石貫", "誠哉"
    chief.save()
    sheet = advance(world, SheetState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("approve", sheet, chief, "圏域の連携は順調。")
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version) == (SheetState.APPROVED, 3)
    assert sheet.approved_by == chief
    assert sheet.approved_at is not None
    review = sheet.review
    assert (review.remarks, review.reviewer, review.reviewer_name) == (
        "圏域の連携は順調。",
        chief,
        "石貫誠哉",
    )
    assert review.reviewed_at == sheet.approved_at
    entry = last_entry(sheet)
    assert (entry.action, entry.from_state, entry.to_state, entry.comment) == (
        audit.ACTION_APPROVE,
        SheetState.SUBMITTED,
        SheetState.APPROVED,
        "圏域の連携は順調。",
    )
    # 企画課 of this municipality only (not 伊勢原's).
    assert recipients() == ["planning@example.jp"]


def test_approve_keeps_existing_head_comment_and_notes_changed_remarks(world):
    sheet = world["sheets"]["a"]
    Review.objects.create(sheet=sheet, remarks="前回の所見", head_comment="部長の総評")
    sheet = advance(world, SheetState.APPROVED)  # approves with "所見です。"
    review = Review.objects.get(sheet=sheet)
    assert (review.remarks, review.head_comment) == ("所見です。", "部長の総評")
    assert last_entry(sheet).changes == {"remarks": ["前回の所見", "所見です。"]}


def test_nobody_approves_what_they_submitted(world):
    """A 担当者 who became 課長 of the same 課 cannot approve their own submission."""
    staff = world["users"]["staff_a"]
    sheet = advance(world, SheetState.SUBMITTED)
    staff.profile.role = Role.CHIEF
    staff.profile.save()
    with pytest.raises(WorkflowError) as exc:
        services.perform("approve", sheet, staff, "自分で承認")
    assert exc.value.message == "ご自身が提出したシートは承認できません。"
    assert [t.action for t in services.allowed_transitions(sheet, staff)] == ["return"]
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)
    # The other 課長 of the 課 may.
    services.perform("approve", sheet, world["users"]["chief_a"], "承認します。")
    assert EvaluationSheet.objects.get(pk=sheet.pk).state == SheetState.APPROVED


def test_approve_refused_to_staff_other_chief_and_planning(world):
    sheet = advance(world, SheetState.SUBMITTED)
    for username in ("staff_a", "chief_b", "planning", "viewer", "planning_other"):
        with pytest.raises(PermissionDenied):
            services.perform("approve", sheet, world["users"][username], "所見")
    assert snapshot(sheet) == (SheetState.SUBMITTED, 2, 1)


# ---------------------------------------------------------------- confirm, publish


def test_confirm_then_publish(world, django_capture_on_commit_callbacks):
    sheet = advance(world, SheetState.APPROVED)
    planning = world["users"]["planning"]
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("confirm", sheet, planning)
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version, sheet.published_at) == (SheetState.CONFIRMED, 4, None)
    assert recipients() == ["chief_a@example.jp", "staff_a@example.jp"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("publish", sheet, planning, "HP掲載")
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version) == (SheetState.PUBLISHED, 5)
    assert sheet.published_at is not None and sheet.approved_at is not None
    assert recipients() == ["chief_a@example.jp", "staff_a@example.jp"]
    entry = last_entry(sheet)
    assert (entry.action, entry.from_state, entry.to_state, entry.comment) == (
        audit.ACTION_PUBLISH,
        SheetState.CONFIRMED,
        SheetState.PUBLISHED,
        "HP掲載",
    )


def test_publish_needs_confirmation_first(world):
    sheet = advance(world, SheetState.APPROVED)
    with pytest.raises(WorkflowError) as exc:
        services.perform("publish", sheet, world["users"]["planning"])
    assert exc.value.message == "「課長承認」のシートは公表できません。"


@pytest.mark.parametrize("username", ["staff_a", "chief_a", "viewer", "planning_other"])
def test_confirm_and_publish_are_for_planning(world, username):
    approved = advance(world, SheetState.APPROVED)
    with pytest.raises(PermissionDenied):
        services.perform("confirm", approved, world["users"][username])
    services.perform("confirm", approved, world["users"]["planning"])
    with pytest.raises(PermissionDenied):
        services.perform("publish", approved, world["users"][username])


# ---------------------------------------------------------------- reopen


def test_reopen_requires_a_reason(world):
    sheet = advance(world, SheetState.PUBLISHED)
    with pytest.raises(WorkflowError) as exc:
        services.perform("reopen", sheet, world["users"]["planning"], "")
    assert exc.value.message == "再開の理由を入力してください。"
    assert exc.value.field == "reason"
    assert snapshot(sheet) == (SheetState.PUBLISHED, 5, 4)


@pytest.mark.parametrize("state", [SheetState.APPROVED, SheetState.CONFIRMED, SheetState.PUBLISHED])
def test_reopen_clears_approval_and_publication(world, state, django_capture_on_commit_callbacks):
    sheet = advance(world, state)
    version = sheet.version
    with django_capture_on_commit_callbacks(execute=True):
        services.perform("reopen", sheet, world["users"]["planning"], "数値の誤りがあったため")
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version) == (SheetState.DRAFT, version + 1)
    assert (sheet.approved_by, sheet.approved_at, sheet.published_at) == (None, None, None)
    entry = last_entry(sheet)
    assert (entry.action, entry.from_state, entry.to_state, entry.comment) == (
        audit.ACTION_REOPEN,
        state,
        SheetState.DRAFT,
        "数値の誤りがあったため",
    )
    expected_changes = {"approved_at"} | ({"published_at"} if state == "published" else set())
    assert set(entry.changes) == expected_changes
    assert all(new is None for _old, new in entry.changes.values())
    assert recipients() == ["staff_a@example.jp"]
    # The 課長's 所見 stays on record until the next approval replaces it.
    assert sheet.review.remarks == "所見です。"


def test_reopen_refused_on_draft_and_submitted_and_to_chief(world):
    sheet = world["sheets"]["a"]
    with pytest.raises(WorkflowError):
        services.perform("reopen", sheet, world["users"]["planning"], "理由")
    submitted = advance(world, SheetState.SUBMITTED)
    with pytest.raises(WorkflowError):
        services.perform("reopen", submitted, world["users"]["planning"], "理由")
    assert snapshot(submitted) == (SheetState.SUBMITTED, 2, 1)
    services.perform("approve", submitted, world["users"]["chief_a"], "所見")
    for username in ("staff_a", "chief_a", "viewer", "planning_other"):
        with pytest.raises(PermissionDenied):
            services.perform("reopen", submitted, world["users"][username], "理由")
    assert snapshot(submitted) == (SheetState.APPROVED, 3, 2)


# ---------------------------------------------------------------- text limits


@pytest.mark.parametrize("action", ["submit", "return", "approve", "confirm", "publish", "reopen"])
def test_text_over_the_limit_is_refused(world, action):
    start = services.TRANSITIONS[action].sources[0]
    sheet = advance(world, start)
    before = snapshot(sheet)
    actor = {"submit": "staff_a", "return": "chief_a", "approve": "chief_a"}.get(action, "planning")
    with pytest.raises(WorkflowError) as exc:
        services.perform(action, sheet, world["users"][actor], "あ" * 2001)
    assert "2000文字以内" in exc.value.message
    assert exc.value.field == services.TRANSITIONS[action].text_field
    assert snapshot(sheet) == before
    # Exactly at the limit is fine.
    services.perform(action, sheet, world["users"][actor], "あ" * 2000)
    assert snapshot(sheet)[1] == before[1] + 1
