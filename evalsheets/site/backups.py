"""Backups: one archive holding the database and every stored file.

``manage.py backup`` writes and ``manage.py restore`` reads one tar archive
``evalsheets-<YYYYMMDD>-<HHMMSS>.tar`` (local time) holding:

* ``manifest.json`` — what is inside: when, from which database (engine, name), the
  last applied migration of each app, the number of rows of every model, and every
  stored file with its size and SHA-256;
* ``database.dump`` (+ ``database.dump.metadata``) — django-dbbackup's ``dbbackup``:
  for SQLite a copy made with SQLite's online backup API, for PostgreSQL
  ``pg_dump --format=custom``;
* ``media.tar`` — django-dbbackup's ``mediabackup``: every file of the default
  storage (sheet PDFs under ``pdf/``, export results under ``exports/``), read through
  Django's storage API, so from the disk or from an S3 bucket alike.

The database is dumped first, then the files: a PDF stored in between is only an
extra file; a PDF deleted in between (an unpublished sheet's old render) is rendered
again when someone asks for it. Frozen PDFs of published sheets are never deleted.

The connectors below are what ``DBBACKUP_CONNECTOR_MAPPING`` (settings) selects.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import re
import shutil
import socket
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from dbbackup.db.postgresql import PgDumpBinaryConnector, parse_postgres_settings
from dbbackup.db.sqlite import SqliteBackupConnector
from django.apps import apps
from django.core.files.storage import FileSystemStorage
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.dump"
MEDIA = "media.tar"
NAME_RE = re.compile(r"^evalsheets-(\d{8})-(\d{6})\.tar$")
# Rows that migrate (post_migrate) creates in any database, even a freshly flushed one.
BOOKKEEPING = {"contenttypes.contenttype", "auth.permission"}


# ----------------------------------------------------------------- connectors


class SqliteConnector(SqliteBackupConnector):
    """Dump as django-dbbackup does (SQLite's online backup API, into a file); restore
    with the same API the other way, into the live database, rather than writing over
    its file: SQLite copies the pages under its own lock, in WAL mode too, and every
    connection already open sees the restored data. Writing over the file while a
    ``-wal`` file holds newer pages would mix the two."""

    extension = "sqlite3"

    def restore_dump(self, dump):
        with tempfile.TemporaryDirectory(prefix="evalsheets-restore-") as tmp:
            path = Path(tmp) / "restore.sqlite3"
            with path.open("wb") as out:
                shutil.copyfileobj(dump, out, 1 << 20)
            source = sqlite3.connect(path)
            try:
                self.connection.ensure_connection()
                source.backup(self.connection.connection)
            finally:
                source.close()


class PostgresConnector(PgDumpBinaryConnector):
    """pg_dump --format=custom / pg_restore --clean --if-exists --single-transaction
    (django-dbbackup), restored without the original owner and grants so that the
    application's own database user may restore onto a new server."""

    pg_options = "--no-owner --no-privileges"

    def _restore_dump(self, dump):
        # ``--clean`` drops only what the dump holds: a table created after the backup (a
        # later release's migration, before a rollback) would stay, and ``migrate`` would
        # later fail to create it. Drop those first, so the database is the backup's.
        in_dump = self._tables_in(dump)
        extra = [t for t in self.connection.introspection.table_names() if t not in in_dump]
        if extra:
            with self.connection.cursor() as cursor:
                quote = self.connection.ops.quote_name
                cursor.execute(
                    "DROP TABLE IF EXISTS " + ", ".join(quote(t) for t in extra) + " CASCADE"
                )
        self.connection.close()  # no session of ours may hold a lock during pg_restore
        return super()._restore_dump(dump)

    def _tables_in(self, dump) -> set[str]:
        """The tables of a custom-format dump (``pg_restore --list``)."""
        _cmd_part, pg_env = parse_postgres_settings(self)
        dump.seek(0)
        stdout, _stderr = self.run_command(f"{self.restore_cmd} --list", stdin=dump, env=pg_env)
        dump.seek(0)
        listing = stdout.read().decode("utf-8", "replace")
        return set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))


@contextlib.contextmanager
def database_tool_errors(action: str):
    """pg_dump / pg_restore failing (missing, older than the server, refused): a command
    error that says so in Japanese, with the tool's own message below."""
    from dbbackup.db.exceptions import CommandConnectorError

    # django-dbbackup would log the same error with its traceback first: ours says it all.
    quiet = logging.getLogger("dbbackup")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        yield
    except CommandConnectorError as exc:
        raise CommandError(
            f"データベースの{action}に失敗しました。PostgreSQLでは pg_dump と pg_restore"
            "（postgresql-client、サーバーと同じかそれより新しい版）が必要です。\n"
            f"{exc}"
        ) from exc
    finally:
        quiet.setLevel(level)


# ------------------------------------------------------------------ contents


def archive_name(when: datetime.datetime | None = None) -> str:
    """``evalsheets-YYYYMMDD-HHMMSS.tar`` of ``when`` (now), in local time."""
    when = when or timezone.now()
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return f"evalsheets-{when:%Y%m%d-%H%M%S}.tar"


def archive_time(name: str) -> datetime.datetime | None:
    match = NAME_RE.match(Path(name).name)
    if not match:
        return None
    return datetime.datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S")


def models_in_database():
    """Every model with a table in the current database (none before the first migrate)."""
    tables = set(connection.introspection.table_names())
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in tables
    ]


def row_counts() -> dict[str, int]:
    """``{"app_label.model": rows}`` of every model with a table."""
    return {
        model._meta.label_lower: model._default_manager.using(connection.alias).count()
        for model in models_in_database()
    }


def model_names() -> dict[str, str]:
    """``{"app_label.model": "評価シート"}`` for messages."""
    return {model._meta.label_lower: str(model._meta.verbose_name) for model in apps.get_models()}


def data_rows(counts: dict[str, int]) -> dict[str, int]:
    """The rows that make a database "not empty": everything but bookkeeping."""
    return {label: n for label, n in counts.items() if n and label not in BOOKKEEPING}


def describe_rows(counts: dict[str, int], limit: int = 12) -> str:
    """「評価シート 120件、ユーザー 21件 …」, the largest first."""
    names = model_names()
    largest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text = "、".join(f"{names.get(label, label)} {n:,}件" for label, n in largest[:limit])
    if len(largest) > limit:
        text += f" ほか{len(largest) - limit}種類"
    return text


def last_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def database_label() -> str:
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )
    return f"{vendor}「{connection.settings_dict['NAME']}」"


def walk_storage(storage, path: str = "") -> Iterator[str]:
    """Every file name in a storage, through its API (disk or bucket)."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # a disk storage's folder before the first file
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from walk_storage(storage, f"{path}/{directory}" if path else directory)


def top_level_files(storage) -> list[str]:
    """The file names at the top of a storage (the backup storage's archives)."""
    try:
        return sorted(storage.listdir("")[1])
    except FileNotFoundError:
        return []


def location_of(storage, name: str) -> str:
    """Where a stored file is, for messages: a path on disk or s3://bucket/key."""
    if isinstance(storage, FileSystemStorage):
        return storage.path(name)
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        prefix = getattr(storage, "location", "")
        return f"s3://{bucket}/{prefix.strip('/') + '/' if prefix else ''}{name}"
    return name


def ensure_storage_root(storage) -> None:
    """Create a disk storage's folder (mediabackup lists it even when nothing was stored)."""
    if isinstance(storage, FileSystemStorage):
        Path(storage.location).mkdir(parents=True, exist_ok=True)


def sha256_of(handle, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(block), b""):
        digest.update(chunk)
    return digest.hexdigest()


def files_of_media_tar(path: Path) -> list[dict]:
    """[{"name", "size", "sha256"}] of every file in a ``mediabackup`` tarball."""
    files = []
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            files.append({"name": member.name, "size": member.size, "sha256": sha256_of(handle)})
    return files


def manifest(counts: dict[str, int], files: list[dict], connector_path: str) -> dict:
    return {
        "format": FORMAT,
        "application": "evalsheets",
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "created_on": socket.gethostname(),
        "database": {
            "vendor": connection.vendor,
            "engine": connection.settings_dict["ENGINE"],
            "name": str(connection.settings_dict["NAME"]),
            "connector": connector_path,
        },
        "migrations": last_migrations(),
        "rows": counts,
        "files": files,
    }


def read_manifest(tar: tarfile.TarFile) -> dict:
    handle = tar.extractfile(MANIFEST)
    if handle is None:
        raise KeyError(MANIFEST)
    return json.load(handle)


# ------------------------------------------------------------------ retention

# A city keeps the newest archive of each of the last 14 days, 8 ISO weeks and
# 12 months that have one (docs/operations.md); the others may go.
KEEP_DAILY = 14
KEEP_WEEKLY = 8
KEEP_MONTHLY = 12


def to_keep(
    names: Iterable[str],
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    monthly: int = KEEP_MONTHLY,
) -> set[str]:
    """The archive names a daily / weekly / monthly rotation keeps: per period, the newest
    archive of the ``n`` most recent periods that have one. Names that are not archives
    of ours are always kept."""
    names = list(names)
    dated = sorted(
        ((archive_time(name), name) for name in names if archive_time(name)), reverse=True
    )
    keep = {name for name in names if archive_time(name) is None}
    for count, period in (
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ):
        seen: list = []
        for when, name in dated:
            key = period(when)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(name)
    return keep
