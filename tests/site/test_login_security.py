"""Login lockout (django-axes), session idle timeout and maximum age, the logout message and
the password change page (docs/security.md).

Failures are posted to the real login form; the clock is moved by moving the stored times
back (the attempt's ``attempt_time``, the session's activity and login times).
"""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from core.choices import ExportKind, ExportStatus
from evalsheets.models import ExportJob
from evalsheets.site.lockout import client_ip, retry_time_label
from evalsheets.site.sessions import LAST_ACTIVITY, LOGIN_TIME

LOCKED = "ログインの失敗が続いたため、ログインを一時的に停止しています。"
WRONG = "正しいユーザー名とパスワードを入力してください"
IDLE = "一定時間（30分）操作がなかったため、ログアウトしました。もう一度ログインしてください。"
MAX_AGE = "ログインから12時間が経過したため、ログアウトしました。もう一度ログインしてください。"


def post_login(username, password, ip="10.0.0.1", client=None, **extra):
    client = client or Client()
    response = client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )
    return client, response


def text(response) -> str:
    return response.content.decode()


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(username, times, ip="10.0.0.1"):
    responses = [post_login(username, "wrong-password", ip)[1] for _ in range(times)]
    return responses[-1]


# ------------------------------------------------------------------ settings


def test_the_defaults():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_IP_FAILURE_LIMIT == 20
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.SESSION_IDLE_TIMEOUT == 30
    assert settings.SESSION_MAX_AGE_HOURS == 12
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] == {"min_length": 12}


# ------------------------------------------------------------------ lockout per user name


def test_four_failures_leave_the_login_open_the_fifth_locks_it(world):
    for _ in range(4):
        _, response = post_login("staff_a", "wrong-password")
        assert response.status_code == 200
        assert WRONG in text(response) and LOCKED not in text(response)
    client, response = post_login("staff_a", "pw-staff_a")
    assert response.status_code == 302 and logged_in(client)  # 4 failures: still open

    # A success forgot those four; five new failures lock.
    response = fail("staff_a", 5)
    assert response.status_code == 429
    assert LOCKED in text(response)
    # The right password does not get in while locked, from any address.
    for ip in ("10.0.0.1", "10.9.9.9"):
        client, response = post_login("staff_a", "pw-staff_a", ip)
        assert response.status_code == 429 and LOCKED in text(response)
        assert not logged_in(client)
    # Other users from the same address are not concerned.
    client, response = post_login("staff_b", "pw-staff_b")
    assert response.status_code == 302 and logged_in(client)


def test_failures_of_one_user_name_from_several_addresses_add_up(world):
    for n in range(4):
        post_login("chief_a", "wrong-password", f"10.0.1.{n}")
    _, response = post_login("chief_a", "wrong-password", "10.0.1.99")
    assert response.status_code == 429 and LOCKED in text(response)


def test_the_lockout_page_says_until_when_in_japanese(world):
    fail("staff_a", 5)
    # The last failure at a known time: the retry time is 15 minutes later, rounded up.
    last = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=3)
    AccessAttempt.objects.filter(username="staff_a").update(attempt_time=last)
    _, response = post_login("staff_a", "pw-staff_a")
    retry = timezone.localtime(last + timedelta(minutes=15))
    label = f"{retry.hour}時{retry.minute:02d}分"
    if retry.date() != timezone.localdate():  # run shortly before midnight
        label = f"{retry.month}月{retry.day}日 {label}"
    body = text(response)
    assert response.status_code == 429
    assert f">{label}</time>以降に、もう一度お試しください。" in body
    assert f'datetime="{retry.isoformat()}"' in body
    assert "システム管理者に連絡してください" in body
    # Trying while locked does not push the retry time further.
    assert AccessAttempt.objects.get(username="staff_a").attempt_time == last
    # The page is the login form again, with the user name kept.
    assert 'name="username"' in body and 'value="staff_a"' in body


def test_the_retry_time_is_rounded_up_and_dated_when_not_today():
    now = timezone.localtime()
    at = now.replace(hour=9, minute=4, second=1, microsecond=0)
    assert retry_time_label(at) == "9時05分"
    assert retry_time_label(at.replace(second=0)) == "9時04分"
    later = at + timedelta(days=2)
    assert retry_time_label(later) == f"{later.month}月{later.day}日 9時05分"


def test_the_lock_ends_after_the_cool_off(world):
    fail("staff_a", 5)
    assert post_login("staff_a", "pw-staff_a")[1].status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    client, response = post_login("staff_a", "pw-staff_a")
    assert response.status_code == 302 and logged_in(client)
    assert AccessLog.objects.filter(username="staff_a").exists()


def test_axes_reset_unlocks(world):
    fail("staff_a", 5)
    assert post_login("staff_a", "pw-staff_a")[1].status_code == 429
    call_command("axes_reset_username", "staff_a")
    client, response = post_login("staff_a", "pw-staff_a")
    assert response.status_code == 302 and logged_in(client)
    fail("staff_b", 5)
    call_command("axes_reset")
    assert not AccessAttempt.objects.exists()


def test_a_success_forgets_only_that_users_failures_from_that_address(world):
    fail("staff_a", 3, ip="10.0.0.1")
    fail("staff_a", 1, ip="10.0.0.2")
    fail("staff_b", 2, ip="10.0.0.1")
    post_login("staff_a", "pw-staff_a", "10.0.0.1")
    remaining = sorted(
        AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")
    )
    assert remaining == [("staff_a", "10.0.0.2", 1), ("staff_b", "10.0.0.1", 2)]


def test_the_admin_login_is_locked_too_and_the_admin_lists_lockouts(world):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "pw-root-long")
    client = Client()
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": "staff_a", "password": "x"}, REMOTE_ADDR="10.0.0.5"
        )
    assert response.status_code == 429 and LOCKED in text(response)
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "staff_a" in text(page) and "10.0.0.5" in text(page)
    # In Japanese (axes ships none: locale/ja/LC_MESSAGES/django.po).
    for label in ("ログイン失敗の記録", "失敗回数", "IPアドレス", "ロック中"):
        assert label in text(page), label
    assert "ログインの記録（失敗・ロック）" in text(client.get("/admin/"))


# ------------------------------------------------------------------ lockout per address


def test_twenty_failures_from_one_address_lock_it_for_every_user_name(world):
    # 19 failures spread over user names (fewer than 5 each) leave the address open...
    names = [f"nobody{n}" for n in range(19)]
    for name in names:
        _, response = post_login(name, "wrong-password", "10.0.2.1")
        assert response.status_code == 200
    client, response = post_login("planning", "pw-planning", "10.0.2.1")
    assert response.status_code == 302 and logged_in(client)
    # ...the twentieth locks it, whatever the user name, right password or not.
    _, response = post_login("nobody-last", "wrong-password", "10.0.2.1")
    assert response.status_code == 429 and LOCKED in text(response)
    client, response = post_login("viewer", "pw-viewer", "10.0.2.1")
    assert response.status_code == 429 and not logged_in(client)
    # The same user from another address gets in.
    client, response = post_login("viewer", "pw-viewer", "10.0.2.2")
    assert response.status_code == 302 and logged_in(client)


@override_settings(AXES_IP_FAILURE_LIMIT=3)
def test_the_address_limit_is_its_own_setting(world):
    fail("nobody1", 1, "10.0.3.1")
    fail("nobody2", 1, "10.0.3.1")
    _, response = post_login("nobody3", "wrong-password", "10.0.3.1")
    assert response.status_code == 429


def test_the_client_address_is_remote_addr_unless_proxies_are_trusted():
    factory = RequestFactory()
    spoofed = factory.post("/login/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(spoofed) == "10.0.0.7"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        # The proxy appends the address it saw; what the client sent stays on the left.
        request = factory.post(
            "/login/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.10"
        )
        assert client_ip(request) == "192.0.2.10"
        for header in ("", "not-an-address"):
            request = factory.post("/login/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=header)
            assert client_ip(request) == "10.0.0.254"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        forwarded = "1.2.3.4, 192.0.2.10, 10.0.0.9"
        request = factory.post("/login/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == "192.0.2.10"


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_IP_FAILURE_LIMIT=3)
def test_behind_a_proxy_each_client_address_is_counted_on_its_own(world):
    for n in range(2):
        post_login(f"nobody{n}", "x", "10.0.0.254", HTTP_X_FORWARDED_FOR="192.0.2.1")
    # A forged left-hand entry does not move the failures to another address.
    _, response = post_login(
        "nobody9", "x", "10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.1"
    )
    assert response.status_code == 429
    client, response = post_login(
        "staff_a", "pw-staff_a", "10.0.0.254", HTTP_X_FORWARDED_FOR="192.0.2.2"
    )
    assert response.status_code == 302 and logged_in(client)


def test_the_test_clients_login_still_works(world):
    client = Client()
    assert client.login(username="staff_a", password="pw-staff_a")
    assert client.get("/").status_code == 200


# ------------------------------------------------------------------ session timeout


def logged_in_client(user) -> Client:
    client, response = post_login(user.username, "pw-" + user.username)
    assert response.status_code == 302
    return client


def move_back(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_the_login_starts_the_clocks(world):
    before = int(time.time())
    client = logged_in_client(world["users"]["staff_a"])
    session = client.session
    assert before <= session[LOGIN_TIME] == session[LAST_ACTIVITY] <= int(time.time())


def test_thirty_idle_minutes_log_out_and_the_login_page_says_why(world):
    client = logged_in_client(world["users"]["staff_a"])
    move_back(client, LAST_ACTIVITY, 30 * 60 - 5)
    assert client.get("/").status_code == 200  # 29:55: still in
    move_back(client, LAST_ACTIVITY, 30 * 60)
    response = client.get("/sheets/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=/sheets/")
    assert not logged_in(client)
    page = client.get(response.url)
    assert IDLE in text(page)
    # Logging in again starts afresh.
    client, response = post_login("staff_a", "pw-staff_a", client=client)
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_a_request_counts_as_activity(world):
    client = logged_in_client(world["users"]["staff_a"])
    move_back(client, LAST_ACTIVITY, 20 * 60)
    assert client.get("/").status_code == 200
    assert client.session[LAST_ACTIVITY] >= int(time.time()) - 2
    move_back(client, LAST_ACTIVITY, 20 * 60)  # 40 minutes after the login, 20 idle
    assert client.get("/").status_code == 200


def test_a_post_after_the_timeout_does_nothing_but_send_to_the_login_page(world):
    client = logged_in_client(world["users"]["staff_a"])
    sheet = world["sheets"]["a"]
    move_back(client, LAST_ACTIVITY, 31 * 60)
    response = client.post(f"/sheets/{sheet.pk}/submit/", {})
    assert response.status_code == 302 and response.url.startswith("/login/")
    sheet.refresh_from_db()
    assert sheet.state == "draft"


def test_the_keepalive_of_a_page_being_typed_in_counts_as_activity(world):
    client = logged_in_client(world["users"]["staff_a"])
    move_back(client, LAST_ACTIVITY, 29 * 60)
    assert client.get("/session/keepalive/").status_code == 204
    assert client.session[LAST_ACTIVITY] >= int(time.time()) - 2


def test_polling_does_not_count_as_activity_nor_log_out(world):
    client = logged_in_client(world["users"]["planning"])
    job = ExportJob.objects.create(
        municipality=world["town"],
        kind=ExportKind.ZIP,
        parameters={"year": 2023},
        status=ExportStatus.RUNNING,
        done=1,
        total=10,
    )
    move_back(client, LAST_ACTIVITY, 29 * 60)
    idle_since = client.session[LAST_ACTIVITY]
    for _ in range(3):
        assert client.get(f"/exports/{job.pk}/status/").status_code == 200
    status = client.get("/session/status/")
    assert status.status_code == 200 and 0 < status.json()["seconds_left"] <= 60
    assert client.session[LAST_ACTIVITY] == idle_since  # polls left the clock alone
    move_back(client, LAST_ACTIVITY, 60)
    # Past the timeout a poll gets 401 (no redirect for fetch() to follow into the login
    # page), and the session stays until a page is opened, which says why.
    poll = client.get(f"/exports/{job.pk}/status/")
    assert poll.status_code == 401 and poll.json() == {"error": "session_expired"}
    assert client.get("/session/status/").status_code == 401
    assert logged_in(client)
    response = client.get(f"/exports/{job.pk}/")
    assert response.status_code == 302 and not logged_in(client)
    assert IDLE in text(client.get(response.url))


def test_the_session_status_of_a_logged_out_browser_is_401(world):
    assert Client().get("/session/status/").status_code == 401


def test_twelve_hours_after_the_login_even_an_active_session_ends(world):
    client = logged_in_client(world["users"]["staff_a"])
    move_back(client, LOGIN_TIME, 12 * 3600 - 60)
    assert client.get("/").status_code == 200
    move_back(client, LOGIN_TIME, 60)
    response = client.get("/")
    assert response.status_code == 302 and not logged_in(client)
    assert MAX_AGE in text(client.get(response.url))


@override_settings(SESSION_IDLE_TIMEOUT=0)
def test_an_idle_timeout_of_0_turns_it_off_but_not_the_maximum_age(world):
    client = logged_in_client(world["users"]["staff_a"])
    move_back(client, LAST_ACTIVITY, 8 * 3600)
    response = client.get("/")
    assert response.status_code == 200 and "data-session-idle" not in text(response)
    assert 0 < client.get("/session/status/").json()["seconds_left"] <= 12 * 3600
    move_back(client, LOGIN_TIME, 12 * 3600)
    assert client.get("/").status_code == 302 and not logged_in(client)


def test_a_session_from_before_the_clocks_gets_them(world):
    client = Client()
    client.force_login(world["users"]["staff_a"])
    session = client.session
    session.pop(LOGIN_TIME, None)
    session.pop(LAST_ACTIVITY, None)
    session.save()
    assert client.get("/").status_code == 200
    assert LOGIN_TIME in client.session and LAST_ACTIVITY in client.session


def test_the_session_cookie_ends_with_the_browser(world):
    client = logged_in_client(world["users"]["staff_a"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert client.session.get_expiry_age() == 12 * 3600


def test_pages_of_logged_in_users_carry_the_timeout_for_the_script(world):
    client = logged_in_client(world["users"]["staff_a"])
    body = text(client.get("/"))
    assert 'data-session-idle="1800"' in body
    assert 'data-session-status="/session/status/"' in body
    assert "js/session.js" in body
    assert "data-session-idle" not in text(Client().get("/login/"))


# ------------------------------------------------------------------ logout


def test_the_logout_says_so(world):
    client = logged_in_client(world["users"]["staff_a"])
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert not logged_in(client)
    page = client.get("/login/")
    assert "ログアウトしました。" in text(page)
    assert "ログアウトしました。" not in text(client.get("/login/"))  # once


def test_a_logout_without_a_login_says_nothing(db):
    client = Client()
    client.post("/logout/")
    assert "ログアウトしました" not in text(client.get("/login/"))


# ------------------------------------------------------------------ password change


def change(client, old, new1, new2=None):
    return client.post(
        "/password/change/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_every_page_links_to_the_password_change(world):
    for name in ("staff_a", "viewer", "planning"):
        client = logged_in_client(world["users"][name])
        assert 'href="/password/change/"' in text(client.get("/"))
    assert Client().get("/password/change/").status_code == 302  # login first


def test_the_password_change_page_is_japanese(world):
    client = logged_in_client(world["users"]["staff_a"])
    body = text(client.get("/password/change/"))
    for label in ("パスワードの変更", "現在のパスワード", "新しいパスワード（確認用）"):
        assert label in body
    assert "パスワードは12文字以上にしてください。" in body
    assert "ユーザー名・氏名・メールアドレスに似たパスワードは使えません。" in body


def field_errors(response, field) -> str:
    """The error list shown next to a field of the form ('' if none)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', text(response))
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    "old, new1, new2, field, message",
    [
        (
            "wrong",
            "a-good-long-passphrase",
            None,
            "old_password",
            "現在のパスワードが正しくありません。",
        ),
        (
            "pw-staff_a",
            "short-pw",
            None,
            "new_password1",
            "パスワードが短すぎます。12文字以上にしてください。",
        ),
        (
            "pw-staff_a",
            "314159265358979",
            None,
            "new_password1",
            "数字だけのパスワードは使えません。",
        ),
        (
            "pw-staff_a",
            "password12345",
            None,
            "new_password1",
            "よく使われているパスワードのため、使えません。",
        ),
        (
            "pw-staff_a",
            "staff_a12345",
            None,
            "new_password1",
            "パスワードが「ユーザー名」に似すぎています。",
        ),
        (
            "pw-staff_a",
            "a-good-long-passphrase",
            "a-good-long-passphrasf",
            "new_password2",
            "確認用のパスワードが新しいパスワードと一致しません。",
        ),
    ],
    ids=["wrong-old", "short", "numeric", "common", "similar", "mismatch"],
)
def test_a_refused_password_change_says_why_next_to_the_field(
    world, old, new1, new2, field, message
):
    client = logged_in_client(world["users"]["staff_a"])
    response = change(client, old, new1, new2)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert "入力内容を確認してください。" in text(response)
    assert get_user_model().objects.get(username="staff_a").check_password("pw-staff_a")


def test_a_password_change_keeps_the_user_logged_in(world):
    client = logged_in_client(world["users"]["staff_a"])
    response = change(client, "pw-staff_a", "a-good-long-passphrase")
    assert response.status_code == 302 and response.url == "/password/change/done/"
    assert "パスワードを変更しました" in text(client.get(response.url))
    assert client.get("/").status_code == 200  # the session survives the new hash
    assert post_login("staff_a", "pw-staff_a")[1].status_code == 200  # old one refused
    client, response = post_login("staff_a", "a-good-long-passphrase")
    assert response.status_code == 302 and logged_in(client)


def test_guessing_the_current_password_locks_like_the_login(world):
    client = logged_in_client(world["users"]["staff_a"])
    for n in range(4):
        response = change(client, f"guess-{n}", "a-good-long-passphrase")
        assert response.status_code == 200
        assert "現在のパスワードが正しくありません。" in field_errors(response, "old_password")
    response = change(client, "guess-4", "a-good-long-passphrase")
    assert response.status_code == 429 and LOCKED in text(response)
    assert not logged_in(client)  # the terminal left logged in is logged out
    assert post_login("staff_a", "pw-staff_a")[1].status_code == 429
    # The stored form data of the attempts masks every password field.
    stored = AccessAttempt.objects.get(username="staff_a").post_data
    assert "guess-" not in stored and "a-good-long-passphrase" not in stored
    assert get_user_model().objects.get(username="staff_a").check_password("pw-staff_a")


def test_a_locked_user_name_cannot_change_its_password_from_an_open_session(world):
    client = logged_in_client(world["users"]["staff_a"])
    fail("staff_a", 5, ip="10.9.9.9")  # someone else, elsewhere, locks the user name
    response = change(client, "pw-staff_a", "a-good-long-passphrase")
    assert response.status_code == 429 and LOCKED in text(response)
    assert not logged_in(client)
    assert get_user_model().objects.get(username="staff_a").check_password("pw-staff_a")


def test_the_demo_password_passes_the_validators(db):
    from django.contrib.auth.password_validation import validate_password

    user = get_user_model()(username="tamana-staff", email="tamana-staff@example.jp")
    validate_password("evalsheets-demo", user)
