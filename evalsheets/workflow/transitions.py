"""Workflow transitions of an evaluation sheet, only through ``perform``.

Shaped like pretix's ``approve_order``: inside ``transaction.atomic()``
lock the row (``select_for_update``), check who may act (``querysets.actionable_by``)
and the precondition (the sheet's state), save only the changed fields, bump the
version, write one audit entry and, once the transaction commits, mail whoever acts
next.

    下書き ──submit──▶ 提出済 ──approve──▶ 課長承認 ──confirm──▶ 企画課確認 ──publish──▶ 公表
      ▲                  │                   │                     │                    │
      └────return────────┘                   └───────────reopen────┴────────────────────┘
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import SheetState
from core.errors import ServiceError
from core.formfields import JapaneseTextField
from core.wareki import fiscal_year_label
from evalsheets.models import TEXT_MAX_LENGTH, EvaluationSheet, Review
from evalsheets.pdf.tasks import schedule_pdf
from evalsheets.workflow import audit
from evalsheets.workflow.checks import submit_problems
from municipalities.choices import Role


class WorkflowError(ServiceError):
    """A transition the sheet's state or the given text does not allow.

    ``field`` names the form field the message belongs to (``reason``, ``remarks``…),
    or is None for a message about the sheet as a whole.
    """


@dataclass(frozen=True)
class Transition:
    action: str  # the URL's and the form's name of the step
    audit_action: str  # what the audit trail records (audit.ACTION_*)
    label: str  # the button and the history say this
    sources: tuple[str, ...]
    target: str
    text_field: str  # keyword of the service: comment / reason / remarks
    text_label: str
    text_required: bool
    recipients: Callable  # (sheet) -> queryset of the users to mail
    next_step: str  # what the mail asks its reader to do


def _users(sheet, roles, *, section=True):
    qs = get_user_model().objects.filter(
        is_active=True,
        profile__municipality_id=sheet.project.municipality_id,
        profile__role__in=roles,
    )
    if section:
        qs = qs.filter(profile__section_id=sheet.project.section_id)
    return qs.exclude(email="").order_by("username")


def _chiefs(sheet):
    return _users(sheet, [Role.CHIEF])


def _section_staff(sheet):
    return _users(sheet, [Role.STAFF])


def _planning(sheet):
    return _users(sheet, [Role.PLANNING], section=False)


def _whole_section(sheet):
    return _users(sheet, [Role.STAFF, Role.CHIEF])


# Forward steps first, the steps back (差戻し, 再開) last: the order of the buttons.
TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "submit",
            audit.ACTION_SUBMIT,
            gettext_lazy("提出"),
            (SheetState.DRAFT,),
            SheetState.SUBMITTED,
            "comment",
            gettext_lazy("コメント"),
            False,
            _chiefs,
            gettext_lazy("内容を確認し、承認または差戻しをしてください。"),
        ),
        Transition(
            "approve",
            audit.ACTION_APPROVE,
            gettext_lazy("承認"),
            (SheetState.SUBMITTED,),
            SheetState.APPROVED,
            "remarks",
            gettext_lazy("評価責任者（課長）の所見"),
            True,
            _planning,
            gettext_lazy("内容を確認し、企画課確認をしてください。"),
        ),
        Transition(
            "confirm",
            audit.ACTION_CONFIRM,
            gettext_lazy("企画課確認"),
            (SheetState.APPROVED,),
            SheetState.CONFIRMED,
            "comment",
            gettext_lazy("コメント"),
            False,
            _whole_section,
            gettext_lazy("企画課が内容を確認しました。公表をお待ちください。"),
        ),
        Transition(
            "publish",
            audit.ACTION_PUBLISH,
            gettext_lazy("公表"),
            (SheetState.CONFIRMED,),
            SheetState.PUBLISHED,
            "comment",
            gettext_lazy("コメント"),
            False,
            _whole_section,
            gettext_lazy("シートが公表されました。"),
        ),
        Transition(
            "return",
            audit.ACTION_RETURN,
            gettext_lazy("差戻し"),
            (SheetState.SUBMITTED,),
            SheetState.DRAFT,
            "reason",
            gettext_lazy("差戻しの理由"),
            True,
            _section_staff,
            gettext_lazy("差戻しの理由を確認し、修正のうえ再提出してください。"),
        ),
        Transition(
            "reopen",
            audit.ACTION_REOPEN,
            gettext_lazy("再開（下書きに戻す）"),
            (SheetState.APPROVED, SheetState.CONFIRMED, SheetState.PUBLISHED),
            SheetState.DRAFT,
            "reason",
            gettext_lazy("再開の理由"),
            True,
            _section_staff,
            gettext_lazy("理由を確認し、修正のうえ再提出してください。"),
        ),
    )
}


def display_name(user) -> str:
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.get_username()


def sheet_title(sheet) -> str:
    """741-2 定住自立圏構想事業（令和5年度）."""
    project = sheet.project
    return f"{project.code} {project.name}（{fiscal_year_label(sheet.fiscal_year)}）"


def submitter_of(sheet):
    """Who submitted the sheet most recently (from the audit trail), or None."""
    entry = (
        audit.entries_for(sheet)
        .filter(action=audit.ACTION_SUBMIT, to_state=SheetState.SUBMITTED)
        .only("actor_id")
        .first()
    )
    return entry.actor_id if entry else None


def check_allowed(sheet, user, action: str) -> Transition:
    """Raise PermissionDenied when the user's role may not take ``action`` on the sheet,
    WorkflowError when the sheet's state (or separation of duties) does not allow it."""
    transition = TRANSITIONS[action]
    if not EvaluationSheet.objects.actionable_by(user, action).filter(pk=sheet.pk).exists():
        raise PermissionDenied(_("この操作を行う権限がありません。"))
    if sheet.state not in transition.sources:
        raise WorkflowError(
            _("「%(state)s」のシートは%(action)sできません。")
            % {"state": SheetState(sheet.state).label, "action": transition.label}
        )
    if action == "approve" and submitter_of(sheet) == user.pk:
        raise WorkflowError(_("ご自身が提出したシートは承認できません。"))
    return transition


def allowed_transitions(sheet, user) -> list[Transition]:
    """The transitions the user may take on the sheet now (for the buttons)."""
    allowed = []
    for transition in TRANSITIONS.values():
        if sheet.state not in transition.sources:
            continue
        try:
            check_allowed(sheet, user, transition.action)
        except (PermissionDenied, WorkflowError):
            continue
        allowed.append(transition)
    return allowed


def clean_text(transition: Transition, text) -> str:
    """The text as stored, or WorkflowError: bounded like the sheet's own texts (the
    entry form's ``TEXT_MAX_LENGTH``, a line break counted once, the same message)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:  # PostgreSQL cannot store it; nobody types it
        raise WorkflowError(
            _("%(label)sに使用できない文字が含まれています。") % {"label": transition.text_label},
            field=transition.text_field,
        )
    if transition.text_required and not text:
        raise WorkflowError(
            _("%(label)sを入力してください。") % {"label": transition.text_label},
            field=transition.text_field,
        )
    if len(text) > TEXT_MAX_LENGTH:
        raise WorkflowError(
            JapaneseTextField.default_error_messages["max_length"]
            % {"limit_value": TEXT_MAX_LENGTH, "show_value": len(text)},
            field=transition.text_field,
        )
    return text


def _iso(value):
    return value.isoformat() if value else None


def perform(action: str, sheet, user, text: str = "") -> EvaluationSheet:
    """Take the transition ``action`` ("submit", "return", "approve", "confirm", "publish",
    "reopen": the keys of ``TRANSITIONS``) on the sheet as ``user``, with the transition's
    text (its comment, reason or 所見). The one way to move a sheet: views, tests and
    scripts name the action. Raises PermissionDenied (the role may not) or WorkflowError
    (the state or the text does not allow it)."""
    transition = TRANSITIONS[action]
    with transaction.atomic():
        # Lock the row: a second request for the same sheet waits here, then sees the new
        # state and fails its precondition instead of repeating the transition.
        locked = EvaluationSheet.objects.select_for_update().get(pk=sheet.pk)
        check_allowed(locked, user, action)  # who, then in which state
        if action == "submit" and (missing := submit_problems(locked)):
            refused = WorkflowError(
                _("提出できません。入力されていない項目が%(n)s件あります（%(first)s…）。")
                % {"n": len(missing), "first": missing[0].rstrip("。")}
            )
            refused.problems = missing  # every one, for a caller that lists them
            raise refused
        text = clean_text(transition, text)  # then what they wrote
        from_state = locked.state
        fields, changes = _step_fields(locked, action, user, text)
        locked.state = transition.target
        locked.version += 1
        locked.save(update_fields=["state", "version", "updated_at", *fields])
        audit.record(
            user,
            transition.audit_action,
            locked,
            municipality=locked.project.municipality,
            from_state=from_state,
            to_state=locked.state,
            comment=text,
            changes=changes,
        )
        _mail_on_commit(locked, user, transition, from_state, text)
        # Render the new state's PDF in the background (no 下書き mark once approved;
        # frozen once published).
        schedule_pdf(locked)
    return locked


def _step_fields(locked, action: str, user, text: str) -> tuple[list[str], dict]:
    """What a step sets besides the state: approval and the 所見 (approve), publication
    (publish), or clearing both (reopen). Returns the sheet's changed fields and the
    audit entry's changes."""
    now = timezone.now()
    if action == "approve":
        locked.approved_by = user
        locked.approved_at = now
        review, _created = Review.objects.select_for_update().get_or_create(sheet=locked)
        changes = {}
        if review.remarks and review.remarks != text:
            changes["remarks"] = [review.remarks, text]
        review.remarks = text
        review.reviewer = user
        review.reviewer_name = display_name(user)[:50]
        review.reviewed_at = now
        review.save(update_fields=["remarks", "reviewer", "reviewer_name", "reviewed_at"])
        return ["approved_by", "approved_at"], changes
    if action == "publish":
        locked.published_at = now
        return ["published_at"], {}
    if action == "reopen":
        changes = {
            "approved_at": [_iso(locked.approved_at), None],
            "published_at": [_iso(locked.published_at), None],
        }
        locked.approved_by = None
        locked.approved_at = None
        locked.published_at = None
        fields = ["approved_by", "approved_at", "published_at"]
        return fields, {key: value for key, value in changes.items() if value[0]}
    return [], {}


def _mail_on_commit(sheet, actor, transition: Transition, from_state: str, text: str):
    """Find whoever acts next now (same transaction), write and send the mail once the
    transition is committed: a rolled-back transition mails nobody."""
    recipients = list(
        transition.recipients(sheet).exclude(pk=actor.pk).values_list("email", flat=True)
    )
    if recipients:
        # robust: a mail server that is down must not undo (or 500) a committed transition.
        transaction.on_commit(
            partial(_send, sheet, actor, transition, from_state, text, recipients), robust=True
        )


def _send(sheet, actor, transition: Transition, from_state: str, text: str, recipients):
    context = {
        "title": sheet_title(sheet),
        "action": transition.label,
        "from_state": SheetState(from_state).label,
        "to_state": SheetState(sheet.state).label,
        "actor": display_name(actor),
        "text_label": transition.text_label,
        "text": text,
        "next_step": transition.next_step,
        "url": getattr(settings, "SITE_URL", "").rstrip("/")
        + reverse("sheet_detail", args=[sheet.pk]),
    }
    subject = _("［事務事業評価］%(sheet)s：%(action)s") % {
        "sheet": sheet_title(sheet),
        "action": transition.label,
    }
    body = render_to_string("evalsheets/workflow/mail.txt", context)
    # One message per recipient: nobody sees the others' addresses.
    messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
    get_connection().send_messages(messages)


# Shorthands of ``perform`` for a known action, kept for the callers that name the step.
def submit_sheet(sheet, user, comment: str = "") -> EvaluationSheet:
    """担当者: 下書き → 提出済; mails the 課's 課長."""
    return perform("submit", sheet, user, comment)


def return_sheet(sheet, user, reason: str) -> EvaluationSheet:
    """課長: 提出済 → 下書き with a reason; mails the 課's 担当者."""
    return perform("return", sheet, user, reason)


def approve_sheet(sheet, user, remarks: str) -> EvaluationSheet:
    """課長: 提出済 → 課長承認 with the 所見 (Review.remarks); mails 企画課."""
    return perform("approve", sheet, user, remarks)


def confirm_sheet(sheet, user, comment: str = "") -> EvaluationSheet:
    """企画課: 課長承認 → 企画課確認; mails the 課."""
    return perform("confirm", sheet, user, comment)


def publish_sheet(sheet, user, comment: str = "") -> EvaluationSheet:
    """企画課: 企画課確認 → 公表 (sets published_at); mails the 課."""
    return perform("publish", sheet, user, comment)


def reopen_sheet(sheet, user, reason: str) -> EvaluationSheet:
    """企画課: 課長承認 / 企画課確認 / 公表 → 下書き with a reason (clears approval and
    publication); mails the 課's 担当者."""
    return perform("reopen", sheet, user, reason)
