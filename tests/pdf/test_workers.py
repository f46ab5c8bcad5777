"""Two ``db_worker`` processes on one queue never run a task twice.

Fifty render tasks are enqueued at once while two real workers poll the test database
(PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite: an exclusive transaction per
claim). Every task must end SUCCESSFUL, claimed by exactly one worker (django-tasks-db
appends the claiming worker's id to ``worker_ids``), started exactly once according to the
two workers' logs, with one stored PDF per sheet; both workers must have taken some.
"""

import re
import subprocess
import time
from collections import Counter

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from evalsheets.models import EvaluationSheet, Project, SheetPDF
from evalsheets.pdf.tasks import render_sheet_pdf_task
from tests.support.workers import ROOT, worker_command, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

TASKS = 50
DEADLINE = 420  # seconds for the whole run, two cores shared with everything else
STARTED = re.compile(r"Task id=(\S+) path=\S+ state=RUNNING")


@pytest.fixture
def queue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return worker_env(MEDIA_ROOT=str(tmp_path / "media"))


def start_worker(env, worker_id, log_path):
    log = log_path.open("w")
    process = subprocess.Popen(
        worker_command("--worker-id", worker_id, "--interval", "0.1"),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def wait_for(predicate, deadline, what):
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_two_workers_run_fifty_renders_each_exactly_once(world, queue, tmp_path):
    town, section = world["town"], world["sections"]["a"]
    sheets = [
        EvaluationSheet.objects.create(
            project=Project.objects.create(
                municipality=town, code=f"900-{n}", name=f"並行処理の確認事業{n}", section=section
            ),
            fiscal_year=2023,
        )
        for n in range(TASKS)
    ]
    deadline = time.monotonic() + DEADLINE
    logs = {name: tmp_path / f"{name}.log" for name in ("worker-a", "worker-b")}
    workers = [start_worker(queue, name, path) for name, path in logs.items()]
    try:
        # Both poll the empty queue first, so that they race for the same tasks.
        wait_for(
            lambda: all("Starting worker" in path.read_text() for path in logs.values()),
            deadline,
            "both workers to start",
        )
        with transaction.atomic():  # all fifty appear at once
            for sheet in sheets:
                render_sheet_pdf_task.enqueue(sheet.pk)
        assert DBTaskResult.objects.count() == TASKS
        wait_for(
            lambda: not DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists(),
            deadline,
            "the fifty tasks",
        )
    finally:
        for process, _log in workers:
            process.terminate()  # graceful: the current task finishes first
        for process, log in workers:
            try:
                process.wait(timeout=60)
            finally:
                process.kill()
                log.close()
    elapsed = DEADLINE - (deadline - time.monotonic())

    results = list(DBTaskResult.objects.all())
    failed = [r for r in results if r.status != "SUCCESSFUL"]
    assert not failed, failed[0].traceback
    # Claimed once each, by one of the two.
    assert all(len(r.worker_ids) == 1 for r in results), [r.worker_ids for r in results]
    taken = Counter(r.worker_ids[0] for r in results)
    assert set(taken) == {"worker-a", "worker-b"}, taken
    # Started once each, in one of the two logs.
    started = Counter(
        task_id for path in logs.values() for task_id in STARTED.findall(path.read_text())
    )
    assert started == Counter({str(r.id): 1 for r in results})
    # One render per sheet: one stored PDF each, the one its task returned.
    assert SheetPDF.objects.filter(sheet__in=sheets).count() == TASKS
    returned = {r.args_kwargs["args"][0]: r.return_value["pdf_id"] for r in results}
    stored = dict(SheetPDF.objects.filter(sheet__in=sheets).values_list("sheet_id", "pk"))
    assert returned == stored
    print(f"\n{TASKS} renders by two workers in {elapsed:.1f} s: {dict(taken)}")
