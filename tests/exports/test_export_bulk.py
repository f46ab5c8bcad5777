"""Bulk export services: the ZIP of stored PDFs and the booklets (evalsheets.exports:
selection, zip, booklet, jobs)."""

import hashlib
import io
from collections import Counter

import pypdf
import pytest

from core.choices import BookletScope, ExportKind, ExportStatus
from evalsheets.exports import booklet, jobs, selection
from evalsheets.exports.tasks import run_export_job
from evalsheets.models import EvaluationSheet, ExportJob, SheetPDF
from municipalities.models import Municipality
from tests.support.exports import (
    embedded_font_files,
    flat,
    page_texts,
    poppler_texts,
    printed_number,
    zip_members,
)

TAMANA, HITOYOSHI = "432067", "432032"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(kind, code=TAMANA, **params) -> ExportJob:
    town = Municipality.objects.get(code=code)
    year = EvaluationSheet.objects.filter(project__municipality=town).latest("fiscal_year")
    parameters = {"year": year.fiscal_year, "state": "", **params}
    job = jobs.create_job(None, town, kind, parameters)
    run_export_job.enqueue(job.pk)  # ImmediateBackend: runs now
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    return job


def result_bytes(job) -> bytes:
    with job.result.open("rb") as handle:
        return handle.read()


def test_zip_has_one_stored_pdf_per_sheet_named_by_code_and_name(demo_data):
    job = run(ExportKind.ZIP)
    members = zip_members(result_bytes(job))
    assert sorted(members) == [
        "741-2_定住自立圏構想事業.pdf",
        "741-3_連携中枢都市圏構想推進事業.pdf",
    ]
    for name, data in members.items():
        stored = SheetPDF.objects.get(sheet__project__code=name.split("_")[0])
        assert hashlib.sha256(data).hexdigest() == stored.sha256  # the stored file itself
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 2  # and it opens
    assert (job.done, job.total) == (2, 2)
    assert job.result_name == "玉名市_令和5年度_評価シート_PDF.zip"


def test_zip_of_a_municipality_with_many_sheets_and_filters(demo_data):
    town = Municipality.objects.get(code=HITOYOSHI)
    sheets = EvaluationSheet.objects.filter(project__municipality=town, fiscal_year=2024)
    job = run(ExportKind.ZIP, HITOYOSHI)
    assert len(zip_members(result_bytes(job))) == sheets.count() > 10
    node = sheets.filter(project__code="6-3-1").get().project.plan_node
    filtered = run(ExportKind.ZIP, HITOYOSHI, plan_node=node.pk)
    names = sorted(zip_members(result_bytes(filtered)))
    assert names and all(name.startswith("6-3-") for name in names)
    assert len(names) == sheets.filter(project__plan_node=node).count()


def test_booklet_cover_list_toc_and_page_numbers(demo_data):
    job = run(ExportKind.BOOKLET, scope=BookletScope.YEAR)
    data = result_bytes(job)
    assert job.result_name.endswith("_冊子.pdf")
    texts = page_texts(data)
    # Page 1: the table of contents, with the page of each cover and sheet (drawn at
    # join time in the page cells: pdftotext reads them in place).
    toc = flat(poppler_texts(data)[0])
    assert "目次" in toc
    assert "主要施策名：（４）広域連携の推進（2本）2" in toc
    assert "741-2定住自立圏構想事業企画経営課3" in toc
    assert "741-3連携中枢都市圏構想推進事業企画経営課5" in toc
    # Page 2: the cover list of （４）広域連携の推進, as on the first page of the seed.
    cover = flat(texts[1])
    assert cover.startswith("主要施策名：（４）広域連携の推進")
    assert "741-2定住自立圏構想事業" in cover and "741-3連携中枢都市圏構想推進事業" in cover
    assert "事務事業本数：2" in cover
    assert "基本目標(章)" in cover and "⑦健全な行政運営" in cover
    # Then the sheets, each starting where the table of contents says.
    assert "741-2" in flat(texts[2]) and "定住自立圏構想事業" in flat(texts[2])
    assert "連携中枢都市圏構想推進事業" in flat(texts[4])
    assert "企画経営課3" in flat(poppler_texts(data)[1])  # the cover list's page column
    # The front pages show their booklet page; the sheets are their stored PDFs, with
    # their own "1 / 2" footer (the booklet's page is the PDF page number).
    assert [printed_number(t) for t in texts[:2]] == ["1", "2"]
    footers = [t.strip().splitlines()[-1].replace(" ", "") for t in texts[2:]]
    assert [f[-3:] for f in footers] == ["1/2", "2/2", "1/2", "2/2"]
    # Bookmarks: booklet → 施策 → sheets, each on its page (0-based here).
    reader = pypdf.PdfReader(io.BytesIO(data))
    top, (group, sheets) = reader.outline
    assert top.title == "玉名市 令和5年度 事務事業評価シート"
    assert group.title == "（４）広域連携の推進"
    assert [s.title for s in sheets] == [
        "741-2 定住自立圏構想事業",
        "741-3 連携中枢都市圏構想推進事業",
    ]
    pages = [reader.get_destination_page_number(d) for d in (top, group, *sheets)]
    assert pages == [0, 1, 2, 4]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    assert reader.metadata.title == top.title


def test_booklet_embeds_one_subset_per_font_face(demo_data):
    """The sheets' own subsets and the front matter's are merged: one font program per
    IPAex face in the whole booklet, smaller than the sheets' PDFs together."""
    data = result_bytes(run(ExportKind.BOOKLET, scope=BookletScope.YEAR))
    programs = Counter(name.split("-")[0] for name in embedded_font_files(data))
    assert set(programs) <= {"IPAexGothic", "IPAexMincho"} and set(programs.values()) == {1}
    stored = sum(record.size for record in SheetPDF.objects.filter(sheet__fiscal_year=2023))
    assert len(data) < stored


def test_booklets_per_policy(demo_data):
    job = run(ExportKind.BOOKLET, HITOYOSHI, scope=BookletScope.POLICY)
    members = zip_members(result_bytes(job))
    town = Municipality.objects.get(code=HITOYOSHI)
    policies = {
        s.project.plan_node_id
        for s in EvaluationSheet.objects.filter(project__municipality=town, fiscal_year=2024)
    }
    assert len(members) == len(policies) > 1
    first = members[sorted(members)[0]]
    texts = page_texts(first)
    cover = flat(texts[0])  # a per-施策 booklet opens with its cover list (its contents)
    assert cover.startswith("施策項目名：") and "事務事業本数：" in cover
    assert printed_number(texts[0]) == "1"


def test_a_failing_job_records_the_error(demo_data, monkeypatch):
    def broken(job, workdir, progress=None):
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "produce", broken)
    town = Municipality.objects.get(code=TAMANA)
    job = jobs.create_job(None, town, ExportKind.ZIP, {"year": 2023})
    run_export_job.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "disk full" in job.error and job.finished_at is not None
    assert not job.result


def test_a_job_runs_once(demo_data):
    job = run(ExportKind.ZIP)
    finished = job.finished_at
    assert jobs.run_job(job.pk) is None  # not queued any more: nothing happens
    job.refresh_from_db()
    assert job.finished_at == finished


def test_progress_is_committed_as_the_job_goes(demo_data):
    town = Municipality.objects.get(code=HITOYOSHI)
    job = jobs.create_job(None, town, ExportKind.ZIP, {"year": 2024})
    seen = []
    progress = jobs.Progress(job, interval=0)

    def spy(done):
        progress(done)
        seen.append(ExportJob.objects.get(pk=job.pk).done)

    ids = list(
        EvaluationSheet.objects.filter(project__municipality=town).values_list("pk", flat=True)
    )
    for _pair in selection.stored_pdfs(ids, spy):
        pass
    assert seen == list(range(1, len(ids) + 1))


def _long_groups(sizes):
    """Groups without a plan node (no database needed) of ``sizes`` sheets of 2 pages."""
    groups, number = [], 0
    for size in sizes:
        entries = []
        for _ in range(size):
            number += 1
            name = f"長い名前の事務事業その{number}" * (1 + number % 3)  # rows of 1–3 lines
            entries.append(selection.Entry(number, f"T-{number}", name, "企画課", [], pages=2))
        groups.append(selection.Group(None, entries))
    return groups


def test_front_matter_is_laid_out_once_over_several_pages(tmp_path):
    """The table of contents and the cover lists are drawn directly (no second layout):
    rows never split, the heading row opens every page, every row once and in order,
    each with the page it points to."""
    from evalsheets.pdf.join import StreamingPdfWriter

    groups = _long_groups([70, 45])
    pieces = booklet.front_pieces("冊子", groups, True)
    toc_pages, covers = booklet._front_bounds([len(p.pages) for p in pieces], True)
    assert toc_pages >= 3 and covers[0][1] - covers[0][0] >= 2  # several pages each
    booklet._number_entries(groups, toc_pages, covers)
    numbers = booklet._front_numbers(toc_pages, covers, groups)
    target = tmp_path / "front.pdf"
    writer = StreamingPdfWriter(target, merge_fonts=True)
    kids = booklet._write_front(writer, pieces, numbers)
    writer.finish(kids, [], "冊子", "ja")
    data = target.read_bytes()
    pages = [flat(t) for t in poppler_texts(data)]
    assert all("コード" in p for p in pages)  # the heading row on every page
    toc_text = "".join(pages[:toc_pages])
    positions = [toc_text.index(f"T-{n}長い名前の事務事業その{n}") for n in (1, 2, 70, 115)]
    assert positions == sorted(positions)
    assert all(toc_text.count(f"T-{n}長") == 1 for n in range(1, 116))
    text = "".join(pages)
    assert text.count("目次") == 1 and text.count("事務事業本数：115") == 1
    assert text.count("事務事業本数：70") == 1 and text.count("事務事業本数：45") == 1
    first_sheet = groups[0].entries[0]
    assert first_sheet.first_page == toc_pages + covers[0][1] - covers[0][0] + 1
    assert "T-1長い名前の事務事業その1" in toc_text
    assert f"企画課{first_sheet.first_page}" in toc_text
    # Page k of the front matter shows k; its text is IPAex (one subset per face).
    assert [printed_number(t) for t in page_texts(data)] == [
        str(numbers[i]) for i in range(len(pages))
    ]
    assert set(embedded_font_files(data)) <= {"IPAexGothic", "IPAexMincho"}
