"""Stored PDFs and export files in S3-compatible object storage, shared by the web process
and a worker in another process.

A real S3 protocol server (moto in server mode) runs on a free 127.0.0.1 port for these
tests; if it cannot start, they fail. The web side is the test client in this process,
the worker a real ``manage.py db_worker`` (evalsheets.settings with STORAGE_BACKEND=s3 and
the test database through DATABASE_URL). Nothing is written under MEDIA_ROOT.
"""

import hashlib
import io
import subprocess
import sys
import uuid
import zipfile

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from core.choices import ExportStatus
from evalsheets import settings as app_settings
from evalsheets.models import EvaluationSheet, ExportJob, SheetPDF
from evalsheets.pdf.tasks import schedule_pdf
from evalsheets.site import backups
from tests.conftest import publish
from tests.support.entry import user
from tests.support.workers import ROOT, run_worker_batch, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "evalsheets-test", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}
REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A fresh private bucket; this process's default storage and TASKS point at it and at
    the database queue, as on a web machine of a several-machine installation."""
    name = f"evalsheets-{uuid.uuid4().hex[:12]}"
    environment = {
        **CREDENTIALS,
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": app_settings.s3_options(name),  # what evalsheets.settings builds
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return {"name": name, "client": client, "env": worker_env(**environment), "media": tmp_path}


def objects(bucket) -> dict[str, bytes]:
    client = bucket["client"]
    listed = client.list_objects_v2(Bucket=bucket["name"]).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket["name"], Key=item["Key"])["Body"].read()
        for item in listed
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_private(bucket, key):
    """Only the owner has any grant: no public-read ACL."""
    acl = bucket["client"].get_object_acl(Bucket=bucket["name"], Key=key)
    grantees = {grant["Grantee"].get("URI", grant["Grantee"].get("ID")) for grant in acl["Grants"]}
    assert all("AllUsers" not in str(g) and "AuthenticatedUsers" not in str(g) for g in grantees)
    assert {grant["Permission"] for grant in acl["Grants"]} == {"FULL_CONTROL"}


def test_worker_renders_into_the_bucket_and_the_web_serves_it(world, bucket):
    sheet = world["sheets"]["a"]
    with transaction.atomic():  # as a save does: enqueued when the transaction commits
        schedule_pdf(sheet)
    task = DBTaskResult.objects.get()
    assert task.status == "READY"

    run_worker_batch(bucket["env"])  # another process, production settings, S3

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    record = SheetPDF.objects.get(sheet=sheet)
    stored = objects(bucket)
    assert list(stored) == [record.file.name] and record.file.name.startswith("pdf/")
    data = stored[record.file.name]
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == record.sha256
    assert_private(bucket, record.file.name)
    assert not (bucket["media"] / "media").exists()  # nothing on this machine's disk

    client = Client()
    client.force_login(world["users"]["staff_a"])
    response = client.get(f"/sheets/{sheet.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert body(response) == data
    assert response["ETag"] == f'"{record.sha256}"'
    assert SheetPDF.objects.filter(sheet=sheet).count() == 1  # served, not rendered again

    # Published: the worker freezes a new PDF in the bucket; the public page serves it.
    with transaction.atomic():
        sheet = publish(sheet)
        schedule_pdf(sheet)
    run_worker_batch(bucket["env"])
    frozen = SheetPDF.objects.get(sheet=sheet, frozen=True)
    public = Client().get("/public/432067/2023/741-2/pdf/")
    assert public.status_code == 200
    assert hashlib.sha256(body(public)).hexdigest() == frozen.sha256
    assert frozen.file.name in objects(bucket)
    assert not (bucket["media"] / "media").exists()


def test_web_renders_the_worker_zips_and_the_web_downloads(demo_data, bucket):
    client = Client()
    client.force_login(user("tamana-planning"))
    # The web renders one sheet's PDF into the bucket (a download renders what is missing).
    first = EvaluationSheet.objects.filter(
        project__municipality__code="432067", fiscal_year=2023
    ).order_by("pk")[0]
    web_pdf = body(client.get(f"/sheets/{first.pk}/pdf/"))
    web_record = SheetPDF.objects.get(sheet=first)
    assert hashlib.sha256(web_pdf).hexdigest() == web_record.sha256
    assert web_record.file.name in objects(bucket)

    # The 企画課 asks for the year's ZIP; the worker reads that PDF from the bucket, renders
    # the others, and writes the ZIP into the bucket.
    response = client.post("/exports/", {"year": "2023", "kind": "zip", "scope": "year"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportStatus.QUEUED
    run_worker_batch(bucket["env"])
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert job.result.name.startswith("exports/") and job.result.name in objects(bucket)
    assert_private(bucket, job.result.name)
    assert SheetPDF.objects.get(sheet=first).pk == web_record.pk  # read, not rendered again

    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(body(download))) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    records = SheetPDF.objects.filter(
        sheet__fiscal_year=2023, sheet__project__municipality__code="432067"
    )
    assert len(members) == job.total == records.count() == 2
    assert {hashlib.sha256(data).hexdigest() for data in members.values()} == {
        record.sha256 for record in records
    }
    assert web_pdf in members.values()
    assert not (bucket["media"] / "media").exists()


def test_backup_and_restore_through_the_bucket(world, bucket, tmp_path):
    """manage.py backup reads every object of the bucket; restore writes them back."""
    sheet = world["sheets"]["a"]
    with transaction.atomic():
        schedule_pdf(sheet)
    run_worker_batch(bucket["env"])
    before = objects(bucket)
    assert len(before) == 1

    call_command("backup", "--output", str(tmp_path / "backup.tar"), stdout=io.StringIO())
    for key in before:
        bucket["client"].delete_object(Bucket=bucket["name"], Key=key)
    assert objects(bucket) == {}
    call_command("restore", str(tmp_path / "backup.tar"), "--yes", stdout=io.StringIO())
    assert objects(bucket) == before
    assert list(backups.walk_storage(default_storage)) == list(before)


def test_backups_in_a_bucket_of_their_own(world, bucket, settings):
    """BACKUP_S3_BUCKET_NAME: the archives go to that bucket; restore --list and restore
    read them from there."""
    name = f"{bucket['name']}-backups"
    bucket["client"].create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "dbbackup": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": app_settings.s3_options(name),
        },
    }
    out = io.StringIO()
    call_command("backup", stdout=out)
    (key,) = [item["Key"] for item in bucket["client"].list_objects_v2(Bucket=name)["Contents"]]
    assert backups.archive_time(key) and f"s3://{name}/{key}" in out.getvalue()
    assert_private({**bucket, "name": name}, key)

    listed = io.StringIO()
    call_command("restore", "--list", stdout=listed)
    assert listed.getvalue().split() == [key]
    EvaluationSheet.objects.filter(pk=world["sheets"]["a"].pk).update(summary="後から")
    call_command("restore", key, "--yes", stdout=io.StringIO())
    assert EvaluationSheet.objects.get(pk=world["sheets"]["a"].pk).summary == ""


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND is filesystem or s3, not 'nfs'"),
    ],
)
def test_storage_settings_refuse_an_incomplete_environment(environment, message):
    env = worker_env(**environment)
    env.pop("AWS_STORAGE_BUCKET_NAME", None)
    result = subprocess.run(
        [sys.executable, "-c", "import evalsheets.settings"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and message in result.stderr
