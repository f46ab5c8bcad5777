"""Back up the database and every stored file into one archive.

    python manage.py backup                  # into the backup storage (BACKUP_ROOT or bucket)
    python manage.py backup --output /mnt/nas/evalsheets/   # a local folder (or file) instead
    python manage.py backup --prune          # then delete archives the rotation no longer keeps

The archive (``evalsheets-<YYYYMMDD>-<HHMMSS>.tar``, see evalsheets/site/backups.py) holds
the database dump and the default storage's files made by django-dbbackup's
``dbbackup`` and ``mediabackup``, with a manifest (row counts, every file's SHA-256).
``manage.py restore`` reads it back. Schedule and retention: docs/operations.md.
"""

import json
import tarfile
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from evalsheets.site import backups


class Command(BaseCommand):
    help = "データベースと保存済みファイル（PDF・一括出力）を1つのアーカイブにバックアップします。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="バックアップ用ストレージではなく、このフォルダ（またはファイル名）に書き出す",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help=(
                f"書き出した後、バックアップ用ストレージの古いアーカイブを削除する（日次"
                f"{backups.KEEP_DAILY}・週次{backups.KEEP_WEEKLY}・月次{backups.KEEP_MONTHLY}"
                "世代を残す）"
            ),
        )

    def handle(self, *args, output, prune, **options):
        from dbbackup.db.base import get_connector

        name = backups.archive_name()
        counts = backups.row_counts()
        if not counts:
            raise CommandError(
                f"{backups.database_label()}にテーブルがありません（migrate の前です）。"
            )
        connector = get_connector("default")
        connector_path = f"{type(connector).__module__}.{type(connector).__name__}"
        with tempfile.TemporaryDirectory(prefix="evalsheets-backup-") as tmp:
            work = Path(tmp)
            # The database first, then the files (see evalsheets/site/backups.py).
            with backups.database_tool_errors("バックアップ"):
                call_command(
                    "dbbackup",
                    database="default",
                    output_path=str(work / backups.DATABASE),
                    quiet=True,
                )
            backups.ensure_storage_root(default_storage)
            call_command("mediabackup", output_path=str(work / backups.MEDIA), quiet=True)
            files = backups.files_of_media_tar(work / backups.MEDIA)
            manifest = backups.manifest(counts, files, connector_path)
            (work / backups.MANIFEST).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            archive = work / name
            with tarfile.open(archive, "w") as tar:
                for member in (
                    backups.MANIFEST,
                    backups.DATABASE,
                    f"{backups.DATABASE}.metadata",
                    backups.MEDIA,
                ):
                    tar.add(work / member, arcname=member)
            size = archive.stat().st_size
            where = self._save(archive, name, output)

        rows = sum(backups.data_rows(counts).values())
        self.stdout.write(
            f"バックアップを作成しました：{where}（{filesizeformat(size)}）\n"
            f"  データベース {backups.database_label()}：{rows:,}行"
            f"（{backups.describe_rows(backups.data_rows(counts), limit=4)}）\n"
            f"  保存済みファイル：{len(files):,}件"
        )
        if prune:
            self._prune()

    def _save(self, archive: Path, name: str, output: str | None) -> str:
        if output:
            target = Path(output)
            if target.is_dir() or output.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                target = target / name
            with archive.open("rb") as source, target.open("wb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
            return str(target)
        storage = storages["dbbackup"]
        with archive.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        return backups.location_of(storage, saved)

    def _prune(self):
        storage = storages["dbbackup"]
        names = backups.top_level_files(storage)
        keep = backups.to_keep(names)
        removed = sorted(name for name in names if name not in keep)
        for name in removed:
            storage.delete(name)
        self.stdout.write(
            f"古いアーカイブを{len(removed)}件削除しました。残り{len(keep)}件。"
            + "".join(f"\n  削除：{name}" for name in removed)
        )
