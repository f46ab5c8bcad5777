"""Entry form of a draft sheet: edit, save (partly, when some inputs are invalid), conflicts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.permissions import require
from evalsheets.entry.bundle import SheetEntry
from evalsheets.entry.saving import VersionConflict, save_sheet
from evalsheets.entry.sections import entry_sections
from evalsheets.models import EvaluationSheet
from evalsheets.models.querysets import get_sheet_or_404, profile_of
from evalsheets.sheets.display import load_sheet_for_display, sheet_context
from evalsheets.workflow.audit import ACTION_EDIT, entries_for
from evalsheets.workflow.transitions import display_name
from municipalities.choices import Role

TEMPLATE = "evalsheets/entry/edit.html"


def is_staff_of_section(user, sheet) -> bool:
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role == Role.STAFF
        and profile.section_id == sheet.project.section_id
    )


def _load(user, pk):
    return load_sheet_for_display(EvaluationSheet.objects.editable_by(user), pk)


def _version(text):
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


@login_required
def sheet_edit(request, pk):
    # An outsider gets 404 (the sheet's existence is not revealed); a visible sheet the
    # user may not edit (課長, 閲覧者, 企画課, a submitted sheet) gets 403.
    sheet = get_sheet_or_404(EvaluationSheet.objects, request.user, pk)
    require(EvaluationSheet.objects.editable_by(request.user), sheet)
    sheet = _load(request.user, pk)
    if request.method != "POST":
        if not sheet.author_name and is_staff_of_section(request.user, sheet):
            # 作成者（担当者）: the 担当者 who fills in the sheet, proposed when blank and
            # stored with the first save (the sheet page and the PDF show the stored name).
            sheet.author_name = display_name(request.user)[:50]
        return _render(request, SheetEntry(sheet))

    expected = _version(request.POST.get("version"))
    if expected is None:
        return HttpResponseBadRequest(
            _("フォームの版情報がありません。編集画面を開き直してください。")
        )
    entry = SheetEntry(sheet, data=request.POST)
    if expected != sheet.version:
        return _conflict(request, sheet, entry, expected)
    valid = entry.is_valid()
    try:
        result = save_sheet(sheet, request.user, entry.changes(), expected_version=expected)
    except VersionConflict:
        return _conflict(request, _load(request.user, pk), entry, expected)

    if valid:
        if result.changes:
            messages.success(
                request,
                _("下書きを保存しました（第%(version)s版、%(count)s項目を変更）。")
                % {"version": result.version, "count": len(result.changes)},
            )
        else:
            messages.info(request, _("変更はありませんでした。"))
        return redirect("sheet_edit", pk=sheet.pk)

    # Some inputs are invalid: the valid ones are saved, the invalid ones are shown again
    # exactly as typed with their errors. Rows created by this save get their new ids so
    # that the next save updates them instead of creating them again.
    data = request.POST.copy()
    data["version"] = str(result.version)
    for (prefix, index), new_pk in result.created.items():
        data[f"{prefix}-{index}-id"] = str(new_pk)
    for prefix, index in result.deleted:
        data[f"{prefix}-{index}-id"] = ""
    entry = SheetEntry(_load(request.user, pk), data=data)
    entry.is_valid()
    return _render(request, entry, saved=result, status=200)


def _render(request, entry, *, saved=None, status=200):
    sheet = entry.sheet
    context = sheet_context(sheet)
    context.update(
        {
            "entry": entry,
            "cost_rows": entry.layout.cost_rows,
            "entry_sections": entry_sections(entry) if entry.layout.generated_entry else (),
            "show_personnel": entry.layout.personnel,
            "saved": saved,
            "has_errors": entry.is_bound and not entry.is_valid(),
        }
    )
    return render(request, TEMPLATE, context, status=status)


def _conflict(request, current, yours, expected):
    theirs = SheetEntry(current)
    yours.is_valid()
    stored = {
        name: (label, shown, comparable)
        for _s, label, name, shown, comparable in theirs.field_rows()
    }
    rows, seen = [], set()
    for section, label, name, shown, comparable in yours.field_rows():
        seen.add(name)
        _label, theirs_shown, theirs_cmp = stored.get(name, (label, "", ""))
        rows.append(
            {
                "section": section,
                "label": label,
                "name": name,
                "theirs": theirs_shown,
                "yours": shown,
                "differs": theirs_cmp != comparable,
            }
        )
    for section, label, name, shown, comparable in theirs.field_rows():
        if name not in seen:
            rows.append(
                {
                    "section": section,
                    "label": label,
                    "name": name,
                    "theirs": shown,
                    "yours": "",
                    "differs": comparable not in ("", (), False),
                }
            )
    last = next((e for e in entries_for(current) if e.action == ACTION_EDIT), None)
    return render(
        request,
        "evalsheets/entry/conflict.html",
        {
            "sheet": current,
            "project": current.project,
            "rows": rows,
            "differing": [r for r in rows if r["differs"]],
            "same": [r for r in rows if not r["differs"]],
            "expected": expected,
            "last": last,
            # The newer save is the user's own, from another window or tab.
            "by_self": last is not None and last.actor_id == request.user.pk,
        },
        status=409,
    )
