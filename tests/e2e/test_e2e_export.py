"""The 企画課 of 玉名 exports the demo year as a ZIP and as a booklet from the browser."""

import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import expect

from core.choices import ExportKind, ExportStatus
from evalsheets.exports import bulk as bulk_export
from evalsheets.models import ExportJob
from municipalities.models import Municipality
from tests.e2e.conftest import ARTIFACTS, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def start(page, kind_label, scope_label=None):
    page.goto("/exports/")
    page.get_by_label(kind_label).check()
    if scope_label:
        page.get_by_label(scope_label).check()
    page.get_by_role("button", name="作成を開始する").click()
    page.wait_for_load_state()
    # ImmediateBackend: the job ran during the request; the page shows it finished.
    assert page.locator("#export-status").inner_text() == "完了"
    progress = page.locator("#export-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "2"
    with page.expect_download() as info:
        page.get_by_role("link", name="ダウンロード").click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_planning_exports_zip_and_booklet(new_page, demo_data):
    page = new_page()
    login(page, "tamana-planning")
    page.get_by_role("link", name="PDFの一括出力（ZIP・冊子）").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=re.compile("PDFの一括出力")).is_visible()

    name, data = start(page, "PDF一式（ZIP：1シート1ファイル）")
    assert name == "玉名市_令和5年度_評価シート_PDF.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == [
            "741-2_定住自立圏構想事業.pdf",
            "741-3_連携中枢都市圏構想推進事業.pdf",
        ]
    screenshot(page, "export-job-done")

    name, data = start(page, "冊子PDF（表紙・目次・通しページ）", "年度全体で1冊")
    assert name == "玉名市_令和5年度_評価シート_冊子.pdf"
    reader = pypdf.PdfReader(io.BytesIO(data))
    cover = re.sub(r"\s+", "", reader.pages[1].extract_text())
    assert cover.startswith("主要施策名：（４）広域連携の推進")
    assert "741-2" in cover and "741-3" in cover and "事務事業本数：2" in cover
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "booklet-tamana-2023.pdf").write_bytes(data)


def test_progress_bar_follows_a_running_job(new_page, demo_data):
    town = Municipality.objects.get(code="432067")
    planner = town.staff.get(role="planning").user
    finished = bulk_export.create_job(planner, town, ExportKind.BOOKLET, {"year": 2023})
    bulk_export.run_job(finished.pk)
    job = bulk_export.create_job(planner, town, ExportKind.ZIP, {"year": 2023})
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, done=1)
    page = new_page()
    login(page, "tamana-planning")
    page.goto(f"/exports/{job.pk}/")
    assert page.locator("#export-status").inner_text() == "作成中"
    assert page.locator("#export-progress").get_attribute("value") == "1"
    assert "1 / 2 件（50%）" in page.locator("#export-progress-text").inner_text()
    assert page.locator("#export-step").inner_text() == "シートを作成しています。"
    screenshot(page, "export-job-running")
    # Every sheet done, the file not yet: the polled status says what is left.
    ExportJob.objects.filter(pk=job.pk).update(done=2)
    # (A locator, not wait_for_function: the Content Security Policy forbids the eval of
    # a string expression in the page.)
    step = page.locator("#export-step")
    expect(step).to_have_text("ZIPファイルにまとめています。", timeout=10000)
    assert "2 / 2 件（100%）" in page.locator("#export-progress-text").inner_text()
    assert page.locator("#export-status").inner_text() == "作成中"
    page.goto("/exports/")
    page.set_viewport_size({"width": 1280, "height": 1100})
    screenshot(page, "export-form")  # docs/screenshots/export.png is a copy of this one

    # The worker finishes the job: the page (polling the status endpoint) reloads by itself.
    page.goto(f"/exports/{job.pk}/")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED, done=0)
    bulk_export.run_job(job.pk)
    page.get_by_role("link", name="ダウンロード").wait_for(timeout=15000)
    assert page.locator("#export-status").inner_text() == "完了"


def test_no_javascript_page_refreshes_itself(browser, live_server, demo_data):
    town = Municipality.objects.get(code="432067")
    job = bulk_export.create_job(None, town, ExportKind.ZIP, {"year": 2023})
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        login(page, "tamana-planning")
        page.goto(f"/exports/{job.pk}/")
        assert page.locator("#export-status").inner_text() == "待機中"
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)
        bulk_export.run_job(job.pk)
        page.get_by_role("link", name="ダウンロード").wait_for(timeout=10000)  # <meta refresh>
    finally:
        context.close()
        from django.db import connections

        connections.close_all()
