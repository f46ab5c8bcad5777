"""The production settings as an operator sets them (docs/deploy.md): the HTTPS setting,
``manage.py check --deploy`` with the documented production environment, and static files
served by WhiteNoise from a collected, hashed STATIC_ROOT.

Settings are read once per process, so each environment is tried in a child process
running ``evalsheets.settings`` itself (not the test settings).
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

DUMP = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "DEBUG", "HTTPS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "MIDDLEWARE", "STORAGES")}, default=str))
"""


def clean_env(**values) -> dict:
    """A child's environment: no setting inherited from the test run, only these."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "evalsheets.settings"
    env.update(values)
    return env


def settings_under(**values) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + DUMP],
        cwd=ROOT,
        env=clean_env(**values),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_https_is_on_by_default_when_debug_is_off():
    s = settings_under(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    assert s["HTTPS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_HSTS_PRELOAD"] is False
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_https_0_switches_all_of_it_off():
    s = settings_under(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), HTTPS="0")
    assert s["HTTPS"] is False
    assert not s["SECURE_SSL_REDIRECT"]
    assert not s["SESSION_COOKIE_SECURE"]
    assert not s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert not s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_PROXY_SSL_HEADER"] is None


def test_https_is_off_under_debug_unless_asked():
    assert settings_under(DEBUG="1")["HTTPS"] is False
    s = settings_under(DEBUG="1", HTTPS="1", SECURE_HSTS_SECONDS="600")
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 600


def test_whitenoise_right_after_security_middleware_and_manifest_storage():
    s = settings_under(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    middleware = s["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert (
        s["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


# ------------------------------------------------------------------ manage.py check --deploy


def documented_production_env() -> dict:
    """The ```sh block under "### The production environment" in docs/deploy.md, with its
    <placeholders> filled in as an operator would."""
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    section = text.split("### The production environment", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    env = {}
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, value = line.split("=", 1)
        if name == "SECRET_KEY":
            value = secrets.token_urlsafe(50)
        value = re.sub(r"<[^>]*>", lambda _m: secrets.token_hex(12), value)
        env[name] = value
    return env


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_documented_production_environment():
    env = documented_production_env()
    assert env["DEBUG"] == "0"
    assert env["HTTPS"] == "1"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"} <= set(env)


def test_check_deploy_is_clean_with_the_documented_production_environment():
    done = check_deploy(documented_production_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout + done.stderr


def test_check_deploy_over_plain_http_lists_exactly_what_plain_http_means():
    """docs/deploy.md: with HTTPS=0, the four warnings of a server without TLS, no other."""
    done = check_deploy({**documented_production_env(), "HTTPS": "0"})
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    found = set(re.findall(r"\((security\.W\d+)\)", output))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_check_deploy_sees_a_weak_secret_key():
    """The clean check above is not a check that cannot fail."""
    done = check_deploy({**documented_production_env(), "SECRET_KEY": "short"})
    assert done.returncode == 1
    assert "security.W009" in done.stdout + done.stderr


# --------------------------------------------------------------------- WhiteNoise, collected

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.mark.django_db
def test_whitenoise_serves_hashed_compressed_files_with_a_long_cache(collected):
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=collected,
        STORAGES=MANIFEST_STORAGES,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        client = Client()
        page = client.get("/login/")
        assert page.status_code == 200
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text)
        assert css, "the page links the hashed stylesheet"
        response = client.get(css.group(1))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/css")
        assert "immutable" in response["Cache-Control"]
        assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 31536000
        body = b"".join(response.streaming_content)
        assert body == (ROOT / "static/css/app.css").read_bytes()
        packed = client.get(css.group(1), HTTP_ACCEPT_ENCODING="gzip")
        assert packed["Content-Encoding"] == "gzip"
        assert int(packed["Content-Length"]) < len(body)
        font = client.get("/static/fonts/ipaexg.ttf", HTTP_ACCEPT_ENCODING="gzip, br")
        assert font.status_code == 200
        assert font["Content-Type"] == "font/ttf"
        assert "Content-Encoding" not in font  # not compressed: no page loads the fonts
        assert b"".join(font.streaming_content)[:4] == b"\x00\x01\x00\x00"
    assert not list(collected.rglob("*.ttf.gz"))
    assert list(collected.rglob("app.*.css.br"))
