"""Every view × every standing user → the expected answer, in one table.

Adding a view is adding one row to ROWS. Each cell runs one request against 課 A's sheet
(brought to the row's state through the services) and checks the status; a request that
is refused must leave the sheet as it was (state, version, audit trail).

Cells: 200 / 403 / 404 / 405 as such; LOGIN = 302 to the login page; DONE = 302 back to
the sheet page with the transition made; REFUSED = 302 back to the sheet page with an
error message and nothing changed (the state does not allow the action).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.choices import ExportKind, ExportStatus, SheetState
from evalsheets.models import EvaluationSheet, ExportJob
from tests.support.regions import region_world
from tests.support.workflow import advance, snapshot

LOGIN, DONE, REFUSED = "login", "done", "refused"
USERS = (
    "staff_a",
    "staff_b",
    "chief_a",
    "chief_b",
    "planning",
    "planning_other",
    "viewer",
    "anonymous",
)
D, S, A, C, P = (
    SheetState.DRAFT,
    SheetState.SUBMITTED,
    SheetState.APPROVED,
    SheetState.CONFIRMED,
    SheetState.PUBLISHED,
)


def public_sheet_args(world, sheet):
    return [sheet.project.municipality.code, sheet.fiscal_year, sheet.project.code]


@dataclass
class Row:
    name: str
    method: str
    url_name: str
    state: str  # of 課 A's sheet before the request
    cells: str  # one cell per user, in the order of USERS, separated by spaces
    data: dict = field(default_factory=dict)
    with_pk: bool = True
    to_state: str | None = None  # after a DONE cell
    url_args: Callable | None = None  # (world, sheet) -> URL args, instead of the sheet's pk

    @property
    def expected(self) -> dict:
        cells = [int(c) if c.isdigit() else c for c in self.cells.split()]
        return dict(zip(USERS, cells, strict=True))


def finished_export(world, sheet):
    """A finished bulk export of 課 A's municipality, with its file (for the job URLs)."""
    job = ExportJob(
        municipality=world["town"],
        requested_by=world["users"]["planning"],
        kind=ExportKind.ZIP,
        parameters={"year": 2023},
        status=ExportStatus.DONE,
        total=1,
        done=1,
        result_name="export.zip",
    )
    job.result.save("432067/matrix.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.save()
    return [job.pk]


def region_args(*names):
    """URL args of the region of tests/support/regions.py: "region", "round",
    "initiative", "kpi", "job", "membership" (their pks) or a literal after "=" ("=kpi")."""

    def args(world, sheet):
        objects = region_world(world)
        return [n[1:] if n.startswith("=") else objects[n].pk for n in names]

    return args


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# fmt: off
ROWS = [
    #     staff_a staff_b chief_a chief_b planning other viewer anonymous
    Row("home", "get", "home", D,
         "200     200     200     200     200      200   200    login",
        with_pk=False),
    Row("open a fiscal year (form)", "get", "fiscal_year_new", D,
         "403     403     403     403     200      200   403    login",
        with_pk=False),
    Row("edit (draft)", "get", "sheet_edit", D,
         "200     404     403     404     403      404   403    login"),
    Row("edit (published)", "get", "sheet_edit", P,
         "403     403     403     403     403      404   403    login"),
    Row("PDF (draft)", "get", "sheet_pdf", D,
         "200     404     200     404     200      404   200    login"),
    Row("official workbook (draft)", "get", "sheet_workbook", D,
         "200     404     200     404     200      404   200    login"),
    Row("import the official workbook (draft)", "get", "sheet_workbook_import", D,
         "200     404     403     404     403      404   403    login"),
    Row("import the official workbook (published)", "get", "sheet_workbook_import", P,
         "403     403     403     403     403      404   403    login"),
    Row("diff since last year", "get", "sheet_diff", D,
         "200     404     200     404     200      404   200    login"),
    Row("list as Excel", "get", "sheet_list_xlsx", D,
         "403     403     403     403     200      200   200    login",
        with_pk=False),
    Row("list", "get", "sheet_list", D,
         "200     200     200     200     200      200   200    login",
        with_pk=False),
    Row("favicon (to the static file)", "get", "favicon", D,
         "302     302     302     302     302      302   302    302",
        with_pk=False),
    Row("detail (draft)", "get", "sheet_detail", D,
         "200     404     200     404     200      404   200    login"),
    Row("detail (submitted)", "get", "sheet_detail", S,
         "200     404     200     404     200      404   200    login"),
    Row("detail (published)", "get", "sheet_detail", P,
         "200     200     200     200     200      404   200    login"),
    Row("submit", "post", "sheet_submit", D,
         "done    404     403     404     403      404   403    login",
        {"comment": "提出します"}, to_state=S),
    Row("submit (submitted)", "post", "sheet_submit", S,
         "refused 404     403     404     403      404   403    login"),
    Row("return", "post", "sheet_return", S,
         "403     404     done    404     403      404   403    login",
        {"reason": "記入漏れ"}, to_state=D),
    Row("return (draft)", "post", "sheet_return", D,
         "403     404     refused 404     403      404   403    login",
        {"reason": "記入漏れ"}),
    Row("approve", "post", "sheet_approve", S,
         "403     404     done    404     403      404   403    login",
        {"remarks": "妥当"}, to_state=A),
    Row("approve (approved)", "post", "sheet_approve", A,
         "403     404     refused 404     403      404   403    login",
        {"remarks": "妥当"}),
    Row("confirm", "post", "sheet_confirm", A,
         "403     404     403     404     done     404   403    login",
        to_state=C),
    Row("confirm (submitted)", "post", "sheet_confirm", S,
         "403     404     403     404     refused  404   403    login"),
    Row("publish", "post", "sheet_publish", C,
         "403     404     403     404     done     404   403    login",
        to_state=P),
    Row("publish (approved)", "post", "sheet_publish", A,
         "403     404     403     404     refused  404   403    login"),
    Row("reopen", "post", "sheet_reopen", P,
         "403     403     403     403     done     404   403    login",
        {"reason": "訂正"}, to_state=D),
    Row("reopen (draft)", "post", "sheet_reopen", D,
         "403     404     403     404     refused  404   403    login",
        {"reason": "訂正"}),
    Row("submit GET", "get", "sheet_submit", D,
         "405     405     405     405     405      405   405    405"),
    Row("return GET", "get", "sheet_return", S,
         "405     405     405     405     405      405   405    405"),
    Row("approve GET", "get", "sheet_approve", S,
         "405     405     405     405     405      405   405    405"),
    Row("confirm GET", "get", "sheet_confirm", A,
         "405     405     405     405     405      405   405    405"),
    Row("publish GET", "get", "sheet_publish", C,
         "405     405     405     405     405      405   405    405"),
    Row("reopen GET", "get", "sheet_reopen", P,
         "405     405     405     405     405      405   405    405"),
    Row("bulk export (form)", "get", "export_index", D,
         "403     403     403     403     200      200   403    login",
        with_pk=False),
    Row("bulk export job", "get", "export_job", D,
         "403     403     403     403     200      404   403    login",
        url_args=finished_export),
    Row("bulk export job status", "get", "export_job_status", D,
         "403     403     403     403     200      404   403    login",
        url_args=finished_export),
    Row("bulk export download", "get", "export_job_download", D,
         "403     403     403     403     200      404   403    login",
        url_args=finished_export),
    # The year workbook (evalsheets/transfer): export for 企画課 and 閲覧者, import for 企画課;
    # each municipality's own data (tests/transfer/ for another municipality's file).
    Row("year workbook page", "get", "transfer_index", D,
         "403     403     403     403     200      200   200    login",
        with_pk=False),
    Row("year workbook export", "get", "transfer_export", D,
         "403     403     403     403     200      200   200    login",
        {"year": "2023"}, with_pk=False),
    Row("year workbook import (no file)", "post", "transfer_import", D,
         "403     403     403     403     400      400   403    302",
        with_pk=False),
    Row("year workbook import confirm (no token)", "post", "transfer_import_confirm", D,
         "403     403     403     403     302      302   403    302",
        with_pk=False),
    Row("year workbook import GET", "get", "transfer_import", D,
         "405     405     405     405     405      405   405    405",
        with_pk=False),
    # Every logged-in user's own account and session (evalsheets/site/sessions.py).
    Row("password change", "get", "password_change", D,
         "200     200     200     200     200      200   200    login",
        with_pk=False),
    Row("password change done", "get", "password_change_done", D,
         "200     200     200     200     200      200   200    login",
        with_pk=False),
    Row("session status (passive)", "get", "session_status", D,
         "200     200     200     200     200      200   200    401",
        with_pk=False),
    Row("session keep-alive", "get", "session_keepalive", D,
         "204     204     204     204     204      204   204    login",
        with_pk=False),
    # Content Security Policy reports (evalsheets/site/security.py): POST only, the same for
    # everybody, no login; a form-encoded body is no report (tests/site/test_security_headers.py).
    Row("CSP report GET", "get", "csp_report", D,
         "405     405     405     405     405      405   405    405",
        with_pk=False),
    Row("CSP report (not JSON)", "post", "csp_report", D,
         "400     400     400     400     400      400   400    400",
        with_pk=False, data={"csp-report": "x"}),
    # Health check for load balancers (evalsheets/site/health.py): GET only, no login, the same
    # for everybody (tests/site/test_deploy_health.py).
    Row("health check", "get", "health", D,
         "200     200     200     200     200      200   200    200",
        with_pk=False),
    Row("health check POST", "post", "health", D,
         "405     405     405     405     405      405   405    405",
        with_pk=False),
    # Public pages: the same answer for everybody; only published sheets exist there.
    Row("public sheet (draft)", "get", "public:sheet", D,
         "404     404     404     404     404      404   404    404",
        url_args=public_sheet_args),
    Row("public sheet (published)", "get", "public:sheet", P,
         "200     200     200     200     200      200   200    200",
        url_args=public_sheet_args),
    Row("public PDF (draft)", "get", "public:sheet_pdf", D,
         "404     404     404     404     404      404   404    404",
        url_args=public_sheet_args),
    Row("public year list", "get", "public:year", P,
         "200     200     200     200     200      200   200    200",
        url_args=lambda world, sheet: [world["town"].code, sheet.fiscal_year]),
    Row("public region list", "get", "public:region_list", D,
         "200     200     200     200     200      200   200    200",
        with_pk=False),
    Row("public region page", "get", "public:region_detail", D,
         "200     200     200     200     200      200   200    200",
        url_args=region_args("region")),
    # Regions at work (regions/views.py; docs/regions.md): 玉名市 is the region's 中心市
    # (planning manages it), 伊勢原市 a member (planning_other reports for it), 玉名市's
    # other staff read. Outsiders (404) are in tests/regions/test_region_permissions.py.
    Row("regions (mine)", "get", "regions:index", D,
         "200     200     200     200     200      200   200    login",
        with_pk=False),
    Row("region page", "get", "regions:detail", D,
         "200     200     200     200     200      200   200    login",
        url_args=region_args("region")),
    Row("region: add a member (form)", "get", "regions:add", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "=member")),
    Row("region: edit a member (form)", "get", "regions:edit", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "=member", "membership")),
    Row("region: edit an initiative (form)", "get", "regions:edit", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "=initiative", "initiative")),
    Row("region: edit a KPI (form)", "get", "regions:edit", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "=kpi", "kpi")),
    Row("round: open (2024)", "post", "regions:round_open", D,
         "403     403     403     403     302      403   403    302",
        {"fiscal_year": "2024", "version": "1"}, url_args=region_args("region")),
    Row("round page", "get", "regions:round", D,
         "200     200     200     200     200      200   200    login",
        url_args=region_args("region", "round")),
    Row("round: a member's report (form)", "get", "regions:round_report", D,
         "403     403     403     403     200      200   403    login",
        url_args=region_args("region", "round")),
    Row("round: KPI actuals", "post", "regions:round_kpis", D,
         "403     403     403     403     302      403   403    302",
        url_args=region_args("region", "round")),
    Row("round: 懇談会 comment", "post", "regions:round_meeting", D,
         "403     403     403     403     302      403   403    302",
        {"meeting_comment": "意見"}, url_args=region_args("region", "round")),
    Row("round: collect", "post", "regions:round_step", D,
         "403     403     403     403     302      403   403    302",
        {"version": "1"}, url_args=region_args("region", "round", "=collect")),
    Row("round: remind", "post", "regions:round_remind", D,
         "403     403     403     403     302      403   403    302",
        url_args=region_args("region", "round")),
    Row("round: step GET", "get", "regions:round_step", D,
         "405     405     405     405     405      405   405    405",
        url_args=region_args("region", "round", "=collect")),
    Row("懇談会 report: start", "post", "region_reports:new", D,
         "403     403     403     403     302      403   403    302",
        {"kind": "pdf"}, url_args=region_args("region", "round")),
    Row("懇談会 report: job", "get", "region_reports:job", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "job")),
    Row("懇談会 report: status", "get", "region_reports:status", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "job")),
    Row("懇談会 report: download", "get", "region_reports:download", D,
         "403     403     403     403     200      403   403    login",
        url_args=region_args("region", "job")),
]
# fmt: on

CELLS = [pytest.param(row, user, id=f"{row.name}-{user}") for row in ROWS for user in USERS]


@pytest.mark.parametrize(("row", "username"), CELLS)
def test_permission_matrix(client, world, row, username):
    sheet = advance(world, row.state)
    if username != "anonymous":
        client.force_login(world["users"][username])
    if row.url_args:
        args = row.url_args(world, sheet)
    else:
        args = [sheet.pk] if row.with_pk else []
    url = reverse(row.url_name, args=args)
    before = snapshot(sheet)

    response = getattr(client, row.method)(url, row.data)

    cell = row.expected[username]
    sheet_url = reverse("sheet_detail", args=[sheet.pk])
    if cell == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
        if row.method == "post":  # after logging in, back to the sheet, not to a POST-only URL
            assert response["Location"] == reverse("login") + "?next=" + sheet_url
    elif cell in (DONE, REFUSED):
        assert response.status_code == 302
        assert response["Location"] == sheet_url
    else:
        assert response.status_code == cell
    if cell == DONE:
        after = EvaluationSheet.objects.get(pk=sheet.pk)
        assert after.state == row.to_state
        assert snapshot(sheet) == (row.to_state, before[1] + 1, before[2] + 1)
    else:
        assert snapshot(sheet) == before


def test_every_route_has_a_row():
    """A new URL of the sheets area without a row in the matrix fails here."""
    from evalsheets import urls

    named = {
        p.name
        for p in urls.urlpatterns
        if getattr(p, "name", None) and p.name not in ("login", "logout")
    }
    assert named <= {row.url_name for row in ROWS}


def test_every_region_route_has_a_row():
    """The same for the region pages (included under /regions/ and /public/regions/)."""
    from evalsheets.regions_report import urls as report_urls
    from regions import urls as region_urls

    named = {f"regions:{p.name}" for p in region_urls.urlpatterns}
    named |= {f"region_reports:{p.name}" for p in report_urls.urlpatterns}
    named |= {"public:region_list", "public:region_detail"}
    assert named <= {row.url_name for row in ROWS}
