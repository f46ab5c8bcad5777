"""The year workbook page in the browser's place: export, upload → preview → confirm, the
commands, and formula safety of the workbook."""

import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from evalsheets.models import AuditEntry, Review
from evalsheets.transfer.export import year_workbook
from evalsheets.workflow import audit
from tests.core.test_formula_escape import PAYLOADS, check_xlsx
from tests.transfer.support import run_import, tables_of
from tests.transfer.test_bad_input import FILES, db_state

pytestmark = pytest.mark.django_db


def test_planning_downloads_the_year_workbook(client, demo_data):
    client.force_login(get_user_model().objects.get(username="tamana-planning"))
    response = client.get(reverse("transfer_export"), {"year": "2023"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="432067_2023_year_')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "出力情報", "事務事業", "評価シート", "様式独自の項目", "事業費", "人工",
        "細事業・活動指標", "成果指標", "事業行程", "評価視点", "課長所見",
    ]  # fmt: skip
    costs = book["事業費"]
    assert costs.freeze_panes == "A2"
    assert [c.value for c in costs[1]][:5] == [
        "団体コード",
        "事務事業コード",
        "実施年度",
        "年度",
        "区分",
    ]
    assert costs["C2"].value == "令和5年度"  # 和暦, as the paper prints it
    money = [c for c in costs[2][5:11]]
    assert all(c.number_format == "#,##0" for c in money if isinstance(c.value, int))
    assert costs.column_dimensions["B"].width == 12
    sheets = {row[1]: row for row in book["評価シート"].iter_rows(min_row=2, values_only=True)}
    assert set(sheets) == {"741-2", "741-3"}


def test_a_year_without_sheets_is_a_form_error(client, world):
    client.force_login(world["users"]["viewer"])
    response = client.get(reverse("transfer_export"), {"year": "1999"})
    assert response.status_code == 400
    assert "この年度の評価シートはありません" in response.content.decode()


def test_no_exported_cell_is_a_formula(world):
    sheet = world["sheets"]["a"]
    for field, payload in zip(("purpose", "results", "issues"), PAYLOADS[:3], strict=True):
        setattr(sheet, field, payload)
    sheet.author_name = PAYLOADS[3]
    sheet.save()
    project = sheet.project
    project.name, project.budget_project_name = PAYLOADS[4], PAYLOADS[5]
    project.save()
    Review.objects.create(sheet=sheet, remarks=PAYLOADS[6], head_comment=PAYLOADS[7])
    sheet.assessments.create(viewpoint="20-1", reason=PAYLOADS[8])
    sheet.sub_projects.create(name=PAYLOADS[9], means=PAYLOADS[10])
    content = year_workbook(world["town"], 2023)
    check_xlsx(content, PAYLOADS)
    # and the texts come back as they were (the quote prefix is the cell's, not the text's)
    rows = tables_of(content)["評価シート"]
    assert any(PAYLOADS[0] in row for row in rows)


def upload(client, name, data=None):
    data = (FILES / name).read_bytes() if data is None else data
    return client.post(reverse("transfer_import"), {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_confirm(client, world):
    client.force_login(world["users"]["planning"])
    before = db_state()
    response = upload(client, "numbers_as_text.xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert "取り込み前の確認" in page and "この内容で取り込む" in page
    assert db_state() == before  # the dry run wrote nothing
    token = response.context["confirm_form"].initial["token"]
    response = client.post(reverse("transfer_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("transfer_index")
    assert world["sheets"]["a"].cost_rows.count() == 3
    entry = AuditEntry.objects.get(action=audit.ACTION_IMPORT)
    assert entry.actor == world["users"]["planning"]
    assert entry.changes["counts"]["事業費"]["create"] == 2
    assert len(entry.changes["sha256"]) == 64
    follow = client.get(reverse("transfer_index"))
    assert "を取り込みました" in follow.content.decode()
    # the token is used up: its file is gone
    response = client.post(reverse("transfer_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=audit.ACTION_IMPORT).count() == 1


def test_the_preview_lists_every_error_with_its_place(client, world):
    client.force_login(world["users"]["planning"])
    response = upload(client, "out_of_range.xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert "エラーが4件あります" in page
    assert "職員人工数" in page and "この内容で取り込む" not in page


@pytest.mark.parametrize(
    ("name", "words"),
    [("password.xlsx", "パスワード"), ("zipbomb.xlsx", "展開すると"), ("not_excel.xlsx", ".xlsx")],
)
def test_an_unreadable_upload_is_a_form_error_not_a_500(client, world, name, words):
    client.force_login(world["users"]["planning"])
    before = db_state()
    response = upload(client, name)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert db_state() == before


def test_an_upload_over_10_mb_is_dropped_while_it_arrives(client, world):
    client.force_login(world["users"]["planning"])
    response = upload(client, "big.xlsx", b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 400
    assert "ファイルが大きすぎます" in response.content.decode()


def test_another_users_token_is_refused(client, world):
    client.force_login(world["users"]["planning"])
    token = upload(client, "numbers_as_text.xlsx").context["confirm_form"].initial["token"]
    client.force_login(world["users"]["planning_other"])
    before = db_state()
    response = client.post(reverse("transfer_import_confirm"), {"token": token})
    assert response.status_code == 403
    assert db_state() == before


def test_the_commands(world, tmp_path):
    out = tmp_path / "year.xlsx"
    call_command("export_xlsx", "--municipality", "432067", "--year", "R5", "--out", str(out))
    assert tables_of(out.read_bytes())["事業費"][1][:3] == ("432067", "200-1", "令和5年度")
    stdout = io.StringIO()
    before = db_state()
    call_command("import_xlsx", str(out), "--municipality", "432067", "--dry-run", stdout=stdout)
    assert "事業費: 追加 0 / 更新 0 / 変更なし 2" in stdout.getvalue()
    assert db_state() == before
    with pytest.raises(CommandError, match="エラーが"):
        call_command(
            "import_xlsx", str(FILES / "duplicate_keys.xlsx"), "--municipality", "432067",
            stderr=io.StringIO(), stdout=io.StringIO(),
        )  # fmt: skip
    assert db_state() == before
    with pytest.raises(CommandError, match="パスワード"):
        call_command("import_xlsx", str(FILES / "password.xlsx"), "--municipality", "432067")
    call_command(
        "import_xlsx", str(FILES / "costs_utf8.csv"), "--municipality", "432067", stdout=stdout
    )
    assert world["sheets"]["a"].cost_rows.get().general_revenue == 1234


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed here; CI installs libreoffice-calc-nogui",
)
def test_the_workbook_converts_to_pdf_with_libreoffice(demo_data, tmp_path):
    from municipalities.models import Municipality

    path = tmp_path / "year.xlsx"
    path.write_bytes(year_workbook(Municipality.objects.get(code="432067"), 2023))
    result = subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pdf = Path(tmp_path / "year.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_round_trip_through_the_browser_changes_nothing(client, demo_data):
    client.force_login(get_user_model().objects.get(username="tamana-planning"))
    response = client.get(reverse("transfer_export"), {"year": "2023"})
    content = b"".join(response.streaming_content)
    response = upload(client, "year.xlsx", content)
    assert response.status_code == 200
    assert "変更する内容はありません" in response.content.decode()
    from municipalities.models import Municipality

    plan = run_import(content, Municipality.objects.get(code="432067"))
    assert not plan.has_changes


def test_an_unconfirmed_upload_is_deleted_once_its_hour_has_passed(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["users"]["planning"])
    assert upload(client, "numbers_as_text.xlsx").context["confirm_form"]  # left unconfirmed
    (first,) = (tmp_path / "imports").iterdir()
    upload(client, "numbers_as_text.xlsx")  # within the hour: both kept
    assert len(list((tmp_path / "imports").iterdir())) == 2
    hour_ago = time.time() - 3601
    os.utime(first, (hour_ago, hour_ago))
    token = upload(client, "numbers_as_text.xlsx").context["confirm_form"].initial["token"]
    left = sorted(p.name for p in (tmp_path / "imports").iterdir())
    assert first.name not in left and len(left) == 2
    # The newest upload can still be confirmed; its file is deleted once imported.
    response = client.post(reverse("transfer_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert len(list((tmp_path / "imports").iterdir())) == 1
