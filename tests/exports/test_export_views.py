"""The 企画課's bulk export pages, the public frozen PDF, and PDFs rendered after each change."""

import hashlib

import pytest
from django.test import Client

from core.choices import ExportKind, ExportStatus, SheetState
from evalsheets.models import EvaluationSheet, ExportJob, SheetPDF
from evalsheets.workflow import transitions as services
from municipalities.models import PlanNode
from tests.support.entry import make_draft, post_data, read_form, user
from tests.support.exports import zip_members
from tests.support.pdf import flat, pdf_text
from tests.support.workflow import advance


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def planning_client(username="tamana-planning"):
    client = Client()
    client.force_login(user(username))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --------------------------------------------------------------- export pages


def test_planning_starts_a_zip_and_downloads_it(demo_data, django_capture_on_commit_callbacks):
    client = planning_client()
    page = client.get("/exports/")
    assert page.status_code == 200 and "PDFの一括出力" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # ImmediateBackend: runs here
        response = client.post("/exports/", {"year": "2023", "kind": "zip", "scope": "year"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (job.status, job.done, job.total) == (ExportStatus.DONE, 2, 2)
    assert job.requested_by.username == "tamana-planning"
    html = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in html  # finished: nothing to refresh
    assert f'href="/exports/{job.pk}/download/"' in html and "完了" in html
    download = client.get(f"/exports/{job.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    assert len(zip_members(body(download))) == 2
    assert f"/exports/{job.pk}/" in client.get("/exports/").content.decode()  # recent jobs


def test_booklet_from_the_form(demo_data, django_capture_on_commit_callbacks):
    client = planning_client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/", {"year": "2023", "kind": "booklet", "scope": "year"})
    job = ExportJob.objects.get()
    assert job.kind == ExportKind.BOOKLET and job.parameters["scope"] == "year"
    download = client.get(f"/exports/{job.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert body(download).startswith(b"%PDF")


def test_the_status_endpoint_while_a_job_runs(demo_data):
    client = planning_client()
    town = user("tamana-planning").profile.municipality
    job = ExportJob.objects.create(
        municipality=town,
        kind=ExportKind.ZIP,
        parameters={"year": 2023},
        status=ExportStatus.RUNNING,
        done=3,
        total=10,
    )
    data = client.get(f"/exports/{job.pk}/status/").json()
    assert data == {
        "id": job.pk,
        "status": "running",
        "status_label": "作成中",
        "done": 3,
        "total": 10,
        "percent": 30,
        "step": "シートを作成しています。",
        "finished": False,
        "download_url": None,
        "file_name": "",
        "error": "",
    }
    html = client.get(f"/exports/{job.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert '<progress id="export-progress" max="10" value="3">' in html
    assert 'data-active="1"' in html and "js/export.js" in html
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404  # not ready
    assert '<span id="export-step" aria-live="polite">シートを作成しています。</span>' in html
    ExportJob.objects.filter(pk=job.pk).update(done=10)
    data = client.get(f"/exports/{job.pk}/status/").json()
    assert data["percent"] == 100 and data["step"] == "ZIPファイルにまとめています。"


def test_the_step_after_the_sheets_names_what_is_left(demo_data):
    """The bar is full once every sheet is laid out; the step says what still runs."""
    town = user("tamana-planning").profile.municipality

    def job(kind, status=ExportStatus.RUNNING, done=5, **parameters):
        return ExportJob(
            municipality=town,
            kind=kind,
            parameters={"year": 2023, **parameters},
            status=status,
            done=done,
            total=5,
        )

    assert job(ExportKind.BOOKLET, done=4).step_label == "シートを作成しています。"
    assert job(ExportKind.BOOKLET).step_label == "表紙と目次を作成し、1冊にまとめています。"
    assert job(ExportKind.BOOKLET, scope="year").step_label.endswith("1冊にまとめています。")
    assert (
        job(ExportKind.BOOKLET, scope="policy").step_label
        == "表紙を作成し、施策ごとの冊子にまとめています。"
    )
    assert job(ExportKind.ZIP, done=0, status=ExportStatus.QUEUED).step_label == (
        "作成の順番を待っています。"
    )
    assert job(ExportKind.ZIP, status=ExportStatus.DONE).step_label == ""
    assert job(ExportKind.ZIP, status=ExportStatus.FAILED).step_label == ""


def test_form_errors_are_shown_and_start_nothing(demo_data):
    client = planning_client()
    other_node = PlanNode.objects.exclude(plan__municipality__code="432067").first()
    cases = [
        ({"year": "1999", "kind": "zip"}, "year"),
        ({"year": "2023", "kind": "pdf"}, "kind"),
        ({"year": "2023", "kind": "zip", "plan_node": other_node.pk}, "plan_node"),
        ({"year": "2023", "kind": "zip", "state": "draft"}, None),  # no draft in the demo
    ]
    for data, field in cases:
        response = client.post("/exports/", data)
        assert response.status_code == 200
        form = response.context["form"]
        if field:
            assert field in form.errors
        else:
            assert "条件に合う評価シートはありません" in str(form.non_field_errors())
        assert 'role="alert"' in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("username", ["tamana-staff", "tamana-chief", "tamana-viewer"])
def test_other_roles_may_not_start_an_export(demo_data, username):
    client = planning_client(username)
    assert client.post("/exports/", {"year": "2023", "kind": "zip"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_jobs_of_another_municipality_are_not_found(demo_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        planning_client().post("/exports/", {"year": "2023", "kind": "zip"})
    job = ExportJob.objects.get()
    other = planning_client("isehara-planning")
    for suffix in ("", "status/", "download/"):
        assert other.get(f"/exports/{job.pk}/{suffix}").status_code == 404
    assert f"/exports/{job.pk}/" not in other.get("/exports/").content.decode()


def test_planning_home_links_the_export(demo_data):
    assert 'href="/exports/"' in planning_client().get("/").content.decode()
    assert 'href="/exports/"' not in planning_client("tamana-viewer").get("/").content.decode()


# --------------------------------------------------------------- render once, keep it


def stored(record) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


def test_each_transition_renders_the_pdf_and_publishing_freezes_it(
    world, django_capture_on_commit_callbacks
):
    sheet = world["sheets"]["a"]
    with django_capture_on_commit_callbacks(execute=True):
        advance(world, SheetState.SUBMITTED)
    assert SheetPDF.objects.filter(sheet=sheet, frozen=False).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        sheet = services.perform("approve", sheet, world["users"]["chief_a"], "妥当です。")
        sheet = services.perform("confirm", sheet, world["users"]["planning"])
        sheet = services.perform("publish", sheet, world["users"]["planning"])
    frozen = SheetPDF.objects.get(sheet=sheet, frozen=True)
    assert frozen.sheet_version == sheet.version
    assert hashlib.sha256(stored(frozen)).hexdigest() == frozen.sha256
    # Reopened and published again: a new frozen PDF for the new version; the old one stays.
    with django_capture_on_commit_callbacks(execute=True):
        sheet = services.perform("reopen", sheet, world["users"]["planning"], "訂正")
    assert SheetPDF.objects.filter(pk=frozen.pk, frozen=True).exists()


def test_saving_the_entry_form_renders_the_new_content(
    demo_data, django_capture_on_commit_callbacks
):
    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2"))
    client = Client()
    client.force_login(user("tamana-staff"))
    data, _kinds, _options = read_form(client.get(f"/sheets/{sheet.pk}/edit/").content)
    data["sheet-background"] = ["PDFに反映される新しい背景"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/sheets/{sheet.pk}/edit/", post_data(data)).status_code == 302
    record = SheetPDF.objects.get(sheet=sheet)
    assert "PDFに反映される新しい背景" in flat(pdf_text(stored(record)))
    # The download uses that stored file: nothing is rendered again.
    response = client.get(f"/sheets/{sheet.pk}/pdf/")
    assert body(response) == stored(record)
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1


# --------------------------------------------------------------- public PDF


def test_public_pdf_is_the_frozen_file(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sheet = advance(world, SheetState.PUBLISHED)
    frozen = SheetPDF.objects.get(sheet=sheet, frozen=True, sheet_version=sheet.version)
    response = Client().get("/public/432067/2023/741-2/pdf/")
    data = body(response)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert data == stored(frozen)
    assert hashlib.sha256(data).hexdigest() == frozen.sha256
    assert response["ETag"] == f'"{frozen.sha256}"'
    # The list and the sheet page link it.
    assert "/public/432067/2023/741-2/pdf/" in Client().get("/public/432067/2023/").content.decode()
    # Changing the data afterwards changes nothing in the published PDF.
    EvaluationSheet.objects.filter(pk=sheet.pk).update(background="後から変えた文章")
    assert body(Client().get("/public/432067/2023/741-2/pdf/")) == data


def test_public_pdf_of_anything_unpublished_is_404(world):
    assert Client().get("/public/432067/2023/741-2/pdf/").status_code == 404  # 下書き
    advance(world, SheetState.CONFIRMED)  # approved and confirmed, not published
    assert Client().get("/public/432067/2023/741-2/pdf/").status_code == 404
    assert Client().get("/public/432067/2023/999-9/pdf/").status_code == 404
    assert Client().get("/public/142140/2023/40-106/pdf/").status_code == 404
    assert not SheetPDF.objects.exists()
