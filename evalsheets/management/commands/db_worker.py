"""``manage.py db_worker``: django-tasks-db's worker, made to survive a locked database.

On SQLite one connection writes at a time and the others wait up to the busy timeout
(settings: ``timeout``). django-tasks-db's worker claims a task in an exclusive
transaction and ignores a lock while it looks for a task, but not when the transaction
itself cannot begin: after a long writer (an import of 20,000 rows held the lock for a
minute) the worker process ended on ``OperationalError: database is locked`` and queued
exports stayed 待機中 for good. Recording a task's outcome had the same weakness: three
failed attempts and the worker ended, the task left 実行中.

This command takes the place of django-tasks-db's (``evalsheets`` comes before
``django_tasks_db`` in INSTALLED_APPS) with the same options, and a worker that:

* on a locked database anywhere in its loop, logs a warning, waits ``LOCK_PAUSE``
  seconds and carries on looking for tasks — as long as it has not been told to stop;
* records a task's outcome (successful or failed) until the database lets it, so a task
  that ran is never left 実行中.

A task whose own work failed on a lock is recorded as failed, like any other error.
"""

import logging
import time

from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("django_tasks_db")

LOCK_PAUSE = 1.0  # seconds between attempts when the database is locked


class Worker(upstream.Worker):
    lock_pause = LOCK_PAUSE

    def run(self) -> None:
        while True:
            try:
                return super().run()
            except OperationalError as exc:
                if not (self.running and is_locked_database_exception(exc)):
                    raise
                logger.warning(
                    "Database locked (%s); worker_id=%s tries again in %.1f s",
                    exc,
                    self.worker_id,
                    self.lock_pause,
                )
                close_old_connections()
                self.startup_delay = False
                time.sleep(self.lock_pause)

    def run_task(self, db_task_result) -> None:
        db_task_result.set_successful = self.until_unlocked(db_task_result.set_successful)
        db_task_result.set_failed = self.until_unlocked(db_task_result.set_failed)
        super().run_task(db_task_result)

    def until_unlocked(self, record):
        """``record`` retried while the database is locked (a task's outcome is never lost)."""

        def retrying(*args, **kwargs):
            while True:
                try:
                    return record(*args, **kwargs)
                except OperationalError as exc:
                    if not is_locked_database_exception(exc):
                        raise
                    logger.warning(
                        "Database locked while recording a task's outcome; retrying in %.1f s",
                        self.lock_pause,
                    )
                    time.sleep(self.lock_pause)

        return retrying


class Command(upstream.Command):
    help = "Run a database background worker (which waits out a locked database)"

    def handle(self, **options) -> None:
        original = upstream.Worker
        upstream.Worker = Worker
        try:
            super().handle(**options)
        finally:
            upstream.Worker = original
