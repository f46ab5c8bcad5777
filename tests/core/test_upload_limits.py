"""Uploads and request bodies are bounded (issue 11, finding 5).

The admin's import refuses a file over 10 MB or over 50,000 rows before reading it all,
with a Japanese message next to the file field; Django's own body limits answer a
Japanese 400 page, never a 500.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from core.import_limits import import_max_bytes, import_max_rows, oversized_uploads
from municipalities.models import Department

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:municipalities_department_import"
HEADER = "municipality,name,head_name,sort_order\r\n"


def csv_rows(count: int) -> bytes:
    body = "".join(f"432067,部{i},部長{i},{i}\r\n" for i in range(count))
    return (HEADER + body).encode()


def xlsx_rows(count: int) -> bytes:
    book = Workbook(write_only=True)
    ws = book.create_sheet()
    ws.append(["municipality", "name", "head_name", "sort_order"])
    for i in range(count):
        ws.append(["432067", f"部{i}", f"部長{i}", i])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def format_index(admin_client, title: str) -> str:
    from django.contrib import admin

    formats = admin.site._registry[Department].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == title))


def upload(admin_client, content: bytes, name: str, title: str):
    return admin_client.post(
        reverse(IMPORT_URL),
        {
            "resource": "0",
            "format": format_index(admin_client, title),
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def field_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get("import_file", [])]


def test_the_stated_limits():
    assert import_max_bytes() == 10 * 1024 * 1024
    assert import_max_rows() == 50_000


def test_the_import_page_states_the_limits(admin_client, world):
    page = admin_client.get(reverse(IMPORT_URL)).content.decode()
    assert "10 MB" in page and "50,000行" in page


def test_a_file_over_10_mb_is_refused_with_a_message(admin_client, world):
    content = csv_rows(1) + b"#" * (10 * 1024 * 1024)
    response = upload(admin_client, content, "big.csv", "csv")
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors and "10 MB" in errors[0] and "大きすぎます" in errors[0], errors
    assert "confirm_form" not in response.context or not response.context["confirm_form"]
    assert not Department.objects.filter(name="部0").exists()


def test_a_csv_over_50000_rows_is_refused_before_it_is_read(admin_client, world):
    response = upload(admin_client, csv_rows(50_001), "many.csv", "csv")
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors and "50,000行" in errors[0], errors
    # Refused before the dry run: no preview of rows, nothing stored.
    assert response.context.get("result") is None
    assert not Department.objects.filter(name="部0").exists()


@override_settings(EVALSHEETS_IMPORT_MAX_ROWS=20)
@pytest.mark.parametrize("title", ["csv", "tsv", "xlsx"])
def test_row_limit_per_format(admin_client, world, title):
    def content(count):
        if title == "xlsx":
            return xlsx_rows(count)
        data = csv_rows(count)
        return data.replace(b",", b"\t") if title == "tsv" else data

    refused = upload(admin_client, content(21), f"rows.{title}", title)
    assert any("20行" in e for e in field_errors(refused)), field_errors(refused)
    assert refused.context.get("result") is None
    accepted = upload(admin_client, content(20), f"rows.{title}", title)
    assert field_errors(accepted) == []
    assert accepted.context["result"] is not None  # the preview of the dry run


@override_settings(EVALSHEETS_IMPORT_MAX_ROWS=2)
def test_rows_with_line_breaks_in_quoted_cells_count_once(admin_client, world):
    content = (HEADER + '432067,"部\r\n一",長,1\r\n432067,"部\r\n二",長,2\r\n').encode()
    response = upload(admin_client, content, "quoted.csv", "csv")
    assert field_errors(response) == []


@override_settings(EVALSHEETS_IMPORT_MAX_BYTES=8000)
def test_an_xlsx_that_unpacks_to_a_huge_size_is_refused(admin_client, world):
    book = Workbook(write_only=True)
    ws = book.create_sheet()
    ws.append(["municipality", "name"])
    ws.append(["432067"] + ["あ" * 30_000] * 5)  # 450 kB of text in a file of a few kB
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 8000
    response = upload(admin_client, buffer.getvalue(), "bomb.xlsx", "xlsx")
    errors = field_errors(response)
    assert errors and "展開" in errors[0], errors


# --- Django's own limits: a Japanese 400 page -------------------------------------------


def test_a_body_over_the_memory_limit_is_a_japanese_400(client, world):
    client.force_login(world["users"]["staff_a"])
    sheet = world["sheets"]["a"]
    response = client.post(
        reverse("sheet_submit", args=[sheet.pk]),
        {"comment": "あ" * (6 * 1024 * 1024)},
    )
    assert response.status_code == 413  # Content Too Large
    page = response.content.decode()
    assert "送信された内容が大きすぎます（上限 5 MB）" in page and "Bad Request" not in page
    sheet.refresh_from_db()
    assert sheet.state == "draft"


def test_too_many_fields_is_a_japanese_400(client, world):
    client.force_login(world["users"]["staff_a"])
    sheet = world["sheets"]["a"]
    data = "&".join(f"f{i}=1" for i in range(6000))
    response = client.post(
        reverse("sheet_submit", args=[sheet.pk]),
        data,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "送信された項目が多すぎます" in response.content.decode()


def test_an_oversized_file_is_dropped_while_it_arrives(rf):
    """The upload handler stops keeping a file once it passes the limit: the view gets
    no file, only the note that one was too large (the import form reads the note)."""
    small = SimpleUploadedFile("small.csv", b"a,b\r\n1,2\r\n")
    big = SimpleUploadedFile("big.csv", b"x" * (10 * 1024 * 1024 + 1))
    request = rf.post("/", {"small": small, "big": big, "text": "ok"})
    assert set(request.FILES) == {"small"}
    assert request.FILES["small"].read() == b"a,b\r\n1,2\r\n"
    assert request.POST["text"] == "ok"
    assert oversized_uploads(request) == {"big"}
