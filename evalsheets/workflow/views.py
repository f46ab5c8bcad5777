"""Workflow endpoints (POST only) and what the sheet page shows of the workflow.

Views stay thin: fetch the sheet through ``visible_to`` (an outsider gets 404), let the
service decide (PermissionDenied → 403, WorkflowError → a message), re-show the page
with the user's text and a Japanese error next to the field when the text is wrong.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.choices import SheetState
from core.wareki import wareki_datetime
from evalsheets.models import EvaluationSheet, Review
from evalsheets.models.querysets import get_sheet_or_404
from evalsheets.sheets.display import load_sheet_for_display, sheet_context
from evalsheets.workflow import audit
from evalsheets.workflow import transitions as services
from evalsheets.workflow.audit import ACTION_COPY, ACTION_CREATE, ACTION_EDIT
from evalsheets.workflow.checks import submit_problems
from evalsheets.workflow.forms import TransitionForm
from evalsheets.workflow.history import describe_all
from evalsheets.workflow.transitions import TRANSITIONS, WorkflowError

# What the history calls each action of a sheet's audit trail: a transition by its button.
ACTION_LABELS = {
    **{t.audit_action: t.label for t in TRANSITIONS.values()},
    ACTION_CREATE: gettext_lazy("作成"),  # opening a year, a project without an earlier sheet
    ACTION_EDIT: gettext_lazy("編集"),  # the entry form's save (entry.saving.save_sheet)
    ACTION_COPY: gettext_lazy("前年度から複写"),  # opening a year, copied from the latest sheet
}
# What the sheet waits for, for a user who has nothing to do on it now.
WAITING_FOR = {
    SheetState.DRAFT: gettext_lazy("担当者が作成中です（提出待ち）。"),
    SheetState.SUBMITTED: gettext_lazy("課長の承認待ちです。"),
    SheetState.APPROVED: gettext_lazy("企画課の確認待ちです。"),
    SheetState.CONFIRMED: gettext_lazy("公表待ちです。"),
}
EXTRA_FIELD_LABELS = {"remarks": Review._meta.get_field("remarks").verbose_name}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def state_label(state: str) -> str:
    return SheetState(state).label if state in SheetState.values else state


def field_label(name: str) -> str:
    if name in EXTRA_FIELD_LABELS:
        return EXTRA_FIELD_LABELS[name]
    try:
        return EvaluationSheet._meta.get_field(name).verbose_name
    except Exception:  # FieldDoesNotExist: a key written by another module; show it as is
        return name


def value_text(value) -> str:
    if value is None or value == "":
        return _("（なし）")
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value else None
        if isinstance(moment, datetime.datetime):
            return wareki_datetime(moment)
        return value
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value)
    return str(value)


@dataclass
class HistoryRow:
    when: datetime.datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    comment: str
    changes: list = field(default_factory=list)


def _old_new(change) -> tuple[str, str]:
    """{field: [old, new]} is the audit format; anything else is shown as the new value."""
    if isinstance(change, list | tuple) and len(change) == 2:
        return value_text(change[0]), value_text(change[1])
    return value_text(None), value_text(change)


HISTORY_PER_PAGE = 20  # a sheet saved hundreds of times keeps a short page


def history_rows(sheet, entries=None) -> list[HistoryRow]:
    """The sheet's audit entries (newest first; ``entries``: one page of them) as rows."""
    rows = []
    for entry in audit.entries_for(sheet) if entries is None else entries:
        changes = []
        if entry.action == ACTION_EDIT:  # the entry form's keys, in Japanese
            changes = describe_all(entry.changes, sheet.layout)
        elif isinstance(entry.changes, dict):
            for name, change in entry.changes.items():
                changes.append((field_label(name), *_old_new(change)))
        rows.append(
            HistoryRow(
                when=timezone.localtime(entry.created_at),
                actor=services.display_name(entry.actor) if entry.actor else _("（不明）"),
                action=entry.action,
                action_label=action_label(entry.action),
                from_state=state_label(entry.from_state) if entry.from_state else "",
                to_state=state_label(entry.to_state) if entry.to_state else "",
                comment=entry.comment,
                changes=changes,
            )
        )
    return rows


def workflow_context(request, sheet, bound: TransitionForm | None = None) -> dict:
    """``workflow_forms`` (what the user may do now) and ``history`` for the sheet page."""
    forms = []
    for transition in services.allowed_transitions(sheet, request.user):
        if bound is not None and bound.transition.action == transition.action:
            form = bound
        else:
            initial = {}
            if transition.action == "approve":
                try:
                    initial["remarks"] = sheet.review.remarks
                except Review.DoesNotExist:
                    pass
            form = TransitionForm(transition, initial=initial)
        form.url = reverse(f"sheet_{transition.action}", args=[sheet.pk])
        forms.append(form)
    entries = audit.entries_for(sheet)
    page = Paginator(entries, HISTORY_PER_PAGE).get_page(request.GET.get("history"))
    # The latest step (with its comment or reason) next to the buttons: a 課長 reads
    # the 担当者's note before deciding, a 担当者 the reason of a 差戻し. It may lie
    # beyond the first page of the history (many saves since).
    last = entries.filter(action__in=[t.audit_action for t in TRANSITIONS.values()])[:1]
    offers_submit = any(form.transition.action == "submit" for form in forms)
    return {
        "workflow_forms": forms,
        "submit_problems": submit_problems(sheet) if offers_submit else (),
        "workflow_waiting": "" if forms else WAITING_FOR.get(sheet.state, ""),
        "workflow_last": next(iter(history_rows(sheet, last)), None),
        "history": history_rows(sheet, page.object_list),
        "history_page": page,
    }


@require_POST
def transition(request, pk, action):
    user = request.user
    if not user.is_authenticated:
        # Back to the sheet after logging in (the endpoint itself answers POST only).
        return redirect_to_login(reverse("sheet_detail", args=[pk]))
    sheet = get_sheet_or_404(EvaluationSheet.objects, user, pk)
    detail = redirect("sheet_detail", pk=sheet.pk)
    try:
        step = services.check_allowed(sheet, user, action)  # PermissionDenied → 403
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return detail
    form = TransitionForm(step, request.POST)
    if form.is_valid():
        try:
            services.perform(action, sheet, user, form.text)
        except WorkflowError as exc:
            if exc.field is None:
                messages.error(request, exc.message)
                return detail
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request,
                _("「%(action)s」を行いました。") % {"action": step.label},
            )
            return detail
    # Show the page again with the user's text and the error next to the field.
    sheet = load_sheet_for_display(EvaluationSheet.objects.visible_to(user), pk)
    context = sheet_context(sheet)
    context.update(workflow_context(request, sheet, bound=form))
    return render(request, "evalsheets/sheet_detail.html", context)
