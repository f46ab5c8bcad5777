"""manage.py backup / restore: back up, wipe, restore, and find every row and every file.

Runs on whichever database the suite runs on (CI runs SQLite and PostgreSQL). The data
must be committed for pg_dump to see it, hence transactional tests.
"""

import datetime
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.choices import ExportKind, SheetState
from evalsheets.exports import bulk as bulk_export
from evalsheets.models import EvaluationSheet, SheetPDF
from evalsheets.pdf.storage import ensure_pdf
from evalsheets.site import backups

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def storage_dirs(settings, tmp_path):
    """This test's own MEDIA_ROOT and backup folder (never the shared media/)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "dbbackup": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "backups")},
        },
    }
    return tmp_path


def snapshot() -> dict:
    """Every row of every model, ordered by primary key."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in backups.models_in_database()
    }


def stored_files() -> dict[str, str]:
    """{name: SHA-256} of every file of the default storage."""
    result = {}
    for name in backups.walk_storage(default_storage):
        with default_storage.open(name, "rb") as handle:
            result[name] = hashlib.sha256(handle.read()).hexdigest()
    return result


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@transactional
def test_backup_wipe_restore_round_trip(demo_data, storage_dirs):
    published = list(EvaluationSheet.objects.filter(state=SheetState.PUBLISHED).order_by("pk"))
    assert len(published) >= 3, "the demo data has published sheets"
    # An unfrozen PDF too: one sheet taken back to 課長承認.
    draft = published.pop()
    EvaluationSheet.objects.filter(pk=draft.pk).update(state=SheetState.APPROVED, published_at=None)
    assert not ensure_pdf(draft).frozen
    frozen = {sheet.pk: ensure_pdf(sheet) for sheet in published}
    assert all(record.frozen for record in frozen.values())
    town = published[0].project.municipality
    job = bulk_export.create_job(
        None, town, ExportKind.ZIP, {"year": published[0].fiscal_year, "state": "published"}
    )
    bulk_export.run_job(job.pk)
    job.refresh_from_db()
    assert job.result.name.startswith("exports/")

    before_rows = snapshot()
    before_files = stored_files()
    assert any(name.startswith("pdf/") for name in before_files)
    assert any(name.startswith("exports/") for name in before_files)

    out = run("backup")
    names = storages["dbbackup"].listdir("")[1]
    assert len(names) == 1 and backups.archive_time(names[0]), names
    assert f"保存済みファイル：{len(before_files)}件" in out

    # The archive says what is in it.
    with storages["dbbackup"].open(names[0], "rb") as handle:
        with tarfile.open(fileobj=io.BytesIO(handle.read())) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            assert {m.name for m in tar} == {
                "manifest.json",
                "database.dump",
                "database.dump.metadata",
                "media.tar",
            }
    assert manifest["database"]["vendor"] == connection.vendor
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == before_files
    assert manifest["rows"] == {label.lower(): len(rows) for label, rows in before_rows.items()}

    # A database with data in it is not replaced without --yes; the message says what.
    EvaluationSheet.objects.filter(pk=draft.pk).update(summary="バックアップの後の変更")
    with pytest.raises(CommandError) as refused:
        run("restore", names[0])
    message = str(refused.value)
    assert "評価シート" in message and "置き換わります" in message and "--yes" in message
    assert f"ファイル {len(before_files)}件" in message or "保存済みファイル" in message
    assert EvaluationSheet.objects.get(pk=draft.pk).summary == "バックアップの後の変更"

    # Wipe: flush the database and delete every stored file.
    call_command("flush", interactive=False)
    shutil.rmtree(Path(storage_dirs) / "media")
    assert not EvaluationSheet.objects.exists() and not SheetPDF.objects.exists()
    assert stored_files() == {}

    # An empty database and storage: no --yes needed.
    out = run("restore", names[0])
    assert "復元しました" in out
    assert f"確定PDF {len(frozen)}件のSHA-256を確認しました" in out

    assert snapshot() == before_rows
    assert stored_files() == before_files
    for record in SheetPDF.objects.filter(frozen=True):
        with record.file.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == record.sha256
        assert record.sha256 == frozen[record.sheet_id].sha256
    # The restored application serves the restored files.
    sheet = published[0]
    assert ensure_pdf(sheet).pk == frozen[sheet.pk].pk


@transactional
def test_restore_replaces_a_changed_database_with_yes(world, storage_dirs, tmp_path):
    run("backup", "--output", str(tmp_path / "out") + "/")
    (archive,) = (tmp_path / "out").iterdir()
    before = snapshot()

    sheet = world["sheets"]["a"]
    EvaluationSheet.objects.filter(pk=sheet.pk).update(summary="後から書いた")
    world["sheets"]["b"].delete()
    default_storage.save("pdf/stray.pdf", io.BytesIO(b"%PDF-1.7 stray"))
    # A table the backup does not have (a later release's migration, then a rollback).
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE evalsheets_from_a_later_release (id integer)")

    out = run("restore", str(archive), "--yes")
    assert "今のデータ" in out and "置き換わります" in out
    assert snapshot() == before
    tables = connection.introspection.table_names()
    assert "evalsheets_from_a_later_release" not in tables
    assert "evalsheets_evaluationsheet" in tables
    # A file the backup does not know stays where it is (no row points at it).
    assert default_storage.exists("pdf/stray.pdf")


@transactional
def test_restore_refuses_another_kind_of_database(world, storage_dirs, tmp_path):
    run("backup", "--output", str(tmp_path / "a.tar"))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    forged = tmp_path / "b.tar"
    with tarfile.open(tmp_path / "a.tar") as source, tarfile.open(forged, "w") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database"]["vendor"] = other
                data = json.dumps(manifest).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    EvaluationSheet.objects.all().delete()
    with pytest.raises(CommandError, match="には復元できません"):
        run("restore", str(forged), "--yes")
    assert not EvaluationSheet.objects.exists()  # nothing was touched


@transactional
def test_restore_names_missing_archives(world, storage_dirs):
    with pytest.raises(CommandError, match="見つかりません"):
        run("restore", "evalsheets-20000101-000000.tar", "--yes")
    with pytest.raises(CommandError, match="指定されていません"):
        run("restore")
    not_ours = storage_dirs / "notes.tar"
    not_ours.write_bytes(b"not a tar archive")
    with pytest.raises(CommandError, match="アーカイブとして読めません"):
        run("restore", str(not_ours), "--yes")
    assert EvaluationSheet.objects.count() == 3  # nothing was touched
    run("backup")
    assert backups.archive_time(run("restore", "--list").strip())


# ----------------------------------------------------------------- retention


def test_rotation_keeps_14_daily_8_weekly_12_monthly():
    start = datetime.datetime(2025, 1, 1, 2, 0)
    names = [backups.archive_name(start + datetime.timedelta(days=n)) for n in range(500)]
    names.append(backups.archive_name(start + datetime.timedelta(days=499, hours=12)))
    names.append("README.txt")
    keep = backups.to_keep(names)
    assert "README.txt" in keep
    kept = sorted(backups.archive_time(name) for name in keep if backups.archive_time(name))
    newest = start + datetime.timedelta(days=499, hours=12)
    assert kept[-1] == newest
    # The newest of each of the last 14 days...
    days = {t.date() for t in kept if t > newest - datetime.timedelta(days=14)}
    assert len(days) == 14
    # ...of each of the last 8 weeks and 12 months; nothing older than a year and a bit.
    assert len({t.isocalendar()[:2] for t in kept}) >= 8
    assert len({(t.year, t.month) for t in kept}) == 12
    assert kept[0] > newest - datetime.timedelta(days=366)
    # 14 + 8 + 12 at most (periods overlap near today), never two of one day.
    assert len(kept) <= 14 + 8 + 12
    assert len({t.date() for t in kept}) == len(kept)
    # The same names again: nothing more to prune.
    assert backups.to_keep(keep) == keep


@transactional
def test_backup_prune_deletes_what_the_rotation_drops(world, storage_dirs):
    storage = storages["dbbackup"]
    old = [
        backups.archive_name(datetime.datetime(2020, 1, 1) + datetime.timedelta(days=n))
        for n in range(40)
    ]
    for name in old:
        storage.save(name, io.BytesIO(b"old"))
    out = run("backup", "--prune")
    left = set(storage.listdir("")[1])
    assert left == backups.to_keep([*old, *left])
    assert len(left) < len(old) + 1 and "削除しました" in out
    assert max(left, key=backups.archive_time) not in old  # today's is kept


@transactional
def test_sqlite_restore_while_another_connection_is_open(world, storage_dirs, tmp_path):
    """A worker that keeps the SQLite file open (WAL mode, frames not yet checkpointed)
    sees the restored data, and the file stays sound."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own file handling")
    import sqlite3

    run("backup", "--output", str(tmp_path / "a.tar"))
    before = snapshot()
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        other.execute("PRAGMA wal_autocheckpoint=0")
        other.execute("UPDATE evalsheets_evaluationsheet SET summary = 'worker'")
        other.execute("DELETE FROM evalsheets_staffeffort")
        run("restore", str(tmp_path / "a.tar"), "--yes")
        assert other.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        summaries = {
            row[0] for row in other.execute("SELECT summary FROM evalsheets_evaluationsheet")
        }
        assert "worker" not in summaries
        assert other.execute("SELECT count(*) FROM evalsheets_staffeffort").fetchone()[0] == 3
    finally:
        other.close()
    connection.close()
    assert snapshot() == before
