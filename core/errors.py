"""The base of the errors a service raises for its user to read.

A service (a workflow transition, opening a fiscal year, saving the entry form, an
export) refuses a request with a subclass of ``ServiceError``: ``message`` is the
Japanese sentence the page shows, ``field`` the form field it belongs to (or None for
the request as a whole). Views catch the subclass they expect; a 403 stays Django's
``PermissionDenied``.
"""


class ServiceError(Exception):
    """A request the service refuses, with a Japanese ``message`` for its user."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
