"""User text cannot make WeasyPrint fetch anything: it is escaped by the template,
and the URL fetcher refuses everything but the project's own static files."""

import select
import socket

import pytest
from django.db import models

from evalsheets.models import (
    ActivityIndicator,
    EvaluationSheet,
    OutcomeIndicator,
    Project,
    Review,
    ScheduleEntry,
    ScheduleItem,
    SubProject,
)
from evalsheets.pdf.render import PDF_STATIC_ROOT, RefusedURL, StaticOnlyFetcher, document_from_html
from tests.support.pdf import flat, pdf_text, render_pdf


@pytest.fixture
def listener():
    """A local TCP listener on an ephemeral port: it must never see a connection."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections(server) -> int:
    count = 0
    while select.select([server], [], [], 0.2)[0]:
        conn, _addr = server.accept()
        conn.close()
        count += 1
    return count


def payload(port: int) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/x">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
        f"<style>@import url(http://127.0.0.1:{port}/i.css);"
        f"*{{background:url(http://127.0.0.1:{port}/y)}}</style>"
        f'<span style="background:url(http://127.0.0.1:{port}/z)">x</span>'
        '<img src="file:///etc/passwd"> file:///etc/passwd '
        '<img src="data:image/svg+xml;base64,PHN2Zy8+">'
    )


def short_payload(port: int) -> str:
    return f'<img src="http://127.0.0.1:{port}/x">url(http://127.0.0.1:{port}/y)'


def poison(obj, port: int, skip=()):
    changed = []
    for field in obj._meta.get_fields():
        if field.name in skip or getattr(field, "choices", None):
            continue
        if isinstance(field, models.TextField):
            setattr(obj, field.name, payload(port))
        elif isinstance(field, models.CharField):
            setattr(obj, field.name, short_payload(port)[: field.max_length])
        else:
            continue
        changed.append(field.name)
    obj.save()
    return changed


def poison_sheet(sheet: EvaluationSheet, port: int):
    poison(sheet, port)
    poison(Project.objects.get(pk=sheet.project_id), port, skip={"code"})
    review, _ = Review.objects.get_or_create(sheet=sheet)
    poison(review, port)
    for sub in SubProject.objects.filter(sheet=sheet):
        poison(sub, port)
        for indicator in ActivityIndicator.objects.filter(sub_project=sub):
            poison(indicator, port)
    for indicator in OutcomeIndicator.objects.filter(sheet=sheet):
        poison(indicator, port)
    for item in ScheduleItem.objects.filter(sheet=sheet):
        poison(item, port)
    for entry in ScheduleEntry.objects.filter(item__sheet=sheet):
        poison(entry, port)


@pytest.mark.parametrize("code", ["741-2", "40-106", "6-1-1"])
def test_hostile_text_is_printed_literally_and_fetches_nothing(demo_data, listener, code):
    port = listener.getsockname()[1]
    sheet = EvaluationSheet.objects.get(project__code=code)
    poison_sheet(sheet, port)

    rendered = render_pdf(EvaluationSheet.objects.get(pk=sheet.pk))

    assert rendered.fetcher.attempts == []  # escaped: WeasyPrint saw no URL at all
    assert connections(listener) == 0
    assert "<img" not in rendered.html and "&lt;img" in rendered.html
    text = flat(pdf_text(rendered.pdf))
    assert flat(payload(port)) in text
    assert f"url(http://127.0.0.1:{port}/y)" in text


def test_fetcher_refuses_everything_but_static_files(tmp_path):
    fetcher = StaticOnlyFetcher()
    for url in (
        "http://127.0.0.1:9/x",
        "https://example.invalid/x.css",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        (PDF_STATIC_ROOT / ".." / "evalsheets" / "settings.py").as_uri(),
        "file://otherhost" + str(PDF_STATIC_ROOT / "pdf" / "sheet.css"),
        "data:text/css,*{color:red}",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    outside = tmp_path / "link.css"
    outside.symlink_to("/etc/passwd")
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher(root=tmp_path).fetch(outside.as_uri())
    response = fetcher.fetch((PDF_STATIC_ROOT / "pdf" / "sheet.css").as_uri())
    assert b"IPAexGothic" in response.read()
    assert len(fetcher.refused) == 7
    assert len(fetcher.attempts) == 8


def test_raw_markup_reaching_weasyprint_still_fetches_nothing(listener):
    """Defence in depth: even unescaped markup cannot reach the network or the disk."""
    port = listener.getsockname()[1]
    fetcher = StaticOnlyFetcher()
    document = document_from_html(
        f"<html><body><p>本文</p>{payload(port)}</body></html>", fetcher=fetcher
    )
    document.write_pdf()
    assert connections(listener) == 0
    assert f"http://127.0.0.1:{port}/x" in fetcher.refused
    assert f"http://127.0.0.1:{port}/i.css" in fetcher.refused
    assert f"http://127.0.0.1:{port}/y" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert all(url in fetcher.refused for url in fetcher.attempts)
