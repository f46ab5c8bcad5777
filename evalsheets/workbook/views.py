"""The official workbook: download (anyone who may see the sheet) and import into a draft
(whoever may edit it), with a preview before anything is saved."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from core.permissions import require
from evalsheets.entry.saving import VersionConflict
from evalsheets.models import EvaluationSheet
from evalsheets.models.querysets import get_sheet_or_404
from evalsheets.pdf.storage import pdf_filename
from evalsheets.workbook.importing import apply, preview
from evalsheets.workbook.reader import FilledWorkbook, WorkbookRefused, read_workbook
from evalsheets.workbook.writer import official_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SALT = "evalsheets.workbook.import"


class UploadForm(forms.Form):
    workbook = forms.FileField(
        label=_("入力済みのExcel（.xlsx）"),
        error_messages={"required": _("ファイルを選んでください。")},
    )


@login_required
def sheet_workbook(request, pk):
    sheet = get_object_or_404(
        EvaluationSheet.objects.visible_to(request.user).with_children(), pk=pk
    )
    response = HttpResponse(official_workbook(sheet), content_type=XLSX)
    name = pdf_filename(sheet).removesuffix(".pdf") + ".xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


def _editable(request, pk):
    sheet = get_sheet_or_404(EvaluationSheet.objects, request.user, pk)
    require(EvaluationSheet.objects.editable_by(request.user), sheet)
    return EvaluationSheet.objects.with_children().get(pk=pk)


def _token(filled: FilledWorkbook) -> str:
    return signing.dumps(
        {
            "sheet_id": filled.sheet_id,
            "version": filled.version,
            "values": filled.values,
            "labels": filled.labels,
            "cells": filled.cells,
            "multiple": sorted(filled.multiple),
        },
        salt=SALT,
        compress=True,
    )


def _from_token(token: str) -> FilledWorkbook:
    data = signing.loads(token, salt=SALT, max_age=3600)
    return FilledWorkbook(
        sheet_id=data["sheet_id"],
        version=data["version"],
        values=data["values"],
        labels=data["labels"],
        cells=data["cells"],
        multiple=set(data["multiple"]),
    )


@login_required
def sheet_workbook_import(request, pk):
    sheet = _editable(request, pk)
    context = {"sheet": sheet, "project": sheet.project, "form": UploadForm()}
    if request.method != "POST":
        return render(request, "evalsheets/workbook/import.html", context)
    if "token" in request.POST:
        return _confirm(request, sheet, context)
    form = UploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "evalsheets/workbook/import.html", context, status=400)
    try:
        filled = read_workbook(form.cleaned_data["workbook"])
    except WorkbookRefused as refused:
        form.add_error("workbook", str(refused))
        return render(request, "evalsheets/workbook/import.html", context, status=400)
    if filled.sheet_id != sheet.pk:
        form.add_error(
            "workbook",
            _("別の評価シートのExcelです。このシートからダウンロードしたExcelを選んでください。"),
        )
        return render(request, "evalsheets/workbook/import.html", context, status=400)
    context.update(preview=preview(sheet, filled), filled=filled, token=_token(filled))
    return render(request, "evalsheets/workbook/import.html", context)


def _confirm(request, sheet, context):
    try:
        filled = _from_token(request.POST["token"])
    except signing.BadSignature:
        messages.error(
            request, _("取り込みの確認の期限が切れました。もう一度ファイルを選んでください。")
        )
        return redirect("sheet_workbook_import", pk=sheet.pk)
    if filled.sheet_id != sheet.pk:
        return redirect("sheet_workbook_import", pk=sheet.pk)
    try:
        result, saved = apply(sheet, request.user, filled)
    except VersionConflict:
        current = EvaluationSheet.objects.with_children().get(pk=sheet.pk)
        context.update(
            conflict=True,
            current=current,
            preview=preview(current, filled),
            filled=filled,
        )
        return render(request, "evalsheets/workbook/import.html", context, status=409)
    if saved is None:
        context.update(preview=result, filled=filled, token=_token(filled))
        return render(request, "evalsheets/workbook/import.html", context, status=400)
    messages.success(
        request,
        _("Excelの内容を取り込みました（第%(version)s版、%(count)s項目を変更）。")
        % {"version": saved.version, "count": len(saved.changes)},
    )
    return redirect("sheet_edit", pk=sheet.pk)
