"""Security headers and the Content Security Policy report endpoint.

The policy itself is django-csp's ``CONTENT_SECURITY_POLICY`` (settings.py): scripts,
styles, fonts and images come from this site only, with no inline script or style
attribute anywhere (every page takes its CSS and JavaScript from ``static/``). Browsers
send what the policy blocked to ``/csp-report/`` (:func:`csp_report`), which logs it with
the logger ``evalsheets.csp`` at WARNING so that an operator sees a page that broke.

:class:`SecurityHeadersMiddleware` adds ``Permissions-Policy`` (no camera, microphone,
location, payment, USB …: no page of ours needs them) to every response. The other
headers come from Django's own middleware, with DEBUG on or off: ``Referrer-Policy``
and ``X-Content-Type-Options`` from ``SecurityMiddleware``, ``X-Frame-Options: DENY``
from ``XFrameOptionsMiddleware``.
"""

import json
import logging
import threading
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("evalsheets.csp")

# Browser features no page of ours uses: switched off for this site and any frame in it.
# Only names Chromium knows (an unknown one is an error in its console).
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` to every response that has none yet."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response


# A real report is well under 2 KiB; anything far larger is not one.
MAX_REPORT_BYTES = 16 * 1024
# Fields logged from a report (CSP level 2 ``report-uri`` names, then the Reporting API's).
REPORT_FIELDS = (
    ("document-uri", "documentURL"),
    ("effective-directive", "effectiveDirective"),
    ("violated-directive", None),
    ("blocked-uri", "blockedURL"),
    ("source-file", "sourceFile"),
    ("line-number", "lineNumber"),
    ("column-number", "columnNumber"),
    ("script-sample", "sample"),
    ("disposition", "disposition"),
)
MAX_FIELD_CHARS = 300


def _clean(value):
    """One line of printable text, bounded: a report is written by whoever sends it."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS] + "…"
    return text


class LogBudget:
    """At most ``per_minute`` log lines a minute (per process): the endpoint has no login,
    and a flood of forged reports must not fill the disk. The first line refused in a
    minute says so; the rest of that minute is dropped silently."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self.lock = threading.Lock()
        self.window = None
        self.used = 0

    def take(self) -> bool:
        with self.lock:
            window = int(self.clock() // 60)
            if window != self.window:
                self.window, self.used = window, 0
            self.used += 1
            if self.used == self.per_minute + 1:
                logger.warning(
                    "CSP violation reports over %s a minute: the rest of this minute is not logged",
                    self.per_minute,
                )
            return self.used <= self.per_minute


REPORTS_PER_MINUTE = 60
budget = LogBudget(REPORTS_PER_MINUTE)


def _reports(payload):
    """The violation dicts in a ``report-uri`` body or a Reporting API batch."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


@csrf_exempt
def csp_report(request):
    """Log the violations a browser reports; answer 204 (nothing for the browser to do).

    POST only, at most 16 KiB of JSON (413 above, 400 for anything that is no report).
    Sent without cookies by the browser, so no login and no CSRF token. At most
    ``REPORTS_PER_MINUTE`` violations are logged a minute (:class:`LogBudget`).
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if length > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    reports = _reports(payload)
    if not reports:
        return HttpResponse(status=400)
    for report in reports:
        if not budget.take():
            break
        parts = []
        for name, alias in REPORT_FIELDS:
            value = report.get(name, report.get(alias) if alias else None)
            if value not in (None, ""):
                parts.append(f"{name}={_clean(value)}")
        logger.warning("CSP violation: %s", " ".join(parts))
    return HttpResponse(status=204)
