"""/health/ (evalsheets/site/health.py): what a load balancer and monitoring see, without a login.

The task queue is django-tasks-db's table; rows are written directly so that their age
is known (the tests run with the immediate backend, /health/ reads the table only when
the database backend is configured).
"""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued(age_minutes, *, status="READY", run_after=None):
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="evalsheets.pdf.tasks.render_sheet_pdf_task",
        backend_name="default",
        queue_name="default",
        run_after=run_after or get_date_max(),
        status=status,
    )
    enqueued = timezone.now() - datetime.timedelta(minutes=age_minutes)
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued)
    return row


@pytest.mark.django_db
def test_healthy_without_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "tasks"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_storage_probe_leaves_nothing_behind(client):
    assert client.get("/health/?checks=storage").status_code == 200
    if default_storage.exists("health"):
        assert default_storage.listdir("health")[1] == []


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, HEALTH_MAX_TASK_AGE=600)
def test_queue_age_reported_and_healthy_under_the_limit(client):
    queued(2)
    queued(1)
    response = client.get("/health/")
    assert response.status_code == 200
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is True
    assert tasks["waiting"] == 2
    assert 115 <= tasks["oldest_age_s"] <= 130
    assert tasks["max_age_s"] == 600


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, HEALTH_MAX_TASK_AGE=600)
def test_a_task_waiting_too_long_makes_it_unhealthy(client):
    queued(11)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    tasks = body["checks"]["tasks"]
    assert tasks["ok"] is False
    assert tasks["error"] == "QueueTooOld"
    assert tasks["oldest_age_s"] >= 11 * 60
    assert body["checks"]["database"]["ok"] is True
    # A load balancer may leave the workers out: the web machine itself is fine.
    assert client.get("/health/?checks=database,storage").status_code == 200


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, HEALTH_MAX_TASK_AGE=600)
def test_finished_and_future_tasks_do_not_count(client):
    queued(60, status="SUCCESSFUL")
    queued(60, status="FAILED")
    queued(60, run_after=timezone.now() + datetime.timedelta(hours=1))  # not due yet
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"]["waiting"] == 0


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, HEALTH_MAX_TASK_AGE=600)
def test_a_delayed_task_is_as_old_as_it_is_overdue(client):
    queued(60, run_after=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get("/health/")
    assert response.status_code == 200
    assert 55 <= response.json()["checks"]["tasks"]["oldest_age_s"] <= 70


@pytest.mark.django_db
def test_storage_that_cannot_be_written_is_unhealthy(tmp_path):
    not_a_directory = tmp_path / "media"
    not_a_directory.write_text("a file where the media folder should be")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_directory)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = Client().get("/health/")
    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage == {"ok": False, "error": storage["error"], "ms": storage["ms"]}
    assert storage["error"] in ("NotADirectoryError", "FileExistsError", "OSError")
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_only_get_and_head(client):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_unknown_check_is_a_client_error(client):
    response = client.get("/health/?checks=database,nonsense")
    assert response.status_code == 400
    assert "nonsense" in response.json()["error"]


@pytest.mark.django_db
def test_not_redirected_to_https_when_the_site_is(client):
    """A load balancer probes gunicorn over plain HTTP, without X-Forwarded-Proto."""
    with override_settings(SECURE_SSL_REDIRECT=True):
        probe = Client()
        assert probe.get("/health/").status_code == 200
        login = probe.get("/login/")
    assert login.status_code == 301
    assert login["Location"].startswith("https://")
