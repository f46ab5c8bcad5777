"""Login, lockout, idle timeout, password change and logout, as a person sees them.

The browser's clock is Playwright's (``page.clock``): fast-forwarding it fires the timers
of ``static/js/session.js``; the server's clock is moved by moving the session's stored
activity time back.
"""

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from evalsheets.site.sessions import LAST_ACTIVITY
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def server_session(page) -> SessionStore:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key)


def idle_for(page, seconds):
    session = server_session(page)
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_five_wrong_passwords_lock_the_login_and_say_until_when(new_page, demo_data):
    page = new_page()
    for _ in range(4):
        login(page, "tamana-staff", "wrong-password")
        expect(page.locator(".error")).to_contain_text("正しいユーザー名とパスワード")
    login(page, "tamana-staff", "wrong-password")
    alert = page.locator("#login-locked")
    expect(alert).to_contain_text("ログインを一時的に停止しています")
    expect(alert).to_contain_text(re.compile(r"\d+時\d\d分以降に、もう一度お試しください。"))
    screenshot(page, "login-locked")
    login(page, "tamana-staff")  # the right password, still locked
    expect(page.locator("#login-locked")).to_be_visible()
    assert page.url.endswith("/login/")

    # The administrator sees the lock in the admin.
    admin = new_page()
    admin.goto("/admin/login/")
    admin.fill("#id_username", "admin")
    admin.fill("#id_password", "evalsheets-demo")
    admin.click("input[type=submit]")
    admin.goto("/admin/axes/accessattempt/")
    row = admin.locator("#result_list tbody tr").first
    expect(row).to_contain_text("tamana-staff")
    expect(row).to_contain_text("ロック中")
    screenshot(admin, "admin-login-lockouts")


def test_an_idle_page_goes_to_the_login_page_and_typing_keeps_it(new_page, demo_data):
    page = new_page()
    page.clock.install()
    login(page, "tamana-staff")
    expect(page.get_by_role("link", name="パスワード変更")).to_be_visible()

    # Typing (no request) is reported to the server, at most once a minute.
    idle_for(page, 29 * 60)
    page.clock.fast_forward(61_000)
    with page.expect_response(lambda r: "/session/keepalive/" in r.url) as keepalive:
        page.keyboard.press("Tab")
    assert keepalive.value.status == 204
    assert server_session(page)[LAST_ACTIVITY] >= int(time.time()) - 5
    # When the browser's timer checks, the session is alive: the page stays.
    with page.expect_response(lambda r: "/session/status/" in r.url) as status:
        page.clock.fast_forward("30:05")
    assert status.value.status == 200
    assert page.url.endswith("/")

    # Thirty minutes without anything: the page leaves for the login page, which says why.
    idle_for(page, 31 * 60)
    with page.expect_navigation(url=re.compile(r"/login/\?next=")):
        page.clock.fast_forward("30:05")
    expect(page.locator(".messages")).to_contain_text(
        "一定時間（30分）操作がなかったため、ログアウトしました。"
    )
    screenshot(page, "login-idle-timeout")


def test_password_change_then_logout(new_page, demo_data):
    page = new_page()
    login(page, "tamana-viewer")
    page.get_by_role("link", name="パスワード変更").click()
    expect(page.get_by_role("heading", name="パスワードの変更")).to_be_visible()
    page.fill("#id_old_password", "evalsheets-demo")
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.get_by_role("button", name="パスワードを変更する").click()
    expect(page.locator("#id_new_password1_error")).to_contain_text(
        "パスワードが短すぎます。12文字以上にしてください。"
    )
    screenshot(page, "password-change-error")
    page.fill("#id_old_password", "evalsheets-demo")
    page.fill("#id_new_password1", "tamana-hyouka-2026")
    page.fill("#id_new_password2", "tamana-hyouka-2026")
    page.get_by_role("button", name="パスワードを変更する").click()
    expect(page.get_by_role("heading", name="パスワードを変更しました")).to_be_visible()

    page.get_by_role("button", name="ログアウト").click()
    expect(page.locator(".messages")).to_contain_text("ログアウトしました。")
    screenshot(page, "logout-message")
    login(page, "tamana-viewer", "tamana-hyouka-2026")
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
