"""Session idle timeout and maximum age, for terminals shared at the city hall
(docs/security.md).

:class:`SessionTimeoutMiddleware` keeps in the session when the user logged in and when
they last did something. A request after ``SESSION_IDLE_TIMEOUT`` minutes without
activity, or ``SESSION_MAX_AGE_HOURS`` after the login, logs the user out; the login page
then says why.

Requests that a page makes by itself (the export job page polling its status every
second, the session checks of ``static/js/session.js``) are *passive*: listed by URL name
in ``SESSION_PASSIVE_URL_NAMES``, they neither count as activity nor log out; after the
timeout they get HTTP 401, and the next page the user opens logs them out with the reason.
Typing in a form does count: ``static/js/session.js`` reports it (``session_keepalive``)
at most once a minute, so a long sheet being typed in is not lost at the save.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

LOGIN_TIME = "evalsheets_login_time"
LAST_ACTIVITY = "evalsheets_last_activity"
# Activity is written to the session at most this often (seconds): not a write per request.
ACTIVITY_RESOLUTION = 60

AGAIN = "もう一度ログインしてください。"
IDLE_MESSAGE = "一定時間（{minutes}分）操作がなかったため、ログアウトしました。" + AGAIN
MAX_AGE_MESSAGE = "ログインから{hours}時間が経過したため、ログアウトしました。" + AGAIN


def idle_seconds() -> int | None:
    """The idle timeout in seconds; None when SESSION_IDLE_TIMEOUT is 0 (no idle timeout)."""
    return settings.SESSION_IDLE_TIMEOUT * 60 if settings.SESSION_IDLE_TIMEOUT > 0 else None


def max_age_seconds() -> int:
    return settings.SESSION_MAX_AGE_HOURS * 3600


def mark_login(session, now: int | None = None) -> None:
    now = int(time.time()) if now is None else now
    session[LOGIN_TIME] = now
    session[LAST_ACTIVITY] = now


@receiver(user_logged_in)
def _start_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_login(request.session)


def seconds_left(session, now: int) -> int:
    """Seconds before this session times out (idle or maximum age), at least 0."""
    end = session[LOGIN_TIME] + max_age_seconds()
    if idle_seconds():
        end = min(end, session[LAST_ACTIVITY] + idle_seconds())
    return max(end - now, 0)


def expiry_message(session, now: int) -> str | None:
    if now - session[LOGIN_TIME] >= max_age_seconds():
        return MAX_AGE_MESSAGE.format(hours=settings.SESSION_MAX_AGE_HOURS)
    if idle_seconds() and now - session[LAST_ACTIVITY] >= idle_seconds():
        return IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_TIMEOUT)
    return None


def is_passive(request) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name in settings.SESSION_PASSIVE_URL_NAMES


class SessionTimeoutMiddleware:
    """Logs out after the idle timeout or the maximum age (after AuthenticationMiddleware
    and MessageMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        now = int(time.time())
        if LOGIN_TIME not in session or LAST_ACTIVITY not in session:
            # Logged in some other way (the test client, a session from before the upgrade).
            mark_login(session, now)
            return None
        message = expiry_message(session, now)
        passive = is_passive(request)
        if message:
            if passive:
                return JsonResponse({"error": "session_expired"}, status=401)
            logout(request)
            messages.info(request, message)
            return None  # views that need a login now send the user to the login page
        if not passive and now - session[LAST_ACTIVITY] >= ACTIVITY_RESOLUTION:
            session[LAST_ACTIVITY] = now
        return None


def session_timeout(request):
    """Template context: the idle timeout for ``static/js/session.js`` (logged-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not idle_seconds():
        return {}
    # A string: the template would print an int with a thousands separator.
    return {"session_idle_seconds": str(idle_seconds())}


@never_cache
@require_GET
def session_status(request):
    """Passive: seconds before the session times out (401 once it has, or logged out)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "logged_out"}, status=401)
    return JsonResponse({"seconds_left": seconds_left(request.session, int(time.time()))})


@never_cache
@require_GET
@login_required
def session_keepalive(request):
    """The user typed or clicked in the page: counts as activity (the middleware's job)."""
    return HttpResponse(status=204)
