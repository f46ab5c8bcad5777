"""Concurrent writes on the default database (issue 11, finding 4).

* Saves and logins of several users go through while 1,000 projects are imported: the
  import commits in short batches (core.batched_import), so the others'
  writes are served during the import, none fails and every save is kept.
* A large import stops at the first batch with an error, says which rows were imported,
  and importing the same file again is safe (rows are found by their codes).
* ``manage.py db_worker`` (evalsheets/management/commands/db_worker.py) survives a
  writer that holds SQLite's lock longer than the busy timeout, and runs the queued job
  once the writer is done.

The import and save tests run on PostgreSQL too; the worker test is SQLite's (on
PostgreSQL a writer locks rows, not the database, and the worker skips locked rows).
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import tablib
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import Client, override_settings

from evalsheets.models import AuditEntry, EvaluationSheet, Project
from evalsheets.resources import ProjectResource
from municipalities.choices import Role
from tests.conftest import make_user
from tests.support.entry import post_data, read_form

ROOT = Path(__file__).resolve().parents[2]
TEXT = "improvement"  # 今後の方向性・改善内容, a text of the 玉名 form
HEADERS = ["municipality", "code", "name", "section"]


def project_rows(count, prefix="IMP"):
    return [("432067", f"{prefix}-{i:05d}", f"取込事業{i:05d}", "a") for i in range(count)]


# ------------------------------------------------------------------ saves during an import


def saver(client_no, sheet_pk, done, log):
    """Log in, then save one's own sheet until the import is done (at least 3 saves)."""
    client = Client(raise_request_exception=False)
    username = f"saver{client_no}"
    url = f"/sheets/{sheet_pk}/edit/"
    n = 0
    try:
        while n < 3 or not done.is_set():
            if n % 3 == 0:  # log in (again): a write of its own during the others' saves
                client.logout()
                response = client.post(
                    "/login/", {"username": username, "password": f"pw-{username}"}
                )
                log["answers"].append(("login", response.status_code))
            page = client.get(url)
            log["answers"].append(("form", page.status_code))
            if page.status_code != 200:
                break
            data, _kinds, _options = read_form(page.content)
            value = f"保存 {client_no}-{n}"
            data[f"sheet-{TEXT}"] = [value]
            response = client.post(url, post_data(data))
            log["answers"].append(("save", response.status_code))
            if response.status_code != 302:
                break
            n += 1
            log["saved"].setdefault(sheet_pk, []).append((value, time.monotonic()))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_saves_and_logins_go_through_while_a_large_import_runs(world):
    town, section = world["town"], world["sections"]["a"]
    sheets = []
    for i in range(5):
        project = Project.objects.create(
            municipality=town, code=f"C-{i}", name=f"同時保存{i}", section=section
        )
        sheets.append(EvaluationSheet.objects.create(project=project, fiscal_year=2023).pk)
        make_user(f"saver{i}", town, Role.STAFF, section)
    dataset = tablib.Dataset(*project_rows(1000), headers=HEADERS)
    done = threading.Event()
    log = {"answers": [], "saved": {}}
    imported = {}

    def run_import():
        try:
            imported["start"] = time.monotonic()
            imported["result"] = ProjectResource().import_data(dataset, dry_run=False)
        finally:
            imported["end"] = time.monotonic()
            done.set()
            connections.close_all()

    threads = [
        threading.Thread(target=saver, args=(i, pk, done, log)) for i, pk in enumerate(sheets)
    ]
    for thread in threads:
        thread.start()
    importer = threading.Thread(target=run_import)
    importer.start()
    importer.join(600)
    for thread in threads:
        thread.join(120)

    result = imported["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1000 and result.batches > 1
    assert Project.objects.filter(code__startswith="IMP-").count() == 1000

    refused = [answer for answer in log["answers"] if answer[1] not in (200, 302)]
    assert not refused, refused
    # Every acknowledged save is kept: the sheet holds its last value, the audit trail each.
    sheet_type = ContentType.objects.get_for_model(EvaluationSheet)
    for pk in sheets:
        values = [value for value, _at in log["saved"][pk]]
        assert len(values) >= 3
        assert getattr(EvaluationSheet.objects.get(pk=pk), TEXT) == values[-1]
        recorded = [
            entry.changes[TEXT][1]
            for entry in AuditEntry.objects.filter(content_type=sheet_type, object_id=pk)
            if TEXT in entry.changes
        ]
        assert sorted(recorded) == sorted(values)
    # ... and saves were served during the import, not after it: it does not hold the lock.
    start, end = imported["start"], imported["end"]
    assert end - start > 2, "the import was too short to tell"
    during = [at for saved in log["saved"].values() for _v, at in saved if start + 1 < at < end - 1]
    assert during, f"no save finished during the {end - start:.1f} s import"


# ------------------------------------------------------------------ a failure midway


@pytest.mark.django_db
def test_a_large_import_stops_at_the_first_bad_batch_and_can_be_run_again(world, settings):
    settings.IMPORT_BATCH_PAUSE = 0
    rows = project_rows(120)
    rows[99] = ("999999", *rows[99][1:])  # no such municipality: an error in row 100
    dataset = tablib.Dataset(*rows, headers=HEADERS)

    preview = ProjectResource().import_data(dataset, dry_run=True)
    assert preview.batches > 1
    assert [row.number for row in preview.error_rows] == [100]
    assert preview.totals["new"] == 119 and preview.totals["error"] == 1
    assert not Project.objects.filter(code__startswith="IMP-").exists()

    result = ProjectResource().import_data(dataset, dry_run=False)
    # The batches before row 100's are committed; the batch holding row 100 is rolled back
    # and nothing after it is attempted.
    stopped = result.stopped_at_row
    assert 1 < stopped <= 100
    assert [row.number for row in result.error_rows] == [100]
    stored = set(Project.objects.filter(code__startswith="IMP-").values_list("code", flat=True))
    assert stored == {f"IMP-{i:05d}" for i in range(stopped - 1)}

    rows[99] = ("432067", *rows[99][1:])
    again = ProjectResource().import_data(tablib.Dataset(*rows, headers=HEADERS), dry_run=False)
    assert not again.has_errors() and again.stopped_at_row is None
    assert again.totals["skip"] == stopped - 1 and again.totals["new"] == 120 - (stopped - 1)
    assert Project.objects.filter(code__startswith="IMP-").count() == 120


@pytest.mark.django_db
def test_a_small_import_is_one_transaction_as_before(world):
    rows = project_rows(30)
    rows[20] = ("999999", *rows[20][1:])
    result = ProjectResource().import_data(tablib.Dataset(*rows, headers=HEADERS))
    assert result.has_errors()
    assert not Project.objects.filter(code__startswith="IMP-").exists()


@pytest.mark.django_db
def test_the_admin_says_which_rows_a_failed_import_kept(world, admin_client, settings):
    settings.IMPORT_BATCH_PAUSE = 0
    rows = project_rows(120)
    csv = tablib.Dataset(*rows, headers=HEADERS).export("csv").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = admin_client.post(
        "/admin/evalsheets/project/import/",
        {"format": "0", "import_file": SimpleUploadedFile("projects.csv", csv, "text/csv")},
    )
    assert page.status_code == 200
    fields = {
        name: page.context["confirm_form"][name].value()
        for name in ("import_file_name", "original_file_name", "format", "resource")
        if name in page.context["confirm_form"].fields
    }
    # Between the preview and 確定 the stored file changes (as if row 100 could no longer be
    # imported): the confirmed import fails midway.
    rows[99] = ("999999", *rows[99][1:])
    stored = Path(tempfile.gettempdir()) / fields["import_file_name"]
    stored.write_bytes(tablib.Dataset(*rows, headers=HEADERS).export("csv").encode())

    response = admin_client.post("/admin/evalsheets/project/process_import/", fields, follow=True)
    kept = Project.objects.filter(code__startswith="IMP-").count()
    assert 0 < kept < 100
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "100行目に誤り" in m
        and f"1〜{kept}行目は取り込み済み" in m
        and "二重には登録されません" in m
        for m in messages
    ), messages


# ------------------------------------------------------------------ the worker


WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_a_long_writer_and_then_runs_the_job():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock; PostgreSQL writers lock rows")
    from django_tasks_db.models import DBTaskResult

    from evalsheets.pdf.tasks import render_sheet_pdf_task

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        queued = render_sheet_pdf_task.enqueue(0)  # no such sheet: a quick job
    db_path = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "evalsheets.settings",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "evalsheets-test-key",
        "DEBUG": "0",
        "SQLITE_BUSY_TIMEOUT": "1",  # give up waiting after 1 s, as after 20 s in real use
    }
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    worker = None
    try:
        assert writer.stdout.readline().strip() == "locked"
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.2",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # The worker starts, fails to claim the job for longer than its busy timeout...
        started = [worker.stdout.readline() for _ in range(20)]
        assert any(line.startswith("Starting worker") for line in started), started
        time.sleep(3)
        assert worker.poll() is None, worker.stdout.read()
        # ... and once the writer is done it claims and runs the job, then (--batch) exits.
        writer.stdin.write("\n")
        writer.stdin.flush()
        writer.wait(30)
        output, _ = worker.communicate(timeout=120)
    finally:
        for process in (writer, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert worker.returncode == 0, output
    assert "Database locked" in output
    job = DBTaskResult.objects.get(id=queued.id)
    assert job.status == "SUCCESSFUL", (job.status, job.traceback)


# ------------------------------------------------------------------ the connection settings


@pytest.mark.django_db(transaction=True)
def test_sqlite_waits_for_a_writer_and_every_transaction_takes_the_write_lock_first(world):
    """WAL, a busy timeout, and no deferred transaction in a login, a save or a transition.

    A deferred transaction that reads and then writes cannot wait for the lock once another
    connection has written meanwhile: SQLite answers ``database is locked`` at once, busy
    timeout or not. Every transaction must begin IMMEDIATE (the settings' transaction_mode).
    """
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's connection settings")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL

    sheet = world["sheets"]["a"]
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/login/", {"username": "staff_a", "password": "pw-staff_a"})
        assert response.status_code == 302
        page = client.get(f"/sheets/{sheet.pk}/edit/")
        data, _kinds, _options = read_form(page.content)
        data[f"sheet-{TEXT}"] = ["改善の内容"]
        assert client.post(f"/sheets/{sheet.pk}/edit/", post_data(data)).status_code == 302
        response = client.post(f"/sheets/{sheet.pk}/submit/", {"comment": "確認をお願いします"})
        assert response.status_code == 302
        client.post("/logout/")
    begins = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("BEGIN")]
    assert begins and all(sql.upper() == "BEGIN IMMEDIATE" for sql in begins), begins


@pytest.mark.django_db
def test_sections_and_departments_import_in_batches_too(world, settings):
    from municipalities.models import Department, Section
    from municipalities.resources import DepartmentResource, SectionResource

    settings.IMPORT_BATCH_PAUSE = 0
    departments = [("432067", f"第{i}部") for i in range(60)]
    result = DepartmentResource().import_data(
        tablib.Dataset(*departments, headers=["municipality", "name"])
    )
    assert not result.has_errors() and result.batches > 1
    sections = [("432067", f"s{i:03d}", f"第{i}課", f"第{i % 60}部") for i in range(120)]
    result = SectionResource().import_data(
        tablib.Dataset(*sections, headers=["municipality", "code", "name", "department"])
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.batches > 1 and result.totals["new"] == 120
    assert Department.objects.filter(name__startswith="第").count() == 60
    assert Section.objects.get(code="s119").department.name == "第59部"
