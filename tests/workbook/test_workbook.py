"""The official sheet as .xlsx: downloaded laid out and protected, filled in offline and
imported back into the draft with a preview; a formula, another sheet's file, a broken file
or a newer save meanwhile changes nothing."""

import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from evalsheets.models import EvaluationSheet
from tests.support.entry import DEMO_SHEETS, make_draft, snapshot, user

pytestmark = pytest.mark.django_db


def download(client, sheet):
    response = client.get(f"/sheets/{sheet.pk}/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def upload(client, sheet, data: bytes, name="sheet.xlsx"):
    return client.post(
        f"/sheets/{sheet.pk}/xlsx/import/",
        {"workbook": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


def cell_of(book, label):
    """The input cell whose label is ``label`` (from the hidden identity sheet)."""
    for row in book["_evalsheets"].iter_rows(values_only=True):
        if len(row) >= 4 and row[3] == label:
            return row[0]
    raise AssertionError(label)


def edited(data: bytes, changes: dict) -> bytes:
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    for label, value in changes.items():
        ws[cell_of(book, label)] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def draft(demo_data):
    return make_draft(EvaluationSheet.objects.get(project__code="741-2"))


@pytest.mark.parametrize("layout", sorted(DEMO_SHEETS))
def test_the_workbook_is_laid_out_protected_and_carries_its_identity(client, demo_data, layout):
    code, _staff, _chief, viewer = DEMO_SHEETS[layout]
    sheet = EvaluationSheet.objects.get(project__code=code)
    client.force_login(user(viewer))  # reading is enough to download
    book = load_workbook(io.BytesIO(download(client, sheet)))
    ws = book.worksheets[0]
    assert ws.title == "評価シート" and ws.protection.sheet
    assert (
        str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        and ws.sheet_properties.pageSetUpPr.fitToPage
    )
    assert ws.merged_cells.ranges and ws["A1"].font.name == "IPAexゴシック"
    assert sheet.project.name in str(ws["B3"].value)
    identity = {row[0]: row[1] for row in book["_evalsheets"].iter_rows(values_only=True) if row[0]}
    assert book["_evalsheets"].sheet_state == "veryHidden"
    assert identity["sheet_id"] == sheet.pk and identity["version"] == sheet.version
    inputs = [r for r in book["_evalsheets"].iter_rows(min_row=8, values_only=True) if r[0]]
    assert len(inputs) > 20
    for ref, *_rest in inputs:
        assert ws[ref].protection.locked is False  # only the input cells are unlocked
    assert ws["A2"].protection.locked is True
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # no cell is a formula


def test_unchanged_workbook_changes_nothing(client, draft):
    client.force_login(user("tamana-staff"))
    before = snapshot(draft)
    response = upload(client, draft, download(client, draft))
    assert response.status_code == 200
    assert "変更される項目（0件）" in response.content.decode()
    assert snapshot(draft) == before


def test_three_cells_edited_change_exactly_three_fields(client, draft):
    client.force_login(user("tamana-staff"))
    before = snapshot(draft)
    data = edited(
        download(client, draft),
        {
            "事務事業の実施背景": "オフラインで書き直した背景。",
            "R05年度予算 県支出金": "２，０００",  # full-width digits, as typed
            "今後の方向性": "縮小して継続",  # a choice by its label
        },
    )
    preview = upload(client, draft, data)
    html = preview.content.decode()
    assert "変更される項目（3件）" in html
    token = preview.context["token"]
    response = client.post(f"/sheets/{draft.pk}/xlsx/import/", {"token": token})
    assert response.status_code == 302
    after = snapshot(draft)
    assert after["sheet"]["background"] == "オフラインで書き直した背景。"
    assert after["sheet"]["direction"] == "reduce"
    assert after["sheet"]["version"] == before["sheet"]["version"] + 1
    budget = next(c for c in after["costs"] if c["kind"] == "budget" and c["fiscal_year"] == 2023)
    assert budget["prefectural_subsidy"] == 2000
    # Nothing else moved.
    for key in ("background", "direction", "version"):
        before["sheet"].pop(key)
        after["sheet"].pop(key)
    assert after["sheet"] == before["sheet"]
    assert [c for c in after["costs"] if c is not budget] == [
        c for c in before["costs"] if not (c["kind"] == "budget" and c["fiscal_year"] == 2023)
    ]
    for part in ("subs", "acts", "act_values", "outs", "out_values", "efforts", "answers"):
        assert after[part] == before[part], part


def test_a_formula_is_refused_not_evaluated(client, draft):
    client.force_login(user("tamana-staff"))
    before = snapshot(draft)
    data = edited(download(client, draft), {"R05年度予算 県支出金": "=1000+1000"})
    response = upload(client, draft, data)
    html = response.content.decode()
    assert "数式は取り込めません" in html and "取り込めません" in html
    assert snapshot(draft) == before


def test_a_newer_save_meanwhile_is_a_conflict_and_nothing_is_overwritten(client, draft):
    client.force_login(user("tamana-staff"))
    data = edited(download(client, draft), {"事務事業の実施背景": "Excelの背景"})
    token = upload(client, draft, data).context["token"]
    EvaluationSheet.objects.filter(pk=draft.pk).update(background="画面で保存した背景", version=7)
    response = client.post(f"/sheets/{draft.pk}/xlsx/import/", {"token": token})
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "第7版に更新されています" in html and "Excelの背景" in html and "画面で保存した背景" in html
    )
    assert EvaluationSheet.objects.get(pk=draft.pk).background == "画面で保存した背景"


@pytest.mark.parametrize(
    "content",
    [
        b"not a workbook at all",
        b"PK\x03\x04broken zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 512,  # an OLE file: a password-protected workbook
    ],
)
def test_a_file_that_is_not_an_official_workbook_is_refused(client, draft, content):
    client.force_login(user("tamana-staff"))
    before = snapshot(draft)
    response = upload(client, draft, content)
    assert response.status_code == 400
    assert "読めません" in response.content.decode()
    assert snapshot(draft) == before


def test_a_plain_workbook_or_another_sheets_workbook_is_refused(client, demo_data, draft):
    client.force_login(user("tamana-staff"))
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("hello.txt", "x")
    from openpyxl import Workbook

    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    response = upload(client, draft, out.getvalue())
    assert (
        response.status_code == 400
        and "ダウンロードしたExcelではありません" in response.content.decode()
    )
    other = make_draft(EvaluationSheet.objects.get(project__code="741-3"))
    response = upload(client, draft, download(client, other))
    assert response.status_code == 400 and "別の評価シートのExcel" in response.content.decode()


def test_who_may_download_and_import(client, draft):
    client.force_login(user("tamana-chief"))
    assert client.get(f"/sheets/{draft.pk}/xlsx/").status_code == 200
    assert client.get(f"/sheets/{draft.pk}/xlsx/import/").status_code == 403
    client.force_login(user("isehara-staff"))
    assert client.get(f"/sheets/{draft.pk}/xlsx/").status_code == 404
    assert client.get(f"/sheets/{draft.pk}/xlsx/import/").status_code == 404


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_workbook_to_pdf(client, draft, tmp_path):
    client.force_login(user("tamana-staff"))
    (tmp_path / "sheet.xlsx").write_bytes(download(client, draft))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "sheet.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "定住自立圏構想事業" in text and "事務ふりかえりシート" in text
