"""Real ``manage.py db_worker`` processes against the test database.

The worker runs the production settings (``evalsheets.settings``) with the test
database's name passed through ``DATABASE_URL``; the tests that use it are
transactional, so what the test commits is what the worker sees.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a DATABASE_URL (SQLite file or PostgreSQL database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(settings.get("USER") or "", safe="")
        password = settings.get("PASSWORD") or ""
        auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        return f"postgres://{auth}{settings.get('HOST') or 'localhost'}{port}/{settings['NAME']}"
    raise AssertionError(f"no DATABASE_URL for {connection.vendor}")


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker process: production settings on the test database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="evalsheets.settings",
        DATABASE_URL=database_url(),
        SECRET_KEY="evalsheets-test-worker-key",
        DEBUG="0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def worker_command(*args: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--queue-name",
        "*",
        "--no-startup-delay",
        "--no-reload",
        *args,
    ]


def run_worker_batch(env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    """Run one worker until the queue is empty (``--batch``); fail on a non-zero exit."""
    result = subprocess.run(
        worker_command("--batch", "--interval", "0"),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"db_worker failed:\n{result.stdout}\n{result.stderr}"
    return result
