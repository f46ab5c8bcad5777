"""Property tests of every text and number field of the three entry forms.

A text typed into any text field is either refused with a message next to the field
(too long, NUL) or kept as typed; in both cases every page that shows the sheet — the
sheet page with its history, the diff, the list, the public pages, the PDF and every
export — answers without a 5xx, shows the text literally, and no
export cell is a formula. A number is accepted at and just inside its bounds and refused
just beyond them, and the pages keep working either way.

The fields are not listed here: they are read from the entry form as a browser sees it,
so a field added to a 様式 is covered without a new test. How long the pages take is
measured by bench/bench_pages.py, not asserted here.
"""

import csv
import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evalsheets.entry.bundle import SheetEntry
from evalsheets.models import EvaluationSheet
from tests.support.entry import DEMO_SHEETS, post_data, read_form, user

FORMS = tuple(DEMO_SHEETS)
PAYLOADS = [
    "Infinity",
    "-Infinity",
    "sNaN",
    "NaN",
    "1e5000",
    "1e1000000",
    "-999999999999999999999",
    "9" * 5000,
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "=cmd|' /C calc'!A0",
    "\u202etxt.exe",  # right-to-left override
    "مرحبا بالعالم",
    "𠮷野家🍣",  # outside the BMP: surrogate pairs in UTF-16
    "a\x00b",
    "<script>alert(1)</script>",
    "{{ 7|add:1 }}{% now 'Y' %}",
    "１，０００千円",
    "長" * 2000,
    "長" * 2001,
]
text_values = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.integers(0, 5000).map(lambda n: "9" * n + "e" + str(n)),
    st.integers(1990, 2010).map(lambda n: "あ" * n),
)


@pytest.fixture
def sheets(demo_data):
    return {
        form: EvaluationSheet.objects.get(project__code=code)
        for form, (code, *_users) in DEMO_SHEETS.items()
    }


def set_state(sheet, state):
    fields = {"state": state}
    if state == "draft":
        fields.update(approved_at=None, approved_by=None, published_at=None)
    else:
        fields.update(approved_at=timezone.now(), published_at=timezone.now())
    EvaluationSheet.objects.filter(pk=sheet.pk).update(**fields)


def clients(form):
    _code, staff, chief, viewer = DEMO_SHEETS[form]
    result = {}
    for name in (staff, chief, viewer):
        client = Client(raise_request_exception=False)
        client.force_login(user(name))
        result[name] = client
    result["anonymous"] = Client(raise_request_exception=False)
    return result


def form_fields(sheet):
    """{input name: Django form field} of the sheet's entry form."""
    entry = SheetEntry(EvaluationSheet.objects.get(pk=sheet.pk))
    forms = [form for _n, form in entry.plain_forms()]
    for _n, formset in entry.formsets():
        forms.extend(formset.forms)
    return {form[name].html_name: field for form in forms for name, field in form.fields.items()}


def edit(sheet, staff, changes: dict):
    """Post the entry form as shown, with ``changes``; (response, data posted)."""
    set_state(sheet, "draft")
    url = f"/sheets/{sheet.pk}/edit/"
    data, _kinds, _options = read_form(staff.get(url).content)
    for name, value in changes.items():
        assert name in data, name
        data[name] = [value]
    return staff.post(url, post_data(data)), data


def get(client, url):
    # How long a page takes with such text is measured in bench/, not here: a time limit
    # in a test fails whenever the machine is busy.
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    return response


def assert_no_formula(response, url):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if url.split("?")[0].endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(body))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (url, sheet.title, cell.coordinate, cell.value)
    else:
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            for value in row:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (url, value)


def every_page(sheet, who):
    """Every page that shows the sheet, as the people who see it; the HTML pages' text."""
    sheet = EvaluationSheet.objects.select_related("project__municipality").get(pk=sheet.pk)
    staff, chief, viewer, anonymous = who.values()
    town, year, code = sheet.project.municipality.code, sheet.fiscal_year, sheet.project.code
    own = f"/sheets/{sheet.pk}/"
    public = f"/public/{town}/{year}/"
    shown = []
    for client, url in (
        (staff, own),
        (chief, own),
        (viewer, own),
        (staff, own + "?history=1"),
        (chief, f"/sheets/{sheet.pk}/diff/"),
        (viewer, f"/sheets/?year={year}"),
        (anonymous, public),
        (anonymous, public + f"{code}/"),
    ):
        response = get(client, url)
        assert response.status_code == 200, (url, response.status_code)
        shown.append(html.unescape(response.content.decode()))
    for client, url in (
        (staff, f"/sheets/{sheet.pk}/pdf/"),
        (anonymous, public + f"{code}/pdf/"),
    ):
        response = get(client, url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content)
        assert body.startswith(b"%PDF"), url
    for client, url in (
        (viewer, f"/sheets/export.xlsx?year={year}"),
        (anonymous, public + "sheets.csv"),
    ):
        response = get(client, url)
        assert response.status_code == 200, url
        assert_no_formula(response, url)
    return shown


def warm_up(sheet, who):
    """Load the fonts and templates once, before the requests (a first PDF of a
    process loads the IPAex fonts)."""
    staff = next(iter(who.values()))
    staff.get(f"/sheets/{sheet.pk}/pdf/")


def open_draft(sheets, form):
    """The form's demo sheet as a draft, its people, and its 担当者's client."""
    sheet = sheets[form]
    who = clients(form)
    set_state(sheet, "draft")
    return sheet, who, who[DEMO_SHEETS[form][1]]


# Few examples each (every one renders two PDFs), the same ones on every run.
EXAMPLES = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def text_fields(sheet, staff):
    _data, kinds, _options = read_form(staff.get(f"/sheets/{sheet.pk}/edit/").content)
    return sorted(name for name, kind in kinds.items() if kind in ("text", "textarea"))


@pytest.mark.parametrize("form", FORMS)
def test_any_text_in_any_text_field_is_kept_or_refused_and_every_page_shows_it(sheets, form):
    sheet, who, staff = open_draft(sheets, form)
    names = text_fields(sheet, staff)
    assert len(names) >= 8, names
    warm_up(sheet, who)

    @settings(EXAMPLES, max_examples=10)
    @given(name=st.sampled_from(names), text=text_values)
    @example(name=names[0], text="1e1000000")
    @example(name=names[-1], text="Infinity")
    @example(name=names[len(names) // 2], text='=HYPERLINK("http://x","y")')
    def check(name, text):
        response, _data = edit(sheet, staff, {name: text})
        assert response.status_code in (200, 302), response.status_code
        page = response.content.decode()
        refused = response.status_code == 200 and "赤枠の項目は保存されていません" in page
        if refused:
            # The message is next to the field (around it: the field holds what was typed).
            at = page.index(f'name="{name}"')
            near = page[max(0, at - 1500) : at + len(html.escape(text)) + 1500]
            assert "入力してください" in near or "使用できない文字" in near, name
        set_state(sheet, "published")
        shown = every_page(sheet, who)
        if not refused:
            stored_lines = [line for line in text.replace("\r\n", "\n").split("\n") if line]
            for line in stored_lines[:3]:
                assert any(line in page for page in shown[:3]), (name, line[:80])

    check()


# ---------------------------------------------------------------------------- numbers


def number_fields(sheet, staff):
    _data, kinds, _options = read_form(staff.get(f"/sheets/{sheet.pk}/edit/").content)
    fields = form_fields(sheet)
    return {name: fields[name] for name, kind in kinds.items() if kind == "num"}


def step(field):
    return Decimal("0.01") if getattr(field, "decimal", False) else 1


def typed(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@pytest.mark.parametrize("form", FORMS)
def test_every_number_field_has_both_bounds(sheets, form):
    sheet, _who, staff = open_draft(sheets, form)
    fields = number_fields(sheet, staff)
    assert len(fields) >= 10
    unbounded = [n for n, f in fields.items() if f.min_value is None or f.max_value is None]
    assert not unbounded, unbounded


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("end", ["min", "max"])
def test_every_number_field_refuses_just_beyond_its_bound(sheets, form, end):
    """All number fields at once, each one step beyond its bound: each refused with its
    message, nothing of them saved, and every page still works."""
    sheet, who, staff = open_draft(sheets, form)
    fields = number_fields(sheet, staff)
    warm_up(sheet, who)
    beyond = {}
    for name, field in fields.items():
        bound = field.min_value if end == "min" else field.max_value
        beyond[name] = typed(bound - step(field) if end == "min" else bound + step(field))
    before = {
        n: v
        for n, v in read_form(staff.get(f"/sheets/{sheet.pk}/edit/").content)[0].items()
        if n in fields
    }
    response, _data = edit(sheet, staff, beyond)
    assert response.status_code == 200
    page = response.content.decode()
    message = "以上で入力してください" if end == "min" else "以下で入力してください"
    for name in fields:
        assert message in page.split(f'name="{name}"', 1)[1][:600], name
    after = read_form(staff.get(f"/sheets/{sheet.pk}/edit/").content)[0]
    assert {n: after[n] for n in fields} == before
    set_state(sheet, "published")
    every_page(sheet, who)


@pytest.mark.parametrize("form", FORMS)
def test_numbers_at_and_inside_their_bounds_are_kept_and_every_page_works(sheets, form):
    sheet, who, staff = open_draft(sheets, form)
    fields = number_fields(sheet, staff)
    warm_up(sheet, who)

    @settings(EXAMPLES, max_examples=8)
    @given(
        name=st.sampled_from(sorted(fields)), where=st.sampled_from(["min", "min+", "max-", "max"])
    )
    def check(name, where):
        field = fields[name]
        value = {
            "min": field.min_value,
            "min+": field.min_value + step(field),
            "max-": field.max_value - step(field),
            "max": field.max_value,
        }[where]
        response, _data = edit(sheet, staff, {name: typed(value)})
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            # Another rule of the form (a total that must add up) may refuse it: with its
            # message next to the field, never a bound message.
            field_html = response.content.decode().split(f'name="{name}"', 1)[1][:600]
            assert "以上で入力してください" not in field_html, (name, value)
            assert "以下で入力してください" not in field_html, (name, value)
        else:
            shown = read_form(staff.get(f"/sheets/{sheet.pk}/edit/").content)[0][name]
            parsed = field.clean(shown[0]) if shown and shown[0] else None
            assert parsed == value, (name, value, shown)
        set_state(sheet, "published")
        every_page(sheet, who)

    check()
