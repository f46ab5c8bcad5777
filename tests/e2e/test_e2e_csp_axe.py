"""Every page kind, as each role, under the Content Security Policy and axe-core.

One browser context per person (担当者, 課長, 企画課 and 閲覧者 of 玉名市, the 担当者 of
伊勢原市 and 人吉市 for their sheet forms, an anonymous visitor, the superuser ``admin``),
logged in once. On every page:

* no Content Security Policy violation: an init script records the
  ``securitypolicyviolation`` DOM events, and the console is watched for Chromium's
  "Refused to …" messages; the server's report endpoint (``/csp-report/``) must not have
  logged anything either;
* no JavaScript error;
* axe-core (axe-playwright-python's copy), rules tagged WCAG 2.0/2.1 A and AA, finds no
  violation of impact *serious* or *critical* (JIS X 8341-3 AA is what a municipality's
  public pages must meet). Lesser findings are printed, not failed.

Every named URL of the URL conf is either visited or listed in ``LEFT_OUT`` with the reason,
so a new page cannot be forgotten (Django admin: every kind of admin page for one model).
``test_the_checks_see_a_violation`` proves the watchers bite: an inline style attribute
and a low-contrast text on a real page are both reported.
"""

import io
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from evalsheets.exports.bulk import create_job
from evalsheets.models import EvaluationSheet, Project
from evalsheets.regions_report.jobs import create_job as create_report_job
from evalsheets.regions_report.jobs import run_job as run_report_job
from evalsheets.workflow import audit
from evalsheets.workflow import transitions as services
from evalsheets.workflow.audit import ACTION_EDIT
from evalsheets.workflow.years import open_fiscal_year
from regions.models import Initiative, Region
from tests.e2e.conftest import login, screenshot
from tests.support.entry import make_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
TAMANA, ISEHARA, HITOYOSHI = "432067", "142140", "432032"

# Record every CSP violation the page sees, before any script of the page runs.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.effectiveDirective + " blocked " + (e.blockedURI || "?") + " at " +
    (e.sourceFile || "(script)") + ":" + e.lineNumber + ":" + e.columnNumber +
    (e.sample ? " «" + e.sample + "»" : ""));
});
"""

# Console messages about our security headers (a blocked resource, an unknown feature name).
HEADER_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
# axe-core's css-orientation-lock rule re-reads stylesheets through <style> elements of its
# own (blocked by the policy, and reported as if the page did it): no CSSOM preload. The
# rule then has nothing to check; no stylesheet of ours locks the orientation.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "resultTypes": ["violations"],
    "preload": False,
}

# Named URLs not opened as a page, and why.
LEFT_OUT = {
    "logout": "POST only; answers with a redirect to the login page (visited)",
    "sheet_list_xlsx": "an Excel file, not a page",
    "sheet_pdf": "a PDF file, not a page",
    "public:sheet_pdf": "a PDF file, not a page",
    "public:year_csv": "a CSV file, not a page",
    "export_job_status": "JSON polled by the job page's script (connect-src checked there)",
    "export_job_download": "the ZIP or PDF file of a finished job",
    "csp_report": "POST only: the endpoint browsers send violations to",
    "sheet_submit": "POST only; its form and errors are on the sheet page (visited)",
    "sheet_return": "POST only; its form and errors are on the sheet page (visited)",
    "sheet_approve": "POST only; its form is on the sheet page (visited)",
    "sheet_confirm": "POST only; its form is on the sheet page (visited)",
    "sheet_publish": "POST only; its form is on the sheet page (visited)",
    "sheet_reopen": "POST only; its form is on the sheet page (visited)",
    "session_status": "JSON polled by static/js/session.js (connect-src checked on every page)",
    "session_keepalive": "an empty answer to static/js/session.js",
    "health": "JSON for load balancers and monitoring",
    "favicon": "a redirect to the icon in static/",
    "regions:round_open": "POST only; its form is on the region page (visited)",
    "regions:round_kpis": "POST only; its form is on the round page (visited)",
    "regions:round_meeting": "POST only; its form is on the round page (visited)",
    "regions:round_remind": "POST only; its form is on the round page (visited)",
    "regions:round_step": "POST only; its buttons are on the round page (visited)",
    "region_reports:new": "POST only; its buttons are on the round page (visited)",
    "region_reports:status": "JSON of a 懇談会 report job",
    "region_reports:download": "the PDF or .xlsx file of a finished 懇談会 report job",
    "sheet_workbook": "the official sheet as an .xlsx file, not a page",
    "transfer_export": "the year's workbook, an .xlsx file",
    "transfer_import": "POST only; its form is on the transfer page (visited)",
    "transfer_import_confirm": "POST only; its form is on the import preview (tests/transfer)",
}
# Kinds of admin page not opened, and why (every other kind is opened for one model).
ADMIN_LEFT_OUT = {
    "logout": "POST only",
    "autocomplete": "JSON for the admin's select widgets",
    "jsi18n": "the admin's translation catalogue (JavaScript)",
    "view_on_site": "a redirect to the object's own page",
    "process_import": "POST only; redirects to the changelist (visited)",
}
ADMIN_SITE_NAMES = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "app_list",
    "view_on_site",
}
ADMIN_MODEL_KINDS = (
    "process_import",
    "password_change",
    "changelist",
    "history",
    "delete",
    "change",
    "import",
    "export",
    "add",
)


def url_names(resolver=None, namespace=""):
    """Every named URL of the URL conf, with its namespace."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def page_kind(name: str) -> str:
    """The kind of page a URL name stands for: admin pages of every model are one kind each."""
    if not name.startswith("admin:"):
        return name
    rest = name.removeprefix("admin:")
    if rest in ADMIN_SITE_NAMES:
        return f"admin:{rest}"
    for kind in ADMIN_MODEL_KINDS:
        if rest.endswith("_" + kind):
            return f"admin:*_{kind}"
    return name


def left_out_kind(kind: str) -> str | None:
    if kind in LEFT_OUT:
        return LEFT_OUT[kind]
    short = kind.removeprefix("admin:").removeprefix("*_")
    if kind.startswith("admin:") and short in ADMIN_LEFT_OUT:
        return ADMIN_LEFT_OUT[short]
    return None


class Checker:
    """Opens pages for one person and checks each; problems are collected, not raised."""

    def __init__(self, new_page, problems, visited, minor, report_requests):
        self.new_page = new_page
        self.problems = problems
        self.visited = visited
        self.minor = minor
        self.report_requests = report_requests
        self.axe = Axe()

    def person(self, role, username=None):
        page = self.new_page()
        page.context.add_init_script(WATCH_CSP)
        page.role = role
        page.console_csp = []
        page.js_errors = []

        def on_console(message):
            text = message.text
            if any(word in text for word in HEADER_WORDS):
                page.console_csp.append(text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.on(
            "request",
            lambda request: (
                self.report_requests.append(request.url)
                if urlsplit(request.url).path == "/csp-report/"
                else None
            ),
        )
        if username:
            login(page, username)
            expect(page.locator("header .who")).to_be_visible()
        return page

    def open(self, page, path, status=200, label=None, lands=None):
        """Open ``path`` (which must answer ``status`` at ``lands``, by default itself)."""
        response = page.goto(path)
        assert response is not None, path
        self.mark(path)
        if response.status != status:
            self.problems.append(f"[{page.role}] {path}: HTTP {response.status}, not {status}")
        landed = urlsplit(page.url).path
        if landed != (lands or urlsplit(path).path):
            self.problems.append(f"[{page.role}] {path}: redirected to {page.url}")
        self.check(page, label or path)
        return response

    def mark(self, path):
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            return
        if match.view_name:
            self.visited.add(page_kind(match.view_name))

    def check(self, page, label):
        page.wait_for_load_state("load")
        where = f"[{page.role}] {label}"
        results = self.axe.run(page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            if violation["impact"] in FAILING_IMPACTS:
                self.problems.append(f"{where}: axe {describe(violation)}")
            else:
                self.minor[(violation["id"], violation["impact"], label)] += 1
        for text in page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{where}: CSP violation {text}")
        for text in page.console_csp:
            self.problems.append(f"{where}: console: {text}")
        for text in page.js_errors:
            self.problems.append(f"{where}: JavaScript error: {text}")
        page.console_csp.clear()
        page.js_errors.clear()
        page.evaluate("window.__cspViolations = []")
        self.mark(urlsplit(page.url).path)

    def submit(self, page, selector, status=200, label=None):
        """Submit a form by clicking ``selector`` and check the page it answers with."""
        with page.expect_navigation() as navigation:
            page.click(selector)
        response = navigation.value
        path = urlsplit(page.url).path
        if response is not None and response.status != status:
            self.problems.append(f"[{page.role}] {path}: HTTP {response.status}, not {status}")
        self.check(page, label or f"{path} (after submitting)")


def describe(violation) -> str:
    nodes = violation["nodes"]
    lines = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — {len(nodes)} element(s)"
    ]
    for node in nodes[:5]:
        target = " ".join(str(t) for t in node["target"])
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"      {target} {node['html'][:160]}")
        lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def resolves(name, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def prepare_sheets():
    """令和6年度 opened for 玉名市: 741-2 a draft with a long history and a previous year,
    741-3 submitted to the 課長; 伊勢原市's 40-106 and 人吉市's 6-1-1 drafts."""
    users = {u.username: u for u in get_user_model().objects.filter(username__contains="-")}
    planning = users["tamana-planning"]
    town = planning.profile.municipality
    open_fiscal_year(planning, town, 2024, staff_salary=5500, part_time_salary=1300)
    sheets = EvaluationSheet.objects.filter(project__municipality=town, fiscal_year=2024)
    draft = sheets.get(project__code="741-2")
    submitted = sheets.get(project__code="741-3")
    services.submit_sheet(submitted, users["tamana-staff"], "確認をお願いします。")
    for n in range(25):  # more than a page of history
        audit.record(
            users["tamana-staff"],
            ACTION_EDIT,
            draft,
            comment=f"第{n + 2}版",
            changes={"目的": [f"旧{n}", f"新{n}"]},
        )
    job = create_job(planning, town, "zip", {"year": 2023})
    isehara = make_draft(EvaluationSheet.objects.get(project__code="40-106"))
    hitoyoshi = make_draft(EvaluationSheet.objects.get(project__code="6-1-1"))
    return draft, submitted, job, isehara, hitoyoshi


def test_every_page_kind_as_each_role(new_page, demo_data, caplog, capsys):
    caplog.set_level("WARNING", logger="evalsheets.csp")
    problems, visited, minor, report_requests = [], set(), Counter(), []
    checker = Checker(new_page, problems, visited, minor, report_requests)
    published = EvaluationSheet.objects.get(project__code="741-2", fiscal_year=2023)
    region = Region.objects.order_by("pk").first()

    # --- Anonymous visitor: public pages (before any demo sheet goes back to draft) -----
    citizen = checker.person("匿名")
    for path in (
        reverse("public:index"),
        reverse("public:municipality", args=[TAMANA]),
        reverse("public:year", args=[TAMANA, 2023]),
        reverse("public:year", args=[TAMANA, 2023]) + "?q=定住",
        reverse("public:sheet", args=[TAMANA, 2023, "741-2"]),
        reverse("public:sheet", args=[ISEHARA, 2023, "40-106"]),
        reverse("public:sheet", args=[HITOYOSHI, 2024, "6-1-2"]),
        reverse("public:region_list"),
        reverse("public:region_detail", args=[region.pk]),
    ):
        checker.open(citizen, path)
    checker.open(citizen, reverse("public:year", args=[TAMANA, 2023]) + "?plan_node=xx&section=-1")
    checker.open(citizen, "/public/999999/2023/", status=404)
    citizen.goto(reverse("home"))  # → the login page
    checker.check(citizen, "/ → login")
    citizen.fill("#id_username", "tamana-staff")
    citizen.fill("#id_password", "wrong-password")
    checker.submit(citizen, "button[type=submit]", label="login with a wrong password")
    # A stale CSRF token: Django's 403 page for a refused POST.
    citizen.evaluate("document.querySelector('[name=csrfmiddlewaretoken]').value = 'x'.repeat(64)")
    citizen.fill("#id_password", "evalsheets-demo")
    checker.submit(citizen, "button[type=submit]", status=403, label="login, stale CSRF token")
    checker.open(
        citizen, reverse("admin:index"), label="admin → admin login", lands=reverse("admin:login")
    )
    # The login page once a user name is locked after repeated failures (HTTP 429).
    citizen.goto(reverse("login"))
    for _ in range(getattr(settings, "AXES_FAILURE_LIMIT", 0) + 1):
        citizen.fill("#id_username", "no-such-user")
        citizen.fill("#id_password", "wrong-password")
        with citizen.expect_navigation() as navigation:
            citizen.click("main button[type=submit]")
        if navigation.value.status == 429:
            checker.check(citizen, "login locked (429)")
            break
    else:
        problems.append("[匿名] no lockout page after repeated failures")
    screenshot(citizen, "csp-axe-anonymous")

    draft, submitted, job, isehara, hitoyoshi = prepare_sheets()

    # --- 担当者 ----------------------------------------------------------------------------
    staff = checker.person("担当者", "tamana-staff")
    checker.open(staff, reverse("home"))
    checker.open(staff, reverse("sheet_list"))
    checker.open(staff, reverse("sheet_list") + "?year=2024&state=draft&q=定住")
    checker.open(staff, reverse("sheet_detail", args=[draft.pk]))
    checker.open(staff, reverse("sheet_detail", args=[draft.pk]) + "?history=2")
    checker.open(staff, reverse("sheet_diff", args=[draft.pk]))
    edit = reverse("sheet_edit", args=[draft.pk])
    checker.open(staff, edit)
    staff.locator("#entry-form input.num").first.fill("八百")
    checker.submit(staff, "button[name=save]", label="entry form with a field error")
    # Someone else saves meanwhile: this form's save gets the conflict page (409).
    checker.open(staff, edit)
    EvaluationSheet.objects.filter(pk=draft.pk).update(version=F("version") + 1)
    staff.locator("#entry-form textarea").first.fill("競合する変更")
    checker.submit(staff, "button[name=save]", status=409, label="conflict page")
    checker.open(staff, reverse("sheet_workbook_import", args=[draft.pk]))
    checker.open(staff, reverse("fiscal_year_new"), status=403)
    checker.open(staff, reverse("sheet_detail", args=[999999]), status=404)
    for name in ("password_change", "password_change_done"):
        if resolves(name):
            checker.open(staff, reverse(name))
    screenshot(staff, "csp-axe-staff")
    checker.submit(staff, "header form button[type=submit]", label="logged out (login page)")

    # --- 担当者 of the two other sheet forms -------------------------------------------------
    for role, username, sheet in (
        ("担当者（伊勢原市）", "isehara-staff", isehara),
        ("担当者（人吉市）", "hitoyoshi-staff", hitoyoshi),
    ):
        person = checker.person(role, username)
        checker.open(person, reverse("sheet_detail", args=[sheet.pk]))
        checker.open(person, reverse("sheet_edit", args=[sheet.pk]))

    # --- 課長 ------------------------------------------------------------------------------
    chief = checker.person("課長", "tamana-chief")
    checker.open(chief, reverse("home"))
    checker.open(chief, reverse("sheet_detail", args=[submitted.pk]))
    checker.submit(chief, "button.action-return", label="return without a reason")
    checker.open(chief, reverse("sheet_diff", args=[submitted.pk]))

    # --- 企画課 ----------------------------------------------------------------------------
    planning = checker.person("企画課", "tamana-planning")
    checker.open(planning, reverse("home"))
    checker.open(planning, reverse("home") + "?year=2024")
    checker.open(planning, reverse("sheet_list") + "?year=2023&state=published")
    checker.open(planning, reverse("sheet_detail", args=[published.pk]))
    checker.open(planning, reverse("transfer_index"))
    checker.open(planning, reverse("fiscal_year_new"))
    planning.fill("#id_fiscal_year", "")
    checker.submit(planning, "main form button[type=submit]", label="new fiscal year, errors")
    checker.open(planning, reverse("export_index"))
    checker.open(planning, reverse("export_job", args=[job.pk]))
    # The job page polls its status (fetch, connect-src): let it poll once under the CSP.
    try:
        with planning.expect_response(lambda r: "/status/" in r.url, timeout=5000):
            pass
    except PlaywrightTimeout:
        problems.append("[企画課] the export job page did not poll its status")
    checker.check(planning, "export job page after a poll")
    # Regions at work: 玉名市 is 玉名圏域's 中心市 (its 企画課 manages the region).
    tamana_region = Region.objects.get(name="玉名圏域定住自立圏")
    region_round = tamana_region.rounds.get()
    initiative = Initiative.objects.get(policy_area__vision__region=tamana_region)
    report_job = create_report_job(
        get_user_model().objects.get(username="tamana-planning"), region_round, "xlsx"
    )
    run_report_job(report_job.pk)
    for path in (
        reverse("regions:index"),
        reverse("regions:detail", args=[tamana_region.pk]),
        reverse("regions:round", args=[tamana_region.pk, region_round.pk]),
        reverse("regions:round_report", args=[tamana_region.pk, region_round.pk]),
        reverse("regions:add", args=[tamana_region.pk, "member"]),
        reverse("region_reports:job", args=[tamana_region.pk, report_job.pk]),
    ):
        checker.open(planning, path)
    checker.open(
        planning, reverse("regions:edit", args=[tamana_region.pk, "initiative", initiative.pk])
    )
    planning.fill("#id_cost_year_0", "2030")
    checker.submit(
        planning, "main form button[type=submit]", status=400, label="initiative, errors"
    )
    screenshot(planning, "csp-axe-planning")

    # --- 閲覧者 ----------------------------------------------------------------------------
    viewer = checker.person("閲覧者", "tamana-viewer")
    checker.open(viewer, reverse("home"))
    checker.open(viewer, reverse("sheet_list"))
    checker.open(viewer, reverse("sheet_detail", args=[published.pk]))
    checker.open(viewer, reverse("sheet_edit", args=[published.pk]), status=403)

    # --- Superuser: the Django admin and django-import-export's pages -------------------
    admin = checker.person("admin")
    login_admin(admin)
    project = Project.objects.get(code="741-2")
    admin_user = get_user_model().objects.get(username="admin")
    for path in (
        reverse("admin:index"),
        reverse("admin:app_list", args=["evalsheets"]),
        reverse("admin:evalsheets_project_changelist"),
        reverse("admin:evalsheets_evaluationsheet_changelist") + "?q=741&state__exact=published",
        reverse("admin:evalsheets_project_change", args=[project.pk]),
        # Tabular and stacked inlines, date and time inputs.
        reverse("admin:evalsheets_evaluationsheet_change", args=[published.pk]),
        reverse("admin:regions_region_change", args=[region.pk]),
        reverse("admin:evalsheets_project_add"),
        reverse("admin:evalsheets_project_history", args=[project.pk]),
        reverse("admin:evalsheets_project_delete", args=[project.pk]),
        reverse("admin:auth_user_password_change", args=[admin_user.pk]),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
    ):
        checker.open(admin, path)
    # django-import-export's export form: "select all" works without its onchange attribute.
    checker.open(admin, reverse("admin:evalsheets_project_export"))
    fields = admin.locator(".selectable-field-export-row input[type=checkbox]:visible")
    assert fields.count() > 3
    admin.uncheck("#select-all-toggle")
    assert all(not box.is_checked() for box in fields.all())
    admin.check("#select-all-toggle")
    assert all(box.is_checked() for box in fields.all())
    checker.check(admin, "export form after (un)checking all fields")
    checker.open(admin, reverse("admin:evalsheets_project_import"))
    admin.set_input_files(
        "input[type=file]",
        files=[{"name": "projects.csv", "mimeType": "text/csv", "buffer": project_csv(project)}],
    )
    admin.select_option("select[name=format]", label="csv")
    checker.submit(admin, "input[type=submit]", label="import: confirmation")
    checker.submit(admin, "input[name=confirm]", label="import: done (changelist)")
    screenshot(admin, "csp-axe-admin")

    # --- What was seen ----------------------------------------------------------------------
    kinds = {page_kind(name) for name in url_names()}
    forgotten = sorted(k for k in kinds if k not in visited and not left_out_kind(k))
    with capsys.disabled():
        print(
            f"\n{len(visited)} page kinds visited; left out: "
            + ", ".join(sorted(k for k in kinds if k not in visited))
        )
        for (rule, impact, label), count in sorted(minor.items()):
            print(f"  axe ({impact}, not failed) {rule}: {label} ×{count}")
    failures = [f"page kind neither visited nor in LEFT_OUT: {kind}" for kind in forgotten]
    failures += problems
    failures += [f"reported to /csp-report/: {url}" for url in report_requests]
    failures += [
        f"logged by the report endpoint: {r.getMessage()}"
        for r in caplog.records
        if r.name == "evalsheets.csp"
    ]
    assert failures == [], "\n" + "\n".join(failures)


def login_admin(page):
    page.goto(reverse("admin:login"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "evalsheets-demo")
    with page.expect_navigation():
        page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def project_csv(project) -> bytes:
    from evalsheets.resources import ProjectResource

    dataset = ProjectResource().export(Project.objects.filter(pk=project.pk))
    return io.BytesIO(dataset.csv.encode("utf-8")).getvalue()


def test_the_checks_see_a_violation(new_page, db, caplog):
    """The watchers bite: an inline style attribute is a CSP violation, seen by the page, in
    the console and at the report endpoint; pale text fails axe's colour contrast rule."""
    caplog.set_level("WARNING", logger="evalsheets.csp")
    problems, visited, minor, report_requests = [], set(), Counter(), []
    checker = Checker(new_page, problems, visited, minor, report_requests)
    page = checker.person("匿名")
    checker.open(page, reverse("login"))
    assert problems == []
    with page.expect_response(lambda r: urlsplit(r.url).path == "/csp-report/") as report:
        page.evaluate(
            """() => {
              const p = document.createElement("p");
              p.textContent = "薄い文字の説明文";
              p.style.color = "#c8c8c8";  // allowed by the CSP (CSSOM), but unreadable
              document.querySelector("main").append(p);
              document.querySelector("main").setAttribute("style", "font-weight: bold");
            }"""
        )
    assert report.value.status == 204
    checker.check(page, "login page, broken on purpose")
    text = "\n".join(problems)
    assert re.search(r"CSP violation style-src-attr blocked inline", text), text
    assert "console: " in text and "color-contrast (serious)" in text
    assert any("effective-directive=style-src-attr" in r.getMessage() for r in caplog.records)
