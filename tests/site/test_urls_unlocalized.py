"""Numbers in URLs and form values are never localised.

With ``USE_THOUSAND_SEPARATOR`` a template that writes ``?year={{ year }}`` sends the
browser to ``?year=2,024``: the list answers 「2,024 は候補にありません」 and the year picker
never switches year. This test renders every page of the URL conf as every demo user and
as an anonymous visitor, follows the links it finds on them (query strings included), and
fails on any ``href``, ``action``, ``src``, ``formaction``, ``data-*`` attribute, hidden
input, option, checkbox, radio or button ``value`` holding a number written with a
thousands separator.

A text input a person reads and edits (an amount such as 「12,345」) may show separators:
the form parses them back (``core.normalize``). Every other value is read by a
program (the server, a script) and must be written plainly.

Ids start at 10,000 here (every table's sequence is moved before the demo data is loaded)
so that an id written into a URL by hand would show its separator too.
"""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, models
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from core.choices import ExportKind, ExportStatus
from evalsheets.models import EvaluationSheet, ExportJob
from evalsheets.workflow.years import open_fiscal_year
from municipalities.models import Municipality, StaffProfile
from regions.models import (
    Initiative,
    Membership,
    ProgressRound,
    Region,
    RegionKPI,
    ReportJob,
)
from regions.views import EDIT_KINDS

FIRST_ID = 10_000
# A digit, a separator, then a group of exactly three digits: 2,024 / 10,001 / ２，０２４.
LOCALISED = re.compile(r"[0-9０-９][,，][0-9０-９]{3}(?![0-9０-９])")
URL_ATTRIBUTES = {"href", "action", "src", "formaction", "srcset", "poster", "content"}
# Attributes that name or point to an element (an id written with a separator still works
# until a script or a fragment link spells it plainly).
ID_ATTRIBUTES = {"id", "for", "name", "headers", "list", "form"}
# Elements whose value, min and max are read by the browser as numbers.
NUMERIC_ELEMENTS = {"progress", "meter"}
PROGRAM_INPUTS = {"hidden", "checkbox", "radio", "submit", "button", "reset", "image"}
MAX_PAGES = 300  # per user
# Links found on the pages are followed up to this many times per URL name and set of query
# keys (one sheet page, one sorted list stands for the others); the start URLs all are.
PER_SHAPE = 3

# Every named URL of the application is rendered: one without arguments as it is, one with
# arguments with those of FILLERS; a URL that takes arguments and is in neither fails.
SKIPPED = {
    "logout": "POST only",
    "sheet_submit": "POST only",
    "sheet_return": "POST only",
    "sheet_approve": "POST only",
    "sheet_confirm": "POST only",
    "sheet_publish": "POST only",
    "sheet_reopen": "POST only",
}
# Responses that are not HTML: fetched (no 5xx), not parsed.
NOT_HTML = ("application/pdf", "application/vnd.openxml", "text/csv", "application/zip")

USERNAMES = [
    "tamana-staff",
    "tamana-chief",
    "tamana-planning",
    "tamana-viewer",
    "isehara-staff",
    "isehara-chief",
    "isehara-planning",
    "isehara-viewer",
    "hitoyoshi-staff",
    "hitoyoshi-chief",
    "hitoyoshi-staff2",
    "hitoyoshi-chief2",
    "hitoyoshi-planning",
    "hitoyoshi-viewer",
    "admin",
    None,  # anonymous
]


def start_ids_at(first_id):
    """Move every table's id sequence so that the next row gets ``first_id`` or more."""
    with connection.cursor() as cursor:
        for model in apps.get_models():
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField) or model._meta.proxy:
                continue
            table = model._meta.db_table
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first_id]
                )
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [connection.ops.quote_name(table), pk.column, first_id],
                )


@pytest.fixture
def site(db):
    """The demo data (ids from 10,000), a new year opened in each municipality (drafts
    copied from the demo sheets) and a finished export per municipality."""
    from evalsheets import demo

    start_ids_at(FIRST_ID)
    demo.load_all()
    assert EvaluationSheet.objects.order_by("pk").first().pk > FIRST_ID
    planners = {
        p.municipality_id: p.user
        for p in StaffProfile.objects.filter(role="planning").select_related("user")
    }
    for town in Municipality.objects.filter(pk__in=planners):
        latest = (
            EvaluationSheet.objects.filter(project__municipality=town)
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .first()
        )
        if latest is None:
            continue
        open_fiscal_year(
            planners[town.pk], town, latest + 1, staff_salary=5451, part_time_salary=1291
        )
        job = ExportJob(
            municipality=town,
            requested_by=planners[town.pk],
            kind=ExportKind.ZIP,
            parameters={"year": latest},
            status=ExportStatus.DONE,
            total=1,
            done=1,
            result_name="export.zip",
        )
        job.result.save(f"{town.code}/urls.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), False)
        job.save()
    # A sheet saved ten thousand times: its version travels in a hidden input.
    EvaluationSheet.objects.filter(state="draft").update(version=FIRST_ID + 1)


def _sheets():
    """One sheet per municipality, year and state (the others render alike)."""
    seen, chosen = set(), []
    for sheet in EvaluationSheet.objects.select_related("project__municipality").order_by(
        "project__municipality__code", "fiscal_year", "project__code"
    ):
        key = (sheet.project.municipality_id, sheet.fiscal_year, sheet.state)
        if key not in seen:
            seen.add(key)
            chosen.append(sheet)
    return chosen


def _public_sheet_args():
    return [
        (s.project.municipality.code, s.fiscal_year, s.project.code)
        for s in _sheets()
        if s.state == "published"
    ]


def _municipality_years():
    return sorted({(s.project.municipality.code, s.fiscal_year) for s in _sheets()})


def _sheet_pks():
    return [(s.pk,) for s in _sheets()]


FILLERS = {
    "sheet_diff": _sheet_pks,
    "sheet_detail": _sheet_pks,
    "sheet_pdf": lambda: [],  # PDFs are not HTML; their rendering is tested elsewhere
    "sheet_edit": _sheet_pks,
    "sheet_workbook": lambda: [],  # an .xlsx; tests/workbook reads it
    "sheet_workbook_import": _sheet_pks,
    "export_job": lambda: [(j.pk,) for j in ExportJob.objects.all()],
    "export_job_status": lambda: [(j.pk,) for j in ExportJob.objects.all()],
    "export_job_download": lambda: [],  # a ZIP
    "public:region_detail": lambda: [(r.pk,) for r in Region.objects.all()],
    "public:municipality": lambda: [(m.code,) for m in Municipality.objects.all()],
    "public:year": _municipality_years,
    "public:year_csv": lambda: [],  # CSV
    "public:sheet": _public_sheet_args,
    "public:sheet_pdf": lambda: [],  # PDF
    # Regions at work: every region, its rounds, its things to edit, its report jobs.
    "regions:detail": lambda: [(r.pk,) for r in Region.objects.all()],
    "regions:round": lambda: [(r.region_id, r.pk) for r in ProgressRound.objects.all()],
    "regions:round_report": lambda: [(r.region_id, r.pk) for r in ProgressRound.objects.all()],
    "regions:add": lambda: [(r.pk, kind) for r in Region.objects.all() for kind in EDIT_KINDS],
    "regions:edit": lambda: [
        *((m.region_id, "member", m.pk) for m in Membership.objects.all()),
        *((k.region_id, "kpi", k.pk) for k in RegionKPI.objects.all()),
        *(
            (i.policy_area.vision.region_id, "initiative", i.pk)
            for i in Initiative.objects.select_related("policy_area__vision")
        ),
    ],
    "regions:round_open": lambda: [],  # POST only
    "regions:round_kpis": lambda: [],  # POST only
    "regions:round_meeting": lambda: [],  # POST only
    "regions:round_remind": lambda: [],  # POST only
    "regions:round_step": lambda: [],  # POST only
    "region_reports:new": lambda: [],  # POST only
    "region_reports:job": lambda: [(j.round.region_id, j.pk) for j in ReportJob.objects.all()],
    "region_reports:status": lambda: [(j.round.region_id, j.pk) for j in ReportJob.objects.all()],
    "region_reports:download": lambda: [],  # a PDF or .xlsx
}


def named_patterns(patterns=None, namespace=""):
    """(name, takes arguments) of every named URL pattern of the application (the admin's
    own pages excepted)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", bool(entry.pattern.regex.groups)


def start_urls():
    from django.urls import reverse

    urls = []
    for name, takes_arguments in named_patterns():
        if name in SKIPPED:
            continue
        filler = FILLERS[name] if takes_arguments else (lambda: [()])
        for args in filler():
            urls.append(reverse(name, args=args))
    return urls


class _Values(HTMLParser):
    """Collects (where, value) of every attribute a program reads, and the page's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._select_open = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value is None:
                continue
            if (
                name in URL_ATTRIBUTES
                or name in ID_ATTRIBUTES
                or name.startswith(("data-", "aria-labelledby", "aria-describedby"))
                or name == "aria-controls"
                or (tag in NUMERIC_ELEMENTS and name in ("value", "min", "max"))
            ):
                self.values.append((f"<{tag} {name}>", value))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        value = attrs.get("value")
        if value is None or tag in NUMERIC_ELEMENTS:
            return
        kind = (attrs.get("type") or "text").lower()
        if tag == "option" or tag == "button" or (tag == "input" and kind in PROGRAM_INPUTS):
            self.values.append((f"<{tag} type={kind} name={attrs.get('name')} value>", value))


def localised_values(html: str) -> tuple[list[str], list[str]]:
    parser = _Values()
    parser.feed(html)
    problems = [
        f"{where}={value!r}"
        for where, value in parser.values
        if LOCALISED.search(value) or LOCALISED.search(unquote(value))
    ]
    return problems, parser.links


def _is_followed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return False
    path = parts.path
    if path.startswith(("/admin/", "/static/", "/media/", "/logout/")):
        return False
    return not path.endswith((".xlsx", ".csv", "/pdf/", "/download/"))


def _shape(url: str):
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))


def crawl(client, urls) -> tuple[int, list[str]]:
    """Fetch ``urls`` and the same-site links found on them; return pages seen, problems."""
    queue = deque(urls)
    seen = set(urls)
    shapes = Counter()
    problems = []
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        pages += 1
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        found, links = localised_values(response.content.decode())
        problems.extend(f"{url}: {p}" for p in found)
        for link in links:
            absolute = urljoin(url, link).split("#")[0]
            if absolute and absolute not in seen and _is_followed(absolute):
                seen.add(absolute)
                shape = _shape(absolute)
                if shapes[shape] < PER_SHAPE:
                    shapes[shape] += 1
                    queue.append(absolute)
    return pages, problems


def test_every_named_url_is_rendered_or_skipped_with_a_reason():
    patterns = dict(named_patterns())
    with_arguments = {name for name, takes in patterns.items() if takes}
    assert with_arguments - set(FILLERS) - set(SKIPPED) == set(), "add the new URL to FILLERS"
    assert set(FILLERS) | set(SKIPPED) <= set(patterns), "a URL in FILLERS/SKIPPED is gone"


def test_the_detector_sees_a_localised_year_and_not_a_plain_one():
    html = (
        '<a href="/sheets/?year=2,024">x</a><a href="/sheets/?year=2%2C024">x</a>'
        '<select name="year"><option value="2,023">R5</option></select>'
        '<input type="hidden" name="id" value="10,012"><span data-year="2,024"></span>'
        '<a href="/sheets/?year=2024&amp;section=10012">ok</a><h2 id="vision-10,001">x</h2>'
        '<progress max="1,200" value="1,000"></progress><button value="1,000">x</button>'
        '<input type="text" name="amount" value="4,385"><p>2,024 件</p>'
    )
    problems, links = localised_values(html)
    assert len(problems) == 9
    assert "/sheets/?year=2024&section=10012" in links


@pytest.mark.parametrize("username", USERNAMES, ids=lambda u: u or "anonymous")
def test_no_page_holds_a_localised_number_in_a_url_or_value(site, client, username):
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    pages, problems = crawl(client, start_urls())
    assert pages > 5
    assert pages < MAX_PAGES, "the crawl did not finish: raise MAX_PAGES or narrow it"
    assert problems == [], "\n".join(sorted(set(problems))[:40])
