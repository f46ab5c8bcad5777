"""Paths that climb out of /static/ or /media/ are a 404, never a 500.

Issue 11, finding 7: ``/static/../settings.py`` answered 500 (SuspiciousFileOperation
raised by the static files finders) under ``DEBUG=1``, where ``runserver`` serves the
static files through Django's ``StaticFilesHandler``. Each path is tried through the
test client, through the WSGI application and through runserver's static handler, with
DEBUG off and on, as a server passes it (percent-decoded) and as typed.
"""

import importlib
from urllib.parse import unquote
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, override_settings

import evalsheets.wsgi

CLIMBING = [
    "/static/../settings.py",
    "/static/../evalsheets/settings.py",
    "/static/%2e%2e/evalsheets/settings.py",
    "/static/..%2f..%2fetc/passwd",
    "/static/../../../../etc/passwd",
    "/static/css/../../evalsheets/settings.py",
    "/static/fonts/%2e%2e/%2e%2e/README.md",
    "/static/admin/../../../evalsheets/settings.py",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/..",
    "/static/../",
    "/media/../settings.py",
    "/media/%2e%2e/evalsheets/settings.py",
    "/media/..%2f..%2fetc/passwd",
]
PATHS = sorted({p for raw in CLIMBING for p in (raw, unquote(raw))})
A_STATIC_FILE = "/static/pdf/sheet.css"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"


def wsgi_get(app, path) -> tuple[int, bytes]:
    environ = {}
    setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, REQUEST_METHOD="GET", QUERY_STRING="")
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return int(statuses[0].split()[0]), content


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG=0", "DEBUG=1"])
@pytest.mark.parametrize("path", PATHS)
def test_climbing_paths_are_404_everywhere(db, path, debug):
    with override_settings(DEBUG=debug):
        client = Client(raise_request_exception=False)
        assert client.get(path).status_code == 404
        # The project's WSGI application (gunicorn), built with these settings.
        assert wsgi_get(importlib.reload(evalsheets.wsgi).application, path)[0] == 404
        # runserver's handler for static files (used when DEBUG is on).
        assert wsgi_get(StaticFilesHandler(WSGIHandler()), path)[0] == 404


@pytest.mark.parametrize("path", PATHS)
def test_finders_find_nothing_outside_the_static_directories(path):
    relative = unquote(path).removeprefix("/static/").removeprefix("/media/")
    assert finders.find(relative) is None
    assert finders.find(relative, find_all=True) == []


def test_a_static_file_is_still_served(db):
    with override_settings(DEBUG=True):
        status, content = wsgi_get(StaticFilesHandler(WSGIHandler()), A_STATIC_FILE)
    assert status == 200
    assert b"@page" in content
    assert finders.find("pdf/sheet.css")


@pytest.mark.parametrize("autorefresh", [False, True], ids=["static root", "autorefresh"])
@pytest.mark.parametrize("path", PATHS)
def test_climbing_paths_are_404_behind_whitenoise(db, settings, tmp_path, path, autorefresh):
    """WhiteNoise in front of Django, as in production (and with DEBUG's autorefresh)."""
    middleware = [m for m in settings.MIDDLEWARE if "whitenoise" not in m]
    settings.MIDDLEWARE = [middleware[0], WHITENOISE, *middleware[1:]]
    settings.WHITENOISE_AUTOREFRESH = autorefresh
    settings.WHITENOISE_USE_FINDERS = True
    settings.STATIC_ROOT = tmp_path  # nothing collected: files come through the finders
    settings.DEBUG = autorefresh
    app = WSGIHandler()
    assert wsgi_get(app, path)[0] == 404
    assert wsgi_get(app, A_STATIC_FILE)[0] == 200
