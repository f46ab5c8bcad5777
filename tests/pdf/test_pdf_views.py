"""The PDF download: who may fetch it, and what comes back."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from evalsheets.models import SheetPDF
from tests.conftest import publish
from tests.support.pdf import pdf_text, reader


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(sheet):
    return reverse("sheet_pdf", args=[sheet.pk])


@pytest.mark.parametrize(
    ("user", "sheet", "status"),
    [
        ("staff_a", "a", 200),  # own 課
        ("chief_a", "a", 200),
        ("planning", "a", 200),  # 企画課: whole municipality
        ("viewer", "b", 200),
        ("staff_b", "a", 404),  # another 課's draft
        ("chief_b", "a", 404),
        ("planning_other", "a", 404),  # another municipality
        ("staff_a", "x", 404),
    ],
)
def test_permissions(client, world, user, sheet, status):
    client.force_login(world["users"][user])
    response = client.get(url(world["sheets"][sheet]))
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(url(world["sheets"]["a"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_published_sheet_of_another_section_is_visible(client, world):
    publish(world["sheets"]["a"])
    client.force_login(world["users"]["staff_b"])
    assert client.get(url(world["sheets"]["a"])).status_code == 200


def test_serves_the_stored_file_with_a_japanese_filename(client, world):
    sheet = world["sheets"]["a"]
    client.force_login(world["users"]["staff_a"])
    response = client.get(url(sheet))
    data = b"".join(response.streaming_content)
    stored = SheetPDF.objects.get(sheet=sheet)
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote('741-2_定住自立圏構想事業.pdf')}" in disposition
    assert response["ETag"] == f'"{stored.sha256}"'
    with stored.file.open("rb") as handle:
        assert data == handle.read()
    assert len(reader(data).pages) == stored.pages
    assert "定住自立圏構想事業" in pdf_text(data)
    # a second download serves the same stored file, no new render
    again = client.get(url(sheet))
    assert b"".join(again.streaming_content) == data
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1


def test_missing_file_is_rendered_again(client, world):
    sheet = world["sheets"]["a"]
    client.force_login(world["users"]["staff_a"])
    client.get(url(sheet))
    stored = SheetPDF.objects.get(sheet=sheet)
    stored.file.storage.delete(stored.file.name)
    response = client.get(url(sheet))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1


def test_detail_page_links_to_the_pdf(client, world):
    sheet = world["sheets"]["a"]
    client.force_login(world["users"]["staff_a"])
    response = client.get(reverse("sheet_detail", args=[sheet.pk]))
    assert f'href="{url(sheet)}"' in response.content.decode()
