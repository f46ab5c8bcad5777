"""Restore the database and the stored files from an archive of ``manage.py backup``.

    python manage.py restore --list                           # archives in the backup storage
    python manage.py restore evalsheets-20261129-020000.tar   # one of them (or a local path)
    python manage.py restore /mnt/nas/evalsheets-20261129-020000.tar --yes

The database is replaced as a whole (django-dbbackup's ``dbrestore``: SQLite's backup
API, or ``pg_restore --clean --single-transaction``) and every file of the archive is
written back through the storage API (``mediarestore --replace``), to the disk or the
bucket. When the database already holds data, or the storage files, the command says
what it would replace and stops unless ``--yes`` is given. Afterwards it checks the
result: the row counts of the manifest and the SHA-256 of every frozen PDF.
"""

import shutil
import tarfile
import tempfile
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from evalsheets.models import ExportJob, SheetPDF
from evalsheets.site import backups

VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class Command(BaseCommand):
    help = "manage.py backup のアーカイブからデータベースと保存済みファイルを復元します。"

    def add_arguments(self, parser):
        parser.add_argument(
            "archive",
            nargs="?",
            help="アーカイブ：バックアップ用ストレージ内の名前、またはローカルのパス",
        )
        parser.add_argument(
            "--yes",
            "--no-input",
            "--noinput",
            action="store_true",
            dest="yes",
            help="今のデータベースとファイルを置き換えてよい（確認しない）",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            dest="list_archives",
            help="バックアップ用ストレージのアーカイブを一覧する",
        )

    def handle(self, *args, archive, yes, list_archives, **options):
        if list_archives or not archive:
            self._list(missing=not list_archives)
            return
        with tempfile.TemporaryDirectory(prefix="evalsheets-restore-") as tmp:
            work = Path(tmp)
            local = self._fetch(archive, work)
            try:
                with tarfile.open(local, "r:") as tar:
                    manifest = backups.read_manifest(tar)
                    self._check_compatible(manifest, archive)
                    self._confirm(manifest, yes)
                    for member in (backups.DATABASE, f"{backups.DATABASE}.metadata", backups.MEDIA):
                        tar.extract(member, work, filter="data")
            except (tarfile.TarError, KeyError, ValueError) as exc:
                raise CommandError(
                    f"{archive} は manage.py backup のアーカイブとして読めません：{exc}"
                ) from exc
            local.unlink()
            with backups.database_tool_errors("復元"):
                call_command(
                    "dbrestore",
                    database="default",
                    input_path=str(work / backups.DATABASE),
                    interactive=False,
                    quiet=True,
                )
            ContentType.objects.clear_cache()
            call_command(
                "mediarestore",
                input_path=str(work / backups.MEDIA),
                replace=True,
                interactive=False,
                quiet=True,
            )
        self._report(manifest)

    # ---------------------------------------------------------------- steps

    def _list(self, missing: bool):
        storage = storages["dbbackup"]
        names = sorted(
            (n for n in backups.top_level_files(storage) if backups.archive_time(n)), reverse=True
        )
        if missing:
            self.stderr.write("復元するアーカイブを指定してください。")
        if not names:
            self.stdout.write("バックアップ用ストレージにアーカイブはありません。")
        for name in names:
            self.stdout.write(name)
        if missing:
            raise CommandError("アーカイブが指定されていません。")

    def _fetch(self, archive: str, work: Path) -> Path:
        """A local copy of the archive (tarfile reads it with seeks)."""
        target = work / "archive.tar"
        path = Path(archive)
        if path.is_file():
            shutil.copyfile(path, target)
            return target
        storage = storages["dbbackup"]
        if not storage.exists(archive):
            raise CommandError(
                f"アーカイブ {archive} が見つかりません（ローカルのファイルにも、"
                "バックアップ用ストレージにもありません。--list で一覧できます）。"
            )
        with storage.open(archive, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        return target

    def _check_compatible(self, manifest: dict, archive: str):

        if manifest.get("application") != "evalsheets" or manifest.get("format") != backups.FORMAT:
            raise CommandError(
                f"{archive} は evalsheets のバックアップ（形式 {backups.FORMAT}）ではありません。"
            )
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise CommandError(
                f"このバックアップは{VENDORS.get(vendor, vendor)}のデータベースのものです。"
                f"{backups.database_label()}には復元できません（同じ種類のデータベースに"
                "復元してください）。"
            )

    def _confirm(self, manifest: dict, yes: bool):
        current = backups.data_rows(backups.row_counts())
        files = sum(1 for _ in backups.walk_storage(default_storage))
        taken = manifest["created_at"].replace("T", " ")[:19]
        incoming = sum(backups.data_rows(manifest["rows"]).values())
        lines = [
            f"復元するバックアップ：{taken} 作成、データベース {incoming:,}行、"
            f"ファイル {len(manifest['files']):,}件。"
        ]
        if current:
            lines.append(
                f"{backups.database_label()}の今のデータ {sum(current.values()):,}行"
                f"（{backups.describe_rows(current)}）はすべて削除され、"
                "バックアップの内容に置き換わります。"
            )
        if files:
            lines.append(
                f"保存済みファイル {files:,}件のうち、バックアップにあるものと同じ名前のファイルは"
                "置き換わります（バックアップにないファイルはそのまま残ります）。"
            )
        if (current or files) and not yes:
            lines.append("よろしければ --yes を付けてもう一度実行してください。")
            raise CommandError("\n".join(lines))
        self.stdout.write("\n".join(lines))

    def _report(self, manifest: dict):
        """Check what was restored and say so. A missing or changed file is an error (exit
        status 1); row counts that differ from the manifest are a warning, since a backup
        taken while people work counts the rows a moment before the dump."""
        problems, warnings = [], []
        counts = backups.row_counts()
        names = backups.model_names()
        for label, expected in sorted(manifest["rows"].items()):
            if counts.get(label, 0) != expected:
                warnings.append(
                    f"{names.get(label, label)}：バックアップ時 {expected:,}行、"
                    f"復元後 {counts.get(label, 0):,}行"
                )
        frozen = 0
        for record in SheetPDF.objects.order_by("pk"):
            name = record.file.name
            if not default_storage.exists(name):
                if record.frozen:
                    problems.append(f"確定PDFのファイルがありません：{name}")
                continue  # an unpublished sheet's PDF is rendered again on demand
            if record.frozen:
                with default_storage.open(name, "rb") as handle:
                    if backups.sha256_of(handle) != record.sha256:
                        problems.append(f"確定PDFのSHA-256が違います：{name}")
                        continue
                frozen += 1
        for job in ExportJob.objects.exclude(result=""):
            if not default_storage.exists(job.result.name):
                problems.append(f"一括出力のファイルがありません：{job.result.name}")
        rows = sum(backups.data_rows(counts).values())
        self.stdout.write(
            f"復元しました：{backups.database_label()} {rows:,}行、"
            f"ファイル {len(manifest['files']):,}件。確定PDF {frozen:,}件のSHA-256を確認しました。"
        )
        pending = backups.unapplied_migrations()
        if pending:
            self.stdout.write(
                f"このバックアップの後に追加されたマイグレーションが{len(pending)}件あります："
                "python manage.py migrate を実行してください。"
            )
        if warnings:
            self.stdout.write(
                "注意：行数がバックアップ時の記録と違います（バックアップ中に更新があった場合は"
                "その分だけ違います）：\n  " + "\n  ".join(warnings)
            )
        if problems:
            raise CommandError("復元した内容に次の違いがあります：\n  " + "\n  ".join(problems))
