"""The 懇談会 report of both demo regions: a PDF (IPAex fonts only, the figures and texts
of the round in it) and an .xlsx of the same tables; through the task worker with
progress."""

import io
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from evalsheets.regions_report.jobs import run_job
from evalsheets.regions_report.report import build_pdf, build_xlsx
from regions.choices import ReportStatus
from regions.models import ProgressRound, ReportJob

pytestmark = pytest.mark.django_db

EXPECTED = {
    "熊本連携中枢都市圏": [
        "圏域内総生産額",
        "4,790,058",
        "4,830,000",
        "4,812,300",
        "29,552",
        "小規模マッチング会を4回開催",
        "航路誘致",
    ],
    "玉名圏域定住自立圏": [
        "特別交付税措置率",
        "37.7",
        "共生ビジョンの推進・進捗管理",
        "4団体中2団体の合計",
        "分科会を1回",
    ],
}


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def pdf_fonts(content: bytes) -> str:
    return subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_pdf_and_xlsx(demo_data, name):
    round_ = ProgressRound.objects.get(region__name=name)
    content, pages = build_pdf(round_)
    assert content.startswith(b"%PDF") and pages >= 1
    text = "".join(pdf_text(content).split())
    for phrase in EXPECTED[name]:
        assert "".join(phrase.split()) in text, phrase
    fonts = pdf_fonts(content)
    assert "IPAex" in fonts
    for line in fonts.splitlines()[2:]:
        assert "IPAex" in line, line

    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(round_)))
    assert book.sheetnames == ["KPI", "事業費", "報告", "懇談会"]
    kpi_names = [row[0] for row in book["KPI"].iter_rows(min_row=2, values_only=True)]
    assert kpi_names == list(round_.region.kpis.values_list("name", flat=True))
    reports = list(book["報告"].iter_rows(min_row=2, values_only=True))
    assert any(r[2] and r[2] != "未報告" for r in reports)
    assert book["懇談会"]["A2"].value == name


def test_report_job_through_the_worker(client, demo_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.contrib.auth import get_user_model

    round_ = ProgressRound.objects.get(region__name="熊本連携中枢都市圏")
    client.force_login(get_user_model().objects.get(username="kumamoto-planning"))
    url = reverse("region_reports:new", args=[round_.region_id, round_.pk])
    response = client.post(url, {"kind": "xlsx"})
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("region_reports:job", args=[round_.region_id, job.pk])
    assert job.status == ReportStatus.QUEUED and job.total == 2
    status = client.get(reverse("region_reports:status", args=[round_.region_id, job.pk])).json()
    assert status["finished"] is False and status["percent"] == 0
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE and job.done == job.total
    assert job.result_name == "熊本連携中枢都市圏_令和5年度_懇談会資料.xlsx"
    status = client.get(reverse("region_reports:status", args=[round_.region_id, job.pk])).json()
    assert status["percent"] == 100 and status["download_url"]
    download = client.get(status["download_url"])
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "KPI" in book.sheetnames
