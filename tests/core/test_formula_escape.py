"""No text the project exports is ever a spreadsheet formula (issue 11, finding 3).

Every export is opened again: the sheet list (/sheets/export.xlsx, both worksheets), the
public CSV and every django-import-export admin export — generated from the admin
registry (every registered admin with an export × every resource × every format it
offers), so a new resource or format is covered without a new test.

Files a spreadsheet program opens as text (CSV, TSV, HTML) carry dangerous text with a
leading apostrophe; in .xlsx the cell is a string cell with Excel's quote prefix (the
shown text is the text itself); JSON and YAML are typed data and carry it unchanged.
"""

import csv
import html
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
import yaml
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from import_export.mixins import BaseExportMixin
from openpyxl import Workbook, load_workbook

from core import spreadsheet_safety as safety
from evalsheets.models import PROJECT_DETAIL_FIELDS, Project, Review
from municipalities.models import Department, Municipality, Plan, PlanNode, Section
from tests.conftest import publish

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
    " =1+1",  # leading spaces count: the first character after them decides
    "\u3000=1+1",
    "-5",  # a negative *text* is text
]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def dangerous(text: str) -> bool:
    return text.lstrip(" \u3000").startswith(DANGEROUS_START)


# --- the rule itself ------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_rule_escapes_every_payload(payload):
    assert safety.looks_like_formula(payload)
    assert safety.escape_text(payload) == "'" + payload
    assert safety.unescape_text("'" + payload) == payload


@pytest.mark.parametrize(
    "value",
    ["定住自立圏構想事業", "741-2", "", "'quoted", "a=1", "\n=1", None, 5, -5, Decimal("-1.5")],
)
def test_the_rule_leaves_everything_else_alone(value):
    assert not safety.looks_like_formula(value)
    assert safety.escape_text(value) == value


@pytest.mark.parametrize("number", [-5, -1.5, Decimal("-12.30"), 0])
def test_a_negative_number_stays_a_number_cell(number):
    ws = Workbook(write_only=True).create_sheet()
    assert safety.xlsx_cell(ws, number).data_type == "n"


# --- the sheet list export ---------------------------------------------------------------


def cells(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


def check_xlsx(content: bytes, payloads) -> None:
    """No formula cell; each payload is shown as it is, in a quote-prefixed string cell."""
    book = load_workbook(io.BytesIO(content))
    seen = {}
    for cell in cells(book):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            seen.setdefault(cell.value, cell)
            if dangerous(cell.value):
                assert cell.quotePrefix, (cell.coordinate, cell.value)
    for payload in payloads:
        # XML reads a bare CR as a line feed (XML 1.0, end-of-line handling), so a CR
        # comes back as LF: a line break either way, and text.
        shown = payload.replace("\r", "\n")
        assert shown in seen, payload
        assert seen[shown].data_type in ("s", "inlineStr"), payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sheet_list_export_writes_no_formula(client, world, payload):
    sheet = world["sheets"]["a"]
    project = sheet.project
    project.name = payload
    project.save()
    section = project.section
    section.name = payload + " 課"  # 所管課
    section.save()
    department = section.department
    department.name = payload + " 部"
    department.save()
    Review.objects.create(sheet=sheet, remarks=payload + " 所見")  # 課長所見
    client.force_login(world["users"]["planning"])
    response = client.get(reverse("sheet_list_xlsx"))
    assert response.status_code == 200
    content = b"".join(response)
    check_xlsx(content, [payload, payload + " 課", payload + " 部", payload + " 所見"])
    book = load_workbook(io.BytesIO(content))
    # Both worksheets: 事務事業名 is in each; the figures stay numbers.
    assert [ws.title for ws in book.worksheets] == ["評価シート", "事業費"]
    for ws in book.worksheets:
        names = [row[1].value for row in ws.iter_rows(min_row=2)]
        assert payload.replace("\r", "\n") in names, ws.title
    costs = book["事業費"]
    revenue = [row[10] for row in costs.iter_rows(min_row=2) if row[1].value in names]
    assert revenue and all(c.data_type == "n" and c.value == 355 for c in revenue)


# --- the public CSV --------------------------------------------------------------------


def check_delimited(text: str, payloads, delimiter=",") -> None:
    """Every field that starts with a dangerous character carries the apostrophe."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    fields = [field for row in rows for field in row]
    for field in fields:
        assert not dangerous(field), repr(field)
    for payload in payloads:
        assert "'" + payload in fields, payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_public_csv_writes_no_formula(client, world, payload):
    sheet = world["sheets"]["a"]
    plan = Plan.objects.create(
        municipality=world["town"], name="総合計画", start_year=2020, end_year=2029
    )
    node = PlanNode.objects.create(plan=plan, code="1", path="1", name=payload + " 施策")
    project = sheet.project
    project.name = payload
    project.plan_node = node
    project.save()
    project.section.name = payload + " 課"
    project.section.save()
    publish(sheet)
    response = client.get(f"/public/{world['town'].code}/{sheet.fiscal_year}/sheets.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    check_delimited(text, [payload, payload + " 課"])  # the 施策 column starts with its code
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[1][5] == "355" and rows[1][6] != ""  # the figures are not escaped


# --- every admin export -----------------------------------------------------------------


def export_admins():
    """(model, model admin) of every admin that offers an export (import-export's mixin)."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, BaseExportMixin)
    ]


def admin_export_cases():
    cases = []
    superuser_request = RequestFactory().get("/")
    superuser_request.user = get_user_model()(is_superuser=True, is_staff=True)
    for model, model_admin in export_admins():
        resources = model_admin.get_export_resource_classes(superuser_request)
        for r_index, resource in enumerate(resources):
            for f_index, fmt in enumerate(model_admin.get_export_formats()):
                cases.append(
                    pytest.param(
                        model,
                        r_index,
                        f_index,
                        id=f"{model._meta.label}-{resource.__name__}-{fmt().get_title()}",
                    )
                )
    return cases


def fill_master_data(world, payload: str) -> list[str]:
    """Put the payload into the text columns of the master data; the texts written."""
    texts = []

    def put(obj, name, suffix=""):
        limit = obj._meta.get_field(name).max_length
        value = (payload + suffix)[:limit] if limit else payload + suffix
        setattr(obj, name, value)
        texts.append(value)

    town = world["town"]
    put(town, "name", " 市")
    put(town, "prefecture", " 県")
    town.save()
    department = Department.objects.get(municipality=town, name="企画経営部")
    put(department, "name", " 部")
    put(department, "head_name", " 部長")
    department.save()
    section = world["sections"]["a"]
    put(section, "name", " 課")
    put(section, "chief_name", " 課長")
    section.save()
    plan = Plan.objects.create(municipality=town, name="総合計画", start_year=2020, end_year=2029)
    node = PlanNode(plan=plan, code="1", path="1")
    put(node, "name", " 施策")
    put(node, "description", " 説明")
    node.save()
    project = world["projects"]["a"]
    put(project, "name")
    for name in PROJECT_DETAIL_FIELDS:
        field = Project._meta.get_field(name)
        if name != "name" and field.get_internal_type() in ("CharField", "TextField"):
            if not field.choices:
                put(project, name, "x")
    project.save()
    return texts


def export_form_data(model_admin, request, r_index: int, f_index: int) -> dict:
    """The export form as a user sends it: the format, the resource, every column ticked."""
    form = model_admin.get_export_form_class()(
        model_admin.get_export_formats(), model_admin.get_export_resource_classes(request)
    )
    data = {"format": str(f_index), "resource": str(r_index)}
    for name, field in form.fields.items():
        if getattr(field, "is_selectable_field", False) and field.resource_index == r_index:
            data[name] = "on"
    return data


@pytest.mark.parametrize("model,r_index,f_index", admin_export_cases())
@pytest.mark.parametrize("payload", ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "-1+2"])
def test_every_admin_export_writes_no_formula(
    admin_client, world, model, r_index, f_index, payload
):
    texts = fill_master_data(world, payload)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="admin")
    fmt = model_admin.get_export_formats()[f_index]()
    title = fmt.get_title()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    response = admin_client.post(url, export_form_data(model_admin, request, r_index, f_index))
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response)
    assert content, title
    # The payload sits in each model's own text columns; check those present in the file.
    if title == "xlsx":
        book = load_workbook(io.BytesIO(content))
        values = {c.value for c in cells(book) if isinstance(c.value, str)}
        present = [t for t in texts if t in values]
        assert present, (title, sorted(values)[:20])
        check_xlsx(content, present)
    elif title in ("csv", "tsv"):
        text = content.decode("utf-8")
        rows = list(
            csv.reader(
                io.StringIO(text.lstrip("\ufeff"), newline=""),
                delimiter="," if title == "csv" else "\t",
            )
        )
        fields = {f for row in rows for f in row}
        present = [t for t in texts if "'" + t in fields]
        assert present, (title, sorted(fields)[:20])
        check_delimited(text, present, delimiter="," if title == "csv" else "\t")
    elif title == "html":
        text = html.unescape(content.decode("utf-8"))
        cells_text = re.findall(r"<td>(.*?)</td>", text, flags=re.S)
        assert cells_text
        for cell in cells_text:
            assert not dangerous(cell), repr(cell)
        assert any(c == "'" + t for c in cells_text for t in texts)
    elif title in ("json", "yaml"):
        # Typed data, opened by programs rather than spreadsheets: the text exactly.
        data = json.loads(content) if title == "json" else yaml.safe_load(content)
        values = {v for row in data for v in row.values() if isinstance(v, str)}
        assert any(t in values for t in texts), (title, values)
        assert not any(v.startswith("'") and dangerous(v[1:]) for v in values)
    else:  # a format added later: say which rule applies to it
        pytest.fail(f"no formula check for the export format {title!r}")


def test_every_admin_export_format_is_a_safe_one():
    """The admin offers only formats that apply the rule (a new one fails here first)."""
    for _model, model_admin in export_admins():
        for fmt in model_admin.get_export_formats():
            assert issubclass(fmt, safety.SafeFormat), fmt


def test_admin_csv_export_reimports_to_the_same_text(admin_client, world):
    """The apostrophe is the export's escape, not part of the text: importing the file
    back gives the text as it was."""
    texts = fill_master_data(world, "=1+1")
    model_admin = admin.site._registry[Section]
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="admin")
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    url = reverse("admin:municipalities_section_export")
    response = admin_client.post(url, export_form_data(model_admin, request, 0, csv_index))
    content = b"".join(response)
    assert "'=1+1 課".encode() in content
    import_formats = model_admin.get_import_formats()
    fmt = next(f for f in import_formats if f().get_title() == "csv")()
    dataset = fmt.create_dataset(content.decode("utf-8"))
    assert "=1+1 課" in dataset["name"]
    assert "=1+1 課" in texts
    Section.objects.filter(name="=1+1 課").update(name="old")
    result = model_admin.get_import_resource_classes(request)[0]().import_data(
        dataset, dry_run=False, raise_errors=True
    )
    assert not result.has_validation_errors()
    assert Section.objects.filter(name="=1+1 課").exists()
    assert Municipality.objects.filter(name="=1+1 市").exists()


# --- what a spreadsheet program makes of the files ----------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_no_formula(tmp_path, client, world):
    """LibreOffice Calc opens the sheet list export and the public CSV (converted headless):
    every payload comes out as the text itself (the CSV's with its apostrophe), none as
    the result of a formula."""
    sheet = world["sheets"]["a"]
    project = sheet.project
    project.name = '=HYPERLINK("http://x","y")'
    project.save()
    Review.objects.create(sheet=sheet, remarks="=1+1")
    client.force_login(world["users"]["planning"])
    (tmp_path / "list.xlsx").write_bytes(b"".join(client.get(reverse("sheet_list_xlsx"))))
    publish(sheet)
    csv_url = f"/public/{world['town'].code}/{sheet.fiscal_year}/sheets.csv"
    (tmp_path / "public.csv").write_bytes(client.get(csv_url).content)
    profile = (tmp_path / "profile").as_uri()
    for name, target, infilter in (
        ("list.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76", []),
        ("public.csv", "xlsx", ["--infilter=CSV:44,34,76"]),
    ):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                *infilter,
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path / "out"),
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    shown = (tmp_path / "out" / "list.csv").read_text(encoding="utf-8")
    row = next(r for r in csv.reader(io.StringIO(shown)) if r[0] == project.code)
    assert row[1] == '=HYPERLINK("http://x","y")' and row[9] == "=1+1"
    book = load_workbook(tmp_path / "out" / "public.xlsx")
    cells_ = [c for c in cells(book) if c.value is not None]
    assert not [c for c in cells_ if c.data_type == "f"]
    assert '\'=HYPERLINK("http://x","y")' in [c.value for c in cells_]
