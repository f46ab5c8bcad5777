"""Login lockout with django-axes (docs/security.md).

Failed logins are counted per user name (from any address) and, separately, per client
address (for any user name); either reaching its limit within the cool-off time locks the
login until the cool-off has passed since the failures that count:

* ``AXES_FAILURE_LIMIT`` failures for one user name (``LOGIN_FAILURE_LIMIT``, default 5);
* ``AXES_IP_FAILURE_LIMIT`` failures from one address (``LOGIN_IP_FAILURE_LIMIT``, default
  20: the terminals of a city hall often reach the server through one address, and one
  clerk's typos must not lock out the whole building);
* ``AXES_COOLOFF_TIME`` (``LOGIN_COOLOFF_MINUTES``, default 15).

axes compares one number with one limit, so :class:`LockoutHandler` scales the count of
each parameter to ``AXES_FAILURE_LIMIT`` (``failures × user limit // its own limit``, which
reaches the user limit exactly when the failures reach their own limit).

The locked-out user gets the login page (HTTP 429) saying until when, in Japanese
(:func:`lockout_response`). The client address is ``REMOTE_ADDR`` or, behind
``TRUSTED_PROXY_COUNT`` reverse proxies, the address the outermost one saw
(:func:`client_ip`).
"""

import ipaddress
from datetime import datetime, timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme


def _is_ip(value: str | None) -> bool:
    try:
        ipaddress.ip_address(value or "")
    except ValueError:
        return False
    return True


USERNAME_STORED = 255  # axes' AccessAttempt/AccessLog.username column


def username(request, credentials=None) -> str | None:
    """The user name a login attempt is counted under (``AXES_USERNAME_CALLABLE``).

    Cut to the column axes stores it in: a name typed longer than that (no account has
    one; Django's own limit is 150) would otherwise make PostgreSQL refuse the write and the
    login page answer 500."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    if value is None:
        return None
    return str(value)[:USERNAME_STORED]


def client_ip(request) -> str | None:
    """The client's address as counted for lockouts.

    ``REMOTE_ADDR`` when the server is reached directly (``TRUSTED_PROXY_COUNT`` = 0, the
    default: a client cannot forge it). Behind N proxies that each append the address
    they saw to ``X-Forwarded-For``, the N-th entry from the right is the client as the
    outermost proxy saw it; entries further left are whatever the client sent. A header
    too short or not an address falls back to ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < count or not _is_ip(hops[-count]):
        return remote
    return hops[-count]


class LockoutBackend(AxesStandaloneBackend):
    """axes' check before Django's ModelBackend, for logins that come with a request.

    ``authenticate()`` without a request (the test client's ``login()``, code outside a
    web request) has no client to count failures against: it is left to ModelBackend.
    Every login form of the site (ours and the admin's) passes the request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def parameter_limit(parameter) -> int:
    if parameter == "ip_address":
        return settings.AXES_IP_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit of its own per lockout parameter."""

    def _counted(self, request, credentials=None):
        """(parameter, attempts within the cool-off) for each lockout parameter."""
        parameters = get_lockout_parameters(request, credentials)
        return zip(parameters, self.get_user_attempts(request, credentials), strict=True)

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        scaled = [
            (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)
            * limit
            // parameter_limit(parameter)
            for parameter, attempts in self._counted(request, credentials)
        ]
        return max(scaled, default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forget that user's failures from that address only.

        axes would delete every attempt matching any parameter, i.e. every failure from
        the address, whatever the user name: someone with an account of their own could
        then guess another user's password without end from the same terminal.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count

    def locked_until(self, request, credentials=None) -> datetime | None:
        """When the login of this request stops being locked (None: it is not locked).

        Each stored attempt row counts until the cool-off after its last failure; the lock
        of a parameter ends when enough of its oldest rows have expired for the rest to
        fall below its limit.
        """
        cool_off = get_cool_off(request) or timedelta(0)
        ends = []
        for parameter, attempts in self._counted(request, credentials):
            limit = parameter_limit(parameter)
            rows = list(
                attempts.order_by("attempt_time").values_list(
                    "attempt_time", "failures_since_start"
                )
            )
            remaining = sum(n for _, n in rows)
            if remaining < limit:
                continue
            for attempt_time, failures in rows:
                remaining -= failures
                if remaining < limit:
                    ends.append(attempt_time + cool_off)
                    break
        return max(ends, default=None)


def retry_time_label(until: datetime) -> str:
    """「11時05分」 (local time, rounded up to the minute); with the date if not today."""
    local = timezone.localtime(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    label = f"{local.hour}時{local.minute:02d}分"
    if local.date() != timezone.localdate():
        label = f"{local.month}月{local.day}日 {label}"
    return label


def lockout_response(request, original_response=None, credentials=None):
    """The login page saying that the login is locked and until when (HTTP 429)."""
    until = LockoutHandler().locked_until(request, credentials)
    username = get_client_username(request, credentials) or ""
    form = AuthenticationForm(request, initial={"username": username[:150]})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    context = {
        "form": form,
        "next": next_url,
        "locked_out": True,
        "locked_until": until,
        "locked_until_label": retry_time_label(until) if until else "",
    }
    return render(
        request,
        "registration/login.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
