"""Static files finders that find nothing outside their directories, quietly.

Django's finders raise ``SuspiciousFileOperation`` for a path that climbs out of a
static directory (``/static/../settings.py``, ``/static/%2e%2e/…``); runserver's static
handler (``DEBUG=1``) and WhiteNoise's ``autorefresh`` look files up through the finders
and let that exception through as a 500. These finders answer "not here" instead, so
such a request is a plain 404 (tests/site/test_static_paths.py).
"""

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation


class FileSystemFinder(finders.FileSystemFinder):
    """``STATICFILES_DIRS``; a path outside them is not found."""

    def find_location(self, root, path, prefix=None):
        try:
            return super().find_location(root, path, prefix)
        except SuspiciousFileOperation:
            return None


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Each app's ``static/``; a path outside it is not found."""

    def find_in_app(self, app, path):
        try:
            return super().find_in_app(app, path)
        except SuspiciousFileOperation:
            return None
