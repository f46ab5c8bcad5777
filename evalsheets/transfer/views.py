"""The year workbook page: export (企画課 and 閲覧者), import with a dry run, a preview and
a confirmation (企画課 only).

The uploaded file is kept in the default storage under ``imports/`` between the preview
and the confirmation (deleted once imported; one left unconfirmed is deleted at a later
upload once its hour has passed); the confirmation form carries a signed token (the stored name, the
file's SHA-256, the user and the municipality; valid for an hour). The import itself
plans again and writes in one transaction (``service.apply_import``).
"""

import tempfile
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.import_limits import oversized_uploads
from evalsheets.models import EvaluationSheet
from evalsheets.models.querysets import planning_profile_or_403, profile_of
from evalsheets.transfer import export
from evalsheets.transfer.forms import ConfirmForm, ExportYearForm, ImportFileForm
from evalsheets.transfer.reading import FileRefused, read_upload
from evalsheets.transfer.service import ImportRefused, apply_import, plan_import, sha256_of
from municipalities.choices import Role

SALT = "evalsheets.transfer.import"
TOKEN_MAX_AGE = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader_profile(user):
    """企画課 or 閲覧者 of a municipality; other roles 403."""
    profile = profile_of(user)
    if profile is None or profile.role not in (Role.PLANNING, Role.VIEWER):
        raise PermissionDenied
    return profile


def _years(town) -> list[int]:
    return sorted(
        set(
            EvaluationSheet.objects.filter(project__municipality=town).values_list(
                "fiscal_year", flat=True
            )
        ),
        reverse=True,
    )


def _index(request, profile, *, export_form=None, import_form=None, status=200):
    town = profile.municipality
    return render(
        request,
        "evalsheets/transfer/index.html",
        {
            "profile": profile,
            "export_form": export_form or ExportYearForm(years=_years(town)),
            "import_form": import_form
            or (ImportFileForm() if profile.role == Role.PLANNING else None),
        },
        status=status,
    )


@login_required
@require_GET
def transfer_index(request):
    return _index(request, _reader_profile(request.user))


@login_required
@require_GET
def transfer_export(request):
    profile = _reader_profile(request.user)
    town = profile.municipality
    form = ExportYearForm(request.GET, years=_years(town))
    if not form.is_valid():
        return _index(request, profile, export_form=form, status=400)
    year = form.cleaned_data["year"]
    # Through a temporary file, not memory: the response streams it (memory flat).
    handle = tempfile.TemporaryFile()
    export.write_year_workbook(handle, town, year)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=export.file_name(town, year), content_type=XLSX
    )


def _preview(request, profile, plan, token=""):
    return render(
        request,
        "evalsheets/transfer/preview.html",
        {
            "profile": profile,
            "plan": plan,
            "confirm_form": ConfirmForm(initial={"token": token}) if token else None,
        },
    )


@require_POST
@login_required
def transfer_import(request):
    """Upload → dry run → the preview (nothing is written)."""
    profile = planning_profile_or_403(request.user)
    town = profile.municipality
    form = ImportFileForm(request.POST, request.FILES, oversized=oversized_uploads(request))
    if not form.is_valid():
        return _index(request, profile, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        book = read_upload(data, upload.name)
    except FileRefused as refused:
        form.add_error("file", refused.message)
        return _index(request, profile, import_form=form, status=400)
    plan = plan_import(book, town, data=data, file_name=upload.name)
    token = ""
    if plan.ok and plan.has_changes:
        extension = ".csv" if upload.name.lower().endswith(".csv") else ".xlsx"
        sweep_expired_uploads()
        stored = default_storage.save(f"imports/{uuid.uuid4().hex}{extension}", ContentFile(data))
        token = signing.dumps(
            {
                "stored": stored,
                "sha256": plan.sha256,
                "name": upload.name[:200],
                "user": request.user.pk,
                "town": town.pk,
            },
            salt=SALT,
        )
    return _preview(request, profile, plan, token)


def sweep_expired_uploads(now=None) -> int:
    """Delete the uploads under ``imports/`` whose confirmation can no longer come (older
    than the token's hour): a preview left unconfirmed must not keep a city's data in the
    storage for ever. Run at each new upload; returns how many were deleted."""
    now = now or timezone.now()
    try:
        _dirs, names = default_storage.listdir("imports")
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"imports/{name}"
        try:
            age = (now - default_storage.get_modified_time(path)).total_seconds()
        except (FileNotFoundError, NotImplementedError):
            continue
        if age > TOKEN_MAX_AGE:
            default_storage.delete(path)
            deleted += 1
    return deleted


def _stored_file(token_data) -> bytes | None:
    name = token_data.get("stored", "")
    if not name.startswith("imports/") or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        return stored.read()


@require_POST
@login_required
def transfer_import_confirm(request):
    """The confirmation: the stored file imported in one transaction."""
    profile = planning_profile_or_403(request.user)
    town = profile.municipality
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["token"], salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        messages.error(
            request,
            "取り込みの確認の期限が切れたか、内容が正しくありません。もう一度ファイルを選んでください。",
        )
        return redirect("transfer_index")
    if data.get("user") != request.user.pk or data.get("town") != town.pk:
        raise PermissionDenied
    content = _stored_file(data)
    if content is None or sha256_of(content) != data.get("sha256"):
        messages.error(
            request, "取り込むファイルが見つかりません。もう一度ファイルを選んでください。"
        )
        return redirect("transfer_index")
    try:
        plan = apply_import(
            read_upload(content, data["name"]),
            town,
            request.user,
            data=content,
            file_name=data["name"],
        )
    except FileRefused as refused:  # pragma: no cover - read once already at the preview
        messages.error(request, refused.message)
        return redirect("transfer_index")
    except ImportRefused as refused:  # the database changed since the preview
        return _preview(request, profile, refused.plan)
    default_storage.delete(data["stored"])
    summary = "、".join(
        f"{title} 追加{c['create']}件・更新{c['update']}件"
        for title, c in plan.table_counts()
        if c["create"] or c["update"] or c["delete"]
    )
    messages.success(request, f"「{data['name']}」を取り込みました。{summary}")
    return redirect("transfer_index")
