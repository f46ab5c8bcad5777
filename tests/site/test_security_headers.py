"""Security headers on every response, the Content Security Policy, and its report endpoint.

The browser side (no page of ours breaks the policy, as each role) is
tests/e2e/test_e2e_csp_axe.py; here the Django test client checks the headers and the
endpoint, and the templates are scanned for inline script and style.
"""

import json
import logging
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from evalsheets.site import security
from evalsheets.site.security import MAX_REPORT_BYTES, LogBudget

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REPORT_TYPE = "application/csp-report"


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response):
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["report-uri"] == [reverse("csp_report")]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]


def responses(client):
    """One response of each kind: page, redirect, 403, 404, 405, public page, admin, JSON."""
    admin = get_user_model().objects.get(username="admin")
    staff = get_user_model().objects.get(username="tamana-staff")
    anonymous = Client()
    yield "login page", anonymous.get(reverse("login")), 200
    yield "redirect to login", anonymous.get(reverse("home")), 302
    yield "public index", anonymous.get(reverse("public:index")), 200
    yield "404", anonymous.get("/public/999999/2023/"), 404
    yield "405", anonymous.get(reverse("csp_report")), 405
    yield "admin login", anonymous.get(reverse("admin:index") + "login/"), 200
    client.force_login(staff)
    yield "home", client.get(reverse("home")), 200
    yield "403", client.get(reverse("sheet_list_xlsx")), 403
    client.force_login(admin)
    yield "admin index", client.get(reverse("admin:index")), 200
    yield (
        "report",
        anonymous.post(
            reverse("csp_report"), json.dumps({"csp-report": {}}), content_type=REPORT_TYPE
        ),
        204,
    )


def test_every_kind_of_response_has_the_headers(client, demo_data):
    seen = []
    for name, response, status in responses(client):
        assert response.status_code == status, name
        assert_security_headers(response)
        seen.append(name)
    assert len(seen) == 10


@pytest.mark.parametrize("debug", [True, False])
def test_the_headers_do_not_depend_on_debug(demo_data, debug):
    with override_settings(DEBUG=debug):
        client = Client()
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert_security_headers(response)
        page = client.get(reverse("public:index"))
        assert_security_headers(page)


def test_a_page_cannot_be_framed_by_another_site(client, db):
    response = client.get(reverse("login"))
    assert policy(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- The report endpoint --------------------------------------------------------------

LEVEL2_REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/sheets/1/",
        "referrer": "",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "original-policy": "default-src 'self'; report-uri /csp-report/",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "http://testserver/sheets/1/",
        "status-code": 200,
        "script-sample": "",
    }
}
REPORTING_API_BATCH = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "http://testserver/public/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": "http://testserver/public/",
            "effectiveDirective": "script-src-elem",
            "blockedURL": "http://evil.example/x.js",
            "disposition": "enforce",
            "lineNumber": 3,
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},
]


@pytest.fixture(autouse=True)
def fresh_budget(monkeypatch):
    """Each test starts with the whole minute's budget of log lines."""
    monkeypatch.setattr(security, "budget", LogBudget(security.REPORTS_PER_MINUTE))


def post_report(body, content_type=REPORT_TYPE):
    # As a browser sends it: no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return client.post(reverse("csp_report"), body, content_type=content_type)


def csp_records(caplog):
    return [r for r in caplog.records if r.name == "evalsheets.csp"]


def test_a_violation_report_is_logged_as_a_warning(db, caplog):
    caplog.set_level(logging.INFO, logger="evalsheets.csp")
    response = post_report(LEVEL2_REPORT)
    assert response.status_code == 204
    assert response.content == b""
    [record] = csp_records(caplog)
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "document-uri=http://testserver/sheets/1/" in message
    assert "effective-directive=style-src-attr" in message
    assert "blocked-uri=inline" in message
    assert "line-number=12" in message
    assert "original-policy" not in message  # the policy is ours: not worth a log line


def test_a_reporting_api_batch_logs_its_csp_violations_only(db, caplog):
    caplog.set_level(logging.INFO, logger="evalsheets.csp")
    response = post_report(REPORTING_API_BATCH, content_type="application/reports+json")
    assert response.status_code == 204
    [record] = csp_records(caplog)
    message = record.getMessage()
    assert "effective-directive=script-src-elem" in message
    assert "blocked-uri=http://evil.example/x.js" in message


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[]",
        "{}",
        '{"csp-report": "text"}',
        "12",
        "null",
        '[{"type": "csp-violation", "body": "x"}]',
    ],
)
def test_anything_that_is_no_report_is_refused_and_not_logged(db, caplog, body):
    caplog.set_level(logging.INFO, logger="evalsheets.csp")
    assert post_report(body).status_code == 400
    assert csp_records(caplog) == []


def test_a_large_body_is_refused_before_it_is_read(db, caplog):
    caplog.set_level(logging.INFO, logger="evalsheets.csp")
    padding = "x" * MAX_REPORT_BYTES
    report = {"csp-report": {**LEVEL2_REPORT["csp-report"], "script-sample": padding}}
    response = post_report(report)
    assert response.status_code == 413
    assert csp_records(caplog) == []
    # Just under the bound is accepted.
    small = {"csp-report": {"blocked-uri": "x" * (MAX_REPORT_BYTES - 100)}}
    assert post_report(small).status_code == 204


def test_only_post_is_accepted(db):
    client = Client()
    for method in (client.get, client.put, client.delete):
        response = method(reverse("csp_report"))
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"


def test_a_forged_report_cannot_write_extra_log_lines(db, caplog):
    caplog.set_level(logging.INFO, logger="evalsheets.csp")
    forged = {
        "csp-report": {
            "document-uri": "http://testserver/\nCRITICAL fake entry\r\x1b[31m",
            "blocked-uri": "y" * 5000,
        }
    }
    assert post_report(forged).status_code == 204
    [record] = csp_records(caplog)
    message = record.getMessage()
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert "CRITICAL fake entry" in message  # kept, on the same line
    assert len(message) < 1000


def test_a_flood_of_reports_is_logged_up_to_the_budget_of_the_minute(db, caplog, monkeypatch):
    now = [600.0]
    monkeypatch.setattr(security, "budget", LogBudget(3, clock=lambda: now[0]))
    caplog.set_level(logging.INFO, logger="evalsheets.csp")
    for _ in range(10):
        assert post_report(LEVEL2_REPORT).status_code == 204  # the browser learns nothing
    messages = [r.getMessage() for r in csp_records(caplog)]
    assert len(messages) == 4
    assert all(m.startswith("CSP violation: ") for m in messages[:3])
    assert "over 3 a minute" in messages[3]
    # A batch counts each of its violations.
    now[0] += 60
    caplog.clear()
    batch = [REPORTING_API_BATCH[0]] * 5
    assert post_report(batch, content_type="application/reports+json").status_code == 204
    assert len(csp_records(caplog)) == 4
    now[0] += 60
    caplog.clear()
    assert post_report(LEVEL2_REPORT).status_code == 204
    assert len(csp_records(caplog)) == 1


# --- No inline script or style in the pages served to browsers -------------------------

INLINE = [
    ("<script> without src", re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("<style> block", re.compile(r"<style[\s>]", re.I)),
    ("event handler attribute", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]


def web_templates():
    """Every template a browser receives: all of templates/ but the WeasyPrint PDFs."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] != "pdf":
            yield path


def test_no_template_served_to_browsers_has_inline_script_or_style():
    found = []
    paths = list(web_templates())
    assert len(paths) > 40
    for path in paths:
        text = path.read_text()
        for what, pattern in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert found == []


def test_no_web_page_includes_a_pdf_template():
    """templates/pdf/ may keep its inline styles only because no web page embeds it."""
    include = re.compile(r"{%\s*(?:include|extends)\s+[\"']pdf/")
    assert [p.name for p in web_templates() if include.search(p.read_text())] == []


def _package_template(module, name):
    return (Path(module.__file__).parent / "templates" / name).read_text()


def _overrides():
    """Our copies of third-party templates: (name, the package's text, [(old, new), ...])."""
    import django.contrib.admin
    import import_export

    onchange = 'onchange="onSelectToggleChange(event)" checked>'
    script = "<script src=\"{% static 'js/admin_export.js' %}\" defer></script>\n"
    yield (
        "admin/import_export/export.html",
        _package_template(import_export, "admin/import_export/export.html"),
        [
            ("{% load i18n %}", "{% load i18n static %}"),
            ("{{ form.media }}\n", "{{ form.media }}\n" + script),
            ('<p style="padding: 0;">', '<p class="export-fields-intro">'),
            (
                'name="select-all-toggle" \n' + " " * 20 + onchange,
                'name="select-all-toggle" id="select-all-toggle" checked>',
            ),
            ('<label style="font-weight: bold;"', '<label class="select-all-label"'),
        ],
    )
    cell = "{{ field.field }}\n"
    label = (
        "{% if not field.field.is_hidden %}"
        '<label class="inline-cell-label" for="{{ field.field.id_for_label }}">'
        "{{ field.field.label }}</label>{% endif %}\n" + " " * 18
    )
    deletion = "{{ inline_admin_form.deletion_field.field }}"
    yield (
        "admin/edit_inline/tabular.html",
        _package_template(django.contrib.admin, "admin/edit_inline/tabular.html"),
        [
            (
                "{{ field.field.errors.as_ul }}\n" + " " * 18 + cell,
                "{{ field.field.errors.as_ul }}\n" + " " * 18 + label + cell,
            ),
            (
                "inline_admin_form.original %}" + deletion,
                "inline_admin_form.original %}"
                '<label class="inline-cell-label" for="'
                '{{ inline_admin_form.deletion_field.field.id_for_label }}">'
                '{% translate "Delete?" %}</label>' + deletion,
            ),
        ],
    )
    yield (
        "admin/widgets/split_datetime.html",
        _package_template(django.contrib.admin, "admin/widgets/split_datetime.html"),
        [
            (
                "{{ date_label }}",
                '<label class="datetime-part" for="'
                '{{ widget.subwidgets.0.attrs.id }}">{{ date_label }}</label>',
            ),
            (
                "{{ time_label }}",
                '<label class="datetime-part" for="'
                '{{ widget.subwidgets.1.attrs.id }}">{{ time_label }}</label>',
            ),
        ],
    )


@pytest.mark.parametrize("name, package, changes", list(_overrides()), ids=lambda v: "")
def test_a_copied_admin_template_is_the_installed_one_with_our_changes_only(name, package, changes):
    """templates/admin/ holds copies of Django's and django-import-export's templates with
    a few changes (no inline code, labels): after an upgrade that changes the original, the
    copy must be made again (this fails until it is)."""
    ours = (TEMPLATES / name).read_text()
    ours = re.sub(r"{% comment %}.*?{% endcomment %}\n?", "", ours, flags=re.S)
    expected = package
    for old, new in changes:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    assert ours == expected


def test_widget_templates_are_overridable_from_templates():
    """The admin's date and time inputs come with their labels (FORM_RENDERER)."""
    from django import forms
    from django.contrib.admin.widgets import AdminSplitDateTime

    class Form(forms.Form):
        when = forms.SplitDateTimeField(widget=AdminSplitDateTime)

    html = str(Form()["when"])
    assert '<label class="datetime-part" for="id_when_0">' in html
    assert '<label class="datetime-part" for="id_when_1">' in html
