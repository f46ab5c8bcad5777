"""``/health/``: is this web process able to serve? For load balancers and monitoring.

No login, GET or HEAD, a JSON body; 200 when every check passes, 503 otherwise:

* ``database``: one query on the default database;
* ``storage``: a small file written, read back and deleted through ``default_storage``
  (the disk under MEDIA_ROOT, or the S3 bucket shared by several machines): the stored
  PDFs and exports live there;
* ``tasks``: the age of the oldest task waiting in the queue (django-tasks-db, status
  READY and due). Older than ``HEALTH_MAX_TASK_AGE`` seconds (default 900: a 1,000-sheet
  booklet takes about 4 minutes in one worker) means that no ``db_worker`` runs or that
  the workers cannot keep up.

``?checks=database,storage`` runs only those checks: a load balancer in front of several
web machines should not take all of them out of service because the workers stopped
(docs/deploy.md). A failed check says which exception it met, never its message (the body
is public); the details go to the log (logger ``evalsheets.site.health``).
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("evalsheets.site.health")

PROBE = b"evalsheets health probe\n"


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_storage() -> dict:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(PROBE))
    try:
        with default_storage.open(name, "rb") as stored:
            if stored.read() != PROBE:
                raise OSError("the probe file read back differs from what was written")
    finally:
        default_storage.delete(name)
    return {}


def check_tasks() -> dict:
    """Age of the oldest due task in the queue of the database backend."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    limit = getattr(settings, "HEALTH_MAX_TASK_AGE", 900)
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db."):
        return {"queue": "none", "backend": backend}
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    if oldest is None:
        return {"waiting": 0, "oldest_age_s": 0, "max_age_s": limit}
    waiting = DBTaskResult.objects.ready().count()
    due_since = oldest.enqueued_at
    if oldest.run_after != get_date_max() and oldest.run_after > due_since:
        due_since = oldest.run_after
    age = max(0, round((timezone.now() - due_since).total_seconds()))
    result = {"waiting": waiting, "oldest_age_s": age, "max_age_s": limit}
    if age > limit:
        raise QueueTooOld(result)
    return result


class QueueTooOld(Exception):
    """The oldest waiting task has waited longer than HEALTH_MAX_TASK_AGE."""

    def __init__(self, result: dict):
        super().__init__(f"the oldest waiting task is {result['oldest_age_s']} s old")
        self.result = result


CHECKS = {"database": check_database, "storage": check_storage, "tasks": check_tasks}


@never_cache
@require_safe
def health(request):
    wanted = request.GET.get("checks")
    names = [n.strip() for n in wanted.split(",") if n.strip()] if wanted else list(CHECKS)
    unknown = [name for name in names if name not in CHECKS]
    if unknown or not names:
        return JsonResponse(
            {"status": "error", "error": f"unknown checks: {', '.join(unknown)}"}, status=400
        )
    results = {}
    for name in names:
        started = time.perf_counter()
        try:
            result = {"ok": True, **CHECKS[name]()}
        except QueueTooOld as exc:
            logger.warning("health: tasks: %s", exc)
            result = {"ok": False, "error": "QueueTooOld", **exc.result}
        except Exception as exc:
            logger.exception("health: %s failed", name)
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
