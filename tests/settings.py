"""Test settings: the production settings with a fixed key and no HTTPS redirect."""

import os

os.environ.setdefault("SECRET_KEY", "evalsheets-test-key")
os.environ.setdefault("HTTPS", "0")  # the test client and live_server speak plain HTTP

from evalsheets.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405 (the backup storage, "dbbackup")
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic in tests: WhiteNoise serves static/ through the finders, as under runserver.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: tests of concurrent requests need SQLite's real
    # locking (BEGIN IMMEDIATE + busy timeout), as the application runs it.
    # EVALSHEETS_TEST_DB_TAG keeps test runs started side by side (and the processes
    # they start) on their own file.
    _tag = os.environ.get("EVALSHEETS_TEST_DB_TAG", "")
    _name = f".pytest-db{'-' + _tag if _tag else ''}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / _name)}  # noqa: F405

# The 様式 registry reads installed versions when one is installed and at the start of each
# test (tests/conftest.py), never on a timer: query counts stay exact.
SHEET_LAYOUT_CACHE_SECONDS = 10**9
