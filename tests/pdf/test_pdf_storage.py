"""Render once, keep it: the stored PDF, its hash, freezing, the task, the time limit."""

import hashlib
import threading
import time

import pytest

from core.choices import SheetState
from evalsheets.models import EvaluationSheet, SheetPDF
from evalsheets.pdf.render import (
    RenderTimeout,
    with_time_limit,
)
from evalsheets.pdf.storage import ensure_pdf
from evalsheets.pdf.tasks import render_sheet_pdf_task, schedule_pdf
from tests.conftest import publish
from tests.support.pdf import flat, pdf_text, reader


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_bytes(record: SheetPDF) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


def test_ensure_pdf_stores_once_and_reuses(world):
    sheet = world["sheets"]["a"]
    first = ensure_pdf(sheet)
    data = stored_bytes(first)
    assert first.file.name.startswith("pdf/432067/2023/741-2_")
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.size == len(data) and first.pages >= 2
    assert not first.frozen
    again = ensure_pdf(sheet)
    assert again.pk == first.pk
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1


def test_changed_content_renders_again_and_drops_the_stale_file(
    world, django_capture_on_commit_callbacks
):
    sheet = world["sheets"]["a"]
    first = ensure_pdf(sheet)
    old_name = first.file.name
    sheet.background = "新しい背景の説明"
    sheet.save()
    with django_capture_on_commit_callbacks(execute=True):
        second = ensure_pdf(sheet)
    assert second.pk != first.pk and second.content_hash != first.content_hash
    assert "新しい背景の説明" in pdf_text(stored_bytes(second))
    assert list(SheetPDF.objects.filter(sheet=sheet)) == [second]
    assert not second.file.storage.exists(old_name)


def test_draft_and_unapproved_sheets_carry_the_watermark(world):
    sheet = world["sheets"]["a"]
    assert sheet.state == SheetState.DRAFT
    pages = reader(stored_bytes(ensure_pdf(sheet))).pages
    assert all("下書き" in flat(page.extract_text()) for page in pages)  # every page
    sheet.state = SheetState.SUBMITTED
    sheet.save()
    assert "下書き" in flat(pdf_text(stored_bytes(ensure_pdf(sheet))))
    publish(sheet)
    assert "下書き" not in flat(pdf_text(stored_bytes(ensure_pdf(sheet))))


def test_published_pdf_is_frozen_and_never_rendered_again(world):
    sheet = publish(world["sheets"]["a"])
    frozen = ensure_pdf(sheet)
    assert frozen.frozen and frozen.sheet_version == sheet.version
    data = stored_bytes(frozen)

    sheet.background = "公表後に書き換えた文章"
    sheet.save()
    again = ensure_pdf(EvaluationSheet.objects.get(pk=sheet.pk))

    assert again.pk == frozen.pk
    assert stored_bytes(again) == data
    assert hashlib.sha256(stored_bytes(again)).hexdigest() == frozen.sha256
    assert "公表後に書き換えた文章" not in pdf_text(stored_bytes(again))
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1


def test_pdf_rendered_before_publication_is_frozen_when_published(world):
    sheet = world["sheets"]["a"]
    sheet.state = SheetState.SUBMITTED
    sheet.save()
    draft_pdf = ensure_pdf(sheet)
    publish(sheet)
    published = ensure_pdf(sheet)
    assert published.pk != draft_pdf.pk and published.frozen  # no watermark now
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1


def test_schedule_pdf_renders_in_the_background_after_commit(
    world, django_capture_on_commit_callbacks
):
    sheet = world["sheets"]["b"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_pdf(sheet)
        assert not SheetPDF.objects.filter(sheet=sheet).exists()  # not before commit
    assert len(callbacks) == 1
    stored = SheetPDF.objects.get(sheet=sheet)
    assert stored.pages >= 1


def test_task_returns_the_stored_pdf(world):
    sheet = world["sheets"]["x"]
    result = render_sheet_pdf_task.enqueue(sheet.pk)
    stored = SheetPDF.objects.get(sheet=sheet)
    assert result.return_value == {
        "pdf_id": stored.pk,
        "sha256": stored.sha256,
        "pages": stored.pages,
    }
    assert render_sheet_pdf_task.enqueue(999999).return_value is None


def test_time_limit_in_the_main_thread():
    with pytest.raises(RenderTimeout):
        with_time_limit(time.sleep, 2, seconds=0.05)
    assert with_time_limit(sum, [1, 2], seconds=1) == 3


def test_time_limit_outside_the_main_thread():
    outcome = {}

    def worker():
        try:
            with_time_limit(time.sleep, 1, seconds=0.05)
        except RenderTimeout as exc:
            outcome["error"] = exc
        outcome["after"] = with_time_limit(sum, [1, 2], seconds=5)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert isinstance(outcome.get("error"), RenderTimeout)
    assert outcome["after"] == 3


def test_a_render_over_the_limit_is_stopped(world):
    with pytest.raises(RenderTimeout):
        ensure_pdf(world["sheets"]["a"], seconds=0.001)
    assert not SheetPDF.objects.exists()
