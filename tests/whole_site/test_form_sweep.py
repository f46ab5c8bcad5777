"""Every form of the application, as every role meets it, sent broken: no 5xx, and a
refused request changes nothing.

The forms are not listed here. Each role walks the site from its landing pages
(tests/support/crawl.py) and every ``<form method="post">`` it meets is sent again with
its fields missing, duplicated, oversized and of the wrong type. A form added later is
swept without a new test; a route of the URL conf that no walk reaches fails
``test_the_walks_reach_every_route`` until it is reached or listed below with a reason.

"Nothing changed" is the whole database (tests/whole_site/test_bad_input.fingerprint: every row of
every model of the project). Each request runs in a savepoint that is rolled back, so
an accepted request does not change what the next one starts from.
"""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client

from core.choices import ExportKind, ExportStatus
from evalsheets.models import EvaluationSheet, ExportJob
from evalsheets.workflow import transitions as services
from regions.choices import ReportKind, ReportStatus
from regions.models import ProgressRound, ReportJob
from tests.support.crawl import PostForm, all_routes, crawl, route_of
from tests.whole_site.test_bad_input import fingerprint

# Routes no walk can reach by a link or a form, and why. Everything else must be reached.
UNREACHED_BY_DESIGN = {
    "logout/": "posted by the header's logout button; not swept (it ends the session)",
    "admin/logout/": "the admin's logout, as above",
    "exports/<int:pk>/status/": "JSON polled by static/js/export.js, not a link",
    "regions/<int:pk>/reports/<int:job_pk>/status/": "JSON of a 懇談会 report job, not a link",
    "health/": "for load balancers, not linked from any page",
    "csp-report/": "where browsers post CSP violation reports, not linked",
    "favicon.ico": "asked for by browsers, not linked",
    "password/change/done/": "where a successful password change redirects to",
    "session/status/": "JSON polled by the idle-timeout script, not a link",
    "session/keepalive/": "posted by the idle-timeout script's 「続ける」 button, not a link",
    "transfer/import/confirm/": "posted from the import preview, which needs an uploaded file "
    "(tests/transfer/test_transfer_views.py walks it)",
    "transfer/export.xlsx": "the action of the year page's GET form (a year chosen), not a link "
    "(tests/transfer/test_transfer_views.py downloads it)",
}

# Who walks, and where each starts.
WALKERS = {
    "tamana-staff": ["/", "/sheets/"],
    "tamana-chief": ["/", "/sheets/"],
    "tamana-planning": ["/", "/sheets/", "/exports/", "/years/new/"],
    "tamana-viewer": ["/", "/sheets/"],
    "isehara-staff": ["/"],
    "hitoyoshi-staff": ["/"],
    # A 企画課 walk starting from the sheets waiting for it (confirm, publish, reopen).
    "hitoyoshi-planning": ["/sheets/?state=confirmed", "/sheets/?state=approved", "/exports/"],
    "anonymous": ["/login/", "/public/", "/public/regions/"],
    "admin": ["/admin/"],
}
OVERSIZED = "長" * 100_000  # one field
LONG = "長" * 3_000  # every field at once (past every text bound, under the upload limit)
WRONG = {
    "number": "abc",
    "text": "\x00",
    "textarea": "\x00",
    "select": "no-such-choice",
    "checkbox": "maybe",
    "radio": "no-such-choice",
    "hidden": "x" * 40,
    "date": "9999-99-99",
    "email": "not-an-email",
    "password": "\x00",
}


@pytest.fixture
def site(demo_data):
    """The demo data with a sheet in every state a form depends on, an audit history and a
    finished export job, so that every form of the workflow is on some page."""
    users = {u.username: u for u in get_user_model().objects.all()}

    def sheet(code):
        return EvaluationSheet.objects.get(project__code=code)

    for code in ("741-2", "40-106", "6-1-1", "741-3", "6-1-2", "6-3-4"):
        EvaluationSheet.objects.filter(pk=sheet(code).pk).update(
            state="draft", approved_at=None, approved_by=None, published_at=None
        )
    # 741-3 waits for its 課長; 6-1-2 for the 企画課's confirmation; 6-3-4 for publication.
    services.perform("submit", sheet("741-3"), users["tamana-staff"])
    for code in ("6-1-2", "6-3-4"):
        services.perform("submit", sheet(code), users["hitoyoshi-staff2"])
        services.perform("approve", sheet(code), users["hitoyoshi-chief2"], "所見です。")
    services.perform("confirm", sheet("6-3-4"), users["hitoyoshi-planning"])
    job = ExportJob.objects.create(
        municipality=sheet("741-2").project.municipality,
        requested_by=users["tamana-planning"],
        kind=ExportKind.ZIP,
        parameters={"year": 2023},
        status=ExportStatus.RUNNING,
        total=2,
    )
    job.result.save("432067/sweep.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.status, job.done, job.result_name = ExportStatus.DONE, 2, "玉名市_令和5年度_PDF.zip"
    job.save()
    # A finished 懇談会 report of 玉名圏域's round (its page and file are linked from the round).
    report = ReportJob(
        round=ProgressRound.objects.get(region__name="玉名圏域定住自立圏"),
        kind=ReportKind.XLSX,
        status=ReportStatus.DONE,
        total=2,
        done=2,
        result_name="report.xlsx",
    )
    report.result.save("sweep/report.xlsx", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    report.save()
    return users


def client_for(users, name) -> Client:
    client = Client(raise_request_exception=False)
    if name != "anonymous":
        client.force_login(users[name])
    return client


def walks(site):
    result = {}
    for name, start in WALKERS.items():
        client = client_for(site, name)
        if name == "admin":
            result[name] = (client, crawl(client, start, admin=True, per_route=1, limit=200))
        else:
            result[name] = (client, crawl(client, start, admin=False))
    return result


def assert_every_route_reached(everyone):
    reached = set()
    for _client, walk in everyone.values():
        reached |= walk.routes
    admin_prefix = "admin/"
    missing = [
        route
        for route in all_routes()
        if route not in reached
        and route not in UNREACHED_BY_DESIGN
        and not route.startswith(admin_prefix)
    ]
    assert not missing, f"no walk reaches {missing}: link them, or say why in UNREACHED_BY_DESIGN"


# ------------------------------------------------------------------------- the sweep


def _sample(items, n):
    """A fixed, spread-out sample (the same on every run)."""
    items = sorted(items)
    if len(items) <= n:
        return items
    return sorted(items, key=lambda s: hashlib.sha256(s.encode()).hexdigest())[:n]


def mutations(form: PostForm, *, small: bool):
    """(label, data) pairs: the form sent broken in every way the issue lists."""
    good = form.data()
    kinds = {c.name: c.kind for c in form.controls}
    fields = [n for n in good if n != "csrfmiddlewaretoken"]
    yield "all missing", {}
    yield "duplicated", {n: [*(v or [""]), "x" + (v[0] if v else "")] for n, v in good.items()}
    yield "oversized", {n: [LONG] for n in good}
    yield "wrong type", {n: [WRONG.get(kinds.get(n, "text"), "\x00")] for n in good}
    if small:  # the admin's own forms: Django's code, swept whole only
        return
    for name in _sample(fields, 10):
        yield f"{name} missing", {k: v for k, v in good.items() if k != name}
    for name in _sample(fields, 8):
        kind = kinds.get(name, "text")
        yield f"{name} oversized", {**good, name: ["9" * 400 if kind == "number" else OVERSIZED]}
        yield f"{name} wrong type", {**good, name: [WRONG.get(kind, "\x00")]}


def _post_body(data):
    return {k: (v if len(v) != 1 else v[0]) for k, v in data.items() if v}


def sweep(client, form: PostForm, *, small: bool) -> int:
    sent = 0
    before = fingerprint()
    for label, data in mutations(form, small=small):
        with transaction.atomic():
            response = client.post(form.action, _post_body(data))
            status = response.status_code
            assert status < 500, (form.action, form.page, label, status)
            accepted = 300 <= status < 400 or (
                # The entry form saves the valid fields of a partly wrong form and says so.
                status == 200 and "保存しました" in response.content.decode()
            )
            if not accepted:
                # Refused (the form again with errors, or a 4xx): nothing may have changed.
                assert fingerprint() == before, (form.action, label, status)
            transaction.set_rollback(True)
        sent += 1
    return sent


def test_every_form_as_every_role_survives_broken_input(site):
    everyone = walks(site)
    assert_every_route_reached(everyone)
    swept: dict[tuple, int] = {}
    for name, (client, walk) in everyone.items():
        for form in walk.forms:
            if form.action in ("/logout/", "/admin/logout/"):
                continue
            key = (name, route_of(form.action), form.names)
            if key in swept:
                continue
            swept[key] = sweep(client, form, small=name == "admin")
    routes = {route for (_name, route, _names) in swept}
    # The forms the application is about are among those swept.
    for expected in (
        "sheets/<int:pk>/edit/",
        "sheets/<int:pk>/submit/",
        "sheets/<int:pk>/return/",
        "sheets/<int:pk>/approve/",
        "sheets/<int:pk>/confirm/",
        "sheets/<int:pk>/publish/",
        "sheets/<int:pk>/reopen/",
        "years/new/",
        "exports/",
        "login/",
    ):
        assert expected in routes, (expected, sorted(routes))
    assert sum(swept.values()) > 300
