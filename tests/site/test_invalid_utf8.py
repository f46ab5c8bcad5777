"""Invalid UTF-8 in a form is refused with a Japanese message, never stored as 「���」.

Django decodes form data with ``errors="replace"``: bytes that are not UTF-8 silently
become U+FFFD. The check compares with the raw body: a U+FFFD typed by someone (sent as
valid UTF-8) is kept, one that came from decoding refuses the whole request (400) and
changes nothing (issue 11, finding 5).
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from evalsheets.models import AuditEntry, EvaluationSheet
from evalsheets.workflow.audit import ACTION_SUBMIT
from tests.support.entry import make_draft, post_data, read_form, snapshot, user

pytestmark = pytest.mark.django_db

URLENCODED = "application/x-www-form-urlencoded"
MESSAGE = "文字コード"


def refused(response) -> bool:
    page = response.content.decode()
    return response.status_code == 400 and MESSAGE in page and "Bad Request" not in page


def urlencoded(pairs: list[tuple[str, bytes | str]]) -> bytes:
    """A body as a browser sends it; bytes values are percent-encoded as they are."""
    parts = []
    for key, value in pairs:
        raw = value if isinstance(value, bytes) else value.encode()
        parts.append(f"{quote(key)}={quote(raw)}")
    return "&".join(parts).encode()


def multipart(fields: list[tuple[str, bytes]], boundary="BoUnDaRy") -> tuple[bytes, str]:
    body = b""
    for name, value in fields:
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def staff(world):
    client = Client()
    client.force_login(world["users"]["staff_a"])
    return client


BAD = [b"\xff\xfe", b"abc\xffdef", b"\xe3\x81", b"\xed\xa0\x80"]  # lone, cut, surrogate


@pytest.mark.parametrize("bad", BAD)
def test_urlencoded_workflow_comment_is_refused(staff, world, bad):
    sheet = world["sheets"]["a"]
    response = staff.post(
        reverse("sheet_submit", args=[sheet.pk]),
        urlencoded([("comment", b"\xe6\x8f\x90\xe5\x87\xba" + bad)]),
        content_type=URLENCODED,
    )
    assert refused(response), response.status_code
    sheet.refresh_from_db()
    assert sheet.state == "draft" and not AuditEntry.objects.filter(action=ACTION_SUBMIT).exists()


def test_raw_bytes_not_percent_encoded_are_refused(staff, world):
    sheet = world["sheets"]["a"]
    response = staff.post(
        reverse("sheet_submit", args=[sheet.pk]), b"comment=ok\xff", content_type=URLENCODED
    )
    assert refused(response)


def test_invalid_utf8_in_a_field_name_is_refused(staff, world):
    sheet = world["sheets"]["a"]
    response = staff.post(
        reverse("sheet_submit", args=[sheet.pk]), b"%FF%FE=1&comment=ok", content_type=URLENCODED
    )
    assert refused(response)


@pytest.mark.parametrize("bad", BAD)
def test_multipart_workflow_comment_is_refused(staff, world, bad):
    sheet = world["sheets"]["a"]
    body, content_type = multipart([("comment", "提出".encode() + bad)])
    response = staff.post(reverse("sheet_submit", args=[sheet.pk]), body, content_type=content_type)
    assert refused(response)
    sheet.refresh_from_db()
    assert sheet.state == "draft"


def test_a_typed_replacement_character_is_kept(staff, world):
    """U+FFFD sent as valid UTF-8 is a character like any other."""
    sheet = world["sheets"]["a"]
    for body, content_type in (
        (urlencoded([("comment", "記号\ufffdを含む")]), URLENCODED),
        multipart([("comment", "記号\ufffdを含む".encode())]),
    ):
        sheet.refresh_from_db()
        if sheet.state != "draft":
            EvaluationSheet.objects.filter(pk=sheet.pk).update(state="draft")
        response = staff.post(
            reverse("sheet_submit", args=[sheet.pk]), body, content_type=content_type
        )
        assert response.status_code == 302, response.content[:300]
    assert AuditEntry.objects.filter(action=ACTION_SUBMIT, comment="記号\ufffdを含む").count() == 2


def test_the_entry_form_with_invalid_utf8_changes_nothing(demo_data):
    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2023))
    client = Client()
    client.force_login(user("tamana-staff"))
    url = reverse("sheet_edit", args=[sheet.pk])
    data, _kinds, _options = read_form(client.get(url).content)
    before = snapshot(sheet)
    fields = []
    for name, value in post_data(data).items():
        for v in value if isinstance(value, list) else [value]:
            fields.append((name, v))
    bad = b"\xe8\x83\x8c\xe6\x99\xaf\xff"  # 「背景」 and a byte that is no UTF-8
    fields = [(n, bad if n == "sheet-background" else v) for n, v in fields]
    multipart_body, multipart_type = multipart(
        [(n, v if isinstance(v, bytes) else v.encode()) for n, v in fields]
    )
    for body, content_type in (
        (urlencoded(fields), URLENCODED),
        (multipart_body, multipart_type),
    ):
        response = client.post(url, body, content_type=content_type)
        assert refused(response), response.status_code
        assert snapshot(sheet) == before


def test_the_login_form_with_invalid_utf8_is_refused_not_a_500(db):
    client = Client(raise_request_exception=False)
    response = client.post(reverse("login"), b"username=%FF&password=x", content_type=URLENCODED)
    assert refused(response)


def test_valid_forms_still_work(staff, world):
    sheet = world["sheets"]["a"]
    response = staff.post(
        reverse("sheet_submit", args=[sheet.pk]),
        urlencoded([("comment", "提出します。")]),
        content_type=URLENCODED,
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == "submitted"
