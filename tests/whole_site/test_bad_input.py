"""Bad input on every form and every URL: a field error or a 4xx, never a 500, never a change.

Completes tests/entry/test_entry_bad_input.py (the three entry forms, field by field) and
tests/workflow/test_workflow_views.py (workflow texts) with what they leave out: the new-fiscal-year
form, NUL characters and out-of-range numbers (which PostgreSQL refuses loudly), list and
public filters with garbage parameters, the login form, and a walk over every URL of the
project with garbage path arguments for every role.

"Nothing changed" is checked on the whole database (every row of every model of the
project, users without ``last_login``), not on one sheet.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from evalsheets.models import AverageSalary, EvaluationSheet
from tests.conftest import publish
from tests.support.crawl import all_routes
from tests.support.entry import post_data, read_form
from tests.support.workflow import advance

PROJECT_APPS = ("evalsheets", "municipalities", "regions", "auth")
NUL = "\x00"
HUGE = "9" * 30
ROLES = ("staff_a", "staff_b", "chief_a", "chief_b", "planning", "planning_other", "viewer")


def fingerprint() -> dict:
    """Every stored row of the project's models (users without last_login)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (model is get_user_model() and f.name == "last_login")
        ]
        state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def clients(world, *, anonymous=True, superuser=True) -> dict:
    result = {name: logged_in(world["users"][name]) for name in ROLES}
    if anonymous:
        result["anonymous"] = logged_in(None)
    if superuser:
        admin = get_user_model().objects.create_superuser("root", "root@example.jp", "pw-root")
        result["superuser"] = logged_in(admin)
    return result


# ------------------------------------------------------------------ new fiscal year

YEAR_FORM_URL = "/years/new/"
GOOD_YEAR = {"fiscal_year": "令和6年度", "staff_salary": "5,500", "part_time_salary": "1,300"}


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("staff_salary", "五千", "数値で入力してください"),
        ("staff_salary", "abc", "数値で入力してください"),
        ("staff_salary", "-1", "0以上の金額を入力してください"),
        ("staff_salary", "－５，０００", "0以上の金額を入力してください"),
        ("staff_salary", "12.5", "整数で入力してください"),
        ("staff_salary", HUGE, "0以上100,000千円以下の整数"),
        ("staff_salary", "１００，００１", "0以上100,000千円以下の整数"),
        ("staff_salary", "1e9", "数値で入力してください"),
        ("staff_salary", "NaN", "数値で入力してください"),
        ("staff_salary", NUL, "使用できない文字（NUL 文字）が含まれています"),
        ("staff_salary", "", "金額を入力してください"),
        ("staff_salary", "1" * 41, "40文字以内で入力してください（現在41文字）"),
        ("fiscal_year", "令" * 21, "20文字以内で入力してください"),
        ("part_time_salary", "Infinity", "数値で入力してください"),
        ("part_time_salary", "△100", "0以上の金額を入力してください"),  # △ is a minus
        ("part_time_salary", "-0.5", "整数で入力してください"),
        ("fiscal_year", "来年", "年度は「令和5年度」「R05」「2023」のように入力してください"),
        ("fiscal_year", "99999", "年度は「令和5年度」"),
        ("fiscal_year", "令和100年度", "年度は「令和5年度」"),
        ("fiscal_year", "平成99年度", "年度の数字が正しくありません"),
        ("fiscal_year", "令和0年度", "年度の数字が正しくありません"),
        ("fiscal_year", "R99", "年度が正しくありません"),  # 2117: past the last year
        ("fiscal_year", "昭和50年度", "年度が正しくありません"),  # before 平成元年度
        ("fiscal_year", "令和4年度", "それより前の年度は開始できません"),
        ("fiscal_year", NUL, "使用できない文字（NUL 文字）"),
        ("fiscal_year", "", "年度を入力してください"),
        ("part_time_salary", "", "金額を入力してください"),
    ],
)
def test_new_fiscal_year_form_refuses_bad_input(world, field, typed, message):
    client = logged_in(world["users"]["planning"])
    # 令和5年度 exists, so 令和4年度 is "before the latest".
    assert world["sheets"]["a"].fiscal_year == 2023
    before = fingerprint()
    response = client.post(YEAR_FORM_URL, {**GOOD_YEAR, field: typed})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    body = response.content.decode()
    assert message in body.split(f'name="{field}"', 1)[1][:600]  # next to the field
    if typed and NUL not in typed:
        assert f'value="{typed}"' in body  # kept as typed
    assert fingerprint() == before


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"fiscal_year": ["2024", "来年"], "staff_salary": ["1", "x"], "part_time_salary": "1"},
        {"fiscal_year": "2024", "staff_salary": "1", "part_time_salary": NUL, "extra": NUL},
    ],
    ids=["empty", "repeated-fields", "nul"],
)
def test_new_fiscal_year_odd_bodies(world, data):
    client = logged_in(world["users"]["planning"])
    before = fingerprint()
    response = client.post(YEAR_FORM_URL, data)
    assert response.status_code == 200  # the form again, with its errors
    assert response.context["form"].errors
    assert fingerprint() == before


def test_forged_new_fiscal_year_for_another_municipality_changes_only_ones_own(world):
    """planning_other (伊勢原) posts the form naming 玉名: only 伊勢原 gets a new year."""
    town, other = world["town"], world["other"]
    client = logged_in(world["users"]["planning_other"])
    town_sheets = list(EvaluationSheet.objects.filter(project__municipality=town).values())
    response = client.post(
        YEAR_FORM_URL,
        {**GOOD_YEAR, "municipality": town.pk, "municipality_id": town.pk, "code": town.code},
    )
    assert response.status_code == 302
    assert list(EvaluationSheet.objects.filter(project__municipality=town).values()) == town_sheets
    assert not AverageSalary.objects.filter(municipality=town, fiscal_year=2024).exists()
    assert EvaluationSheet.objects.filter(project__municipality=other, fiscal_year=2024).exists()


@pytest.mark.parametrize("role", ["staff_a", "chief_a", "viewer", "anonymous"])
def test_new_fiscal_year_by_other_roles_changes_nothing(world, role):
    client = logged_in(world["users"].get(role))
    before = fingerprint()
    response = client.post(YEAR_FORM_URL, GOOD_YEAR)
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert fingerprint() == before


# ------------------------------------------------------------------ workflow texts

# (state of 課 A's sheet, who acts, action, text field, typed text, message)
WORKFLOW_BAD = [
    ("draft", "staff_a", "submit", "comment", "長" * 2001, "2000文字以内"),
    ("draft", "staff_a", "submit", "comment", f"a{NUL}b", "使用できない文字"),
    ("submitted", "chief_a", "return", "reason", "", "差戻しの理由を入力してください"),
    ("submitted", "chief_a", "return", "reason", " \n\u3000 ", "差戻しの理由を入力してください"),
    ("submitted", "chief_a", "return", "reason", "理" * 2001, "2000文字以内"),
    ("submitted", "chief_a", "approve", "remarks", "", "所見を入力してください"),
    ("submitted", "chief_a", "approve", "remarks", NUL, "使用できない文字"),
    ("submitted", "chief_a", "approve", "remarks", "所" * 5000, "2000文字以内"),
    ("approved", "planning", "confirm", "comment", "確" * 2001, "2000文字以内"),
    ("confirmed", "planning", "publish", "comment", f"{NUL}", "使用できない文字"),
    ("published", "planning", "reopen", "reason", "", "再開の理由を入力してください"),
]


@pytest.mark.parametrize(("state", "who", "action", "field", "typed", "message"), WORKFLOW_BAD)
def test_workflow_text_errors_change_nothing(world, state, who, action, field, typed, message):
    sheet = advance(world, state)
    client = logged_in(world["users"][who])
    before = fingerprint()
    response = client.post(
        f"/sheets/{sheet.pk}/{action}/",
        # forged extras are ignored whatever they say
        {field: typed, "state": "published", "version": "99", "approved_by": "1"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert fingerprint() == before


def test_forged_extras_on_a_valid_transition_are_ignored(world):
    sheet = world["sheets"]["a"]
    client = logged_in(world["users"]["staff_a"])
    response = client.post(
        f"/sheets/{sheet.pk}/submit/",
        {"comment": "提出します", "state": "published", "version": "99", "published_at": "x"},
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version, sheet.published_at) == ("submitted", 2, None)


# ------------------------------------------------------------------ entry forms (gaps)

ENTRY_BAD = [
    ("cost-settled-2022-general_revenue", "－１００", "0以上で入力してください"),
    ("cost-settled-2022-general_revenue", HUGE, "以下で入力してください"),
    ("cost-settled-2022-national_subsidy", NUL, "数値で入力してください"),
    ("effort-2022-staff_fte", "99.999", "小数点以下"),
    ("effort-2022-staff_fte", "１００．００", "人工は99.99以下"),
    ("effort-2022-staff_fte", "-0.01", "0以上で入力してください"),
    ("out-0-target_2023", HUGE, "以下で入力してください"),
    ("sheet-intent", f"意図{NUL}", "使用できない文字（NUL 文字）"),
    ("sheet-background", "背" * 2001, "2000文字以内"),
    ("sub-0-means", "手" * 2001, "2000文字以内"),
    ("out-0-method", "計" * 301, "300文字以内"),
    ("out-0-name", "名" * 201, "200文字以内"),
    ("vp-choice_20-1", NUL, "選択肢から選んでください"),
]


@pytest.mark.parametrize(("name", "typed", "message"), ENTRY_BAD)
def test_entry_form_gaps(demo_data, name, typed, message):
    from tests.support.entry import make_draft

    sheet = make_draft(EvaluationSheet.objects.get(project__code="741-2"))
    client = logged_in(get_user_model().objects.get(username="tamana-staff"))
    url = f"/sheets/{sheet.pk}/edit/"
    data, _kinds, _options = read_form(client.get(url).content)
    assert name in data
    before = fingerprint()
    data[name] = [typed]
    response = client.post(url, post_data(data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize(
    "version", ["", "abc", NUL, HUGE, "-1", "2", ["1", "2"]], ids=lambda v: repr(v)[:12]
)
def test_entry_form_bad_version_field(world, version):
    sheet = world["sheets"]["a"]
    client = logged_in(world["users"]["staff_a"])
    before = fingerprint()
    response = client.post(f"/sheets/{sheet.pk}/edit/", {"version": version, "sheet-intent": "x"})
    # No usable version: 400; a number that is not the sheet's version: the conflict page.
    assert response.status_code in (400, 409)
    assert fingerprint() == before


# ------------------------------------------------------------------ list and public filters

GARBAGE_QUERIES = [
    {"year": "99999999999999999999", "state": NUL, "q": NUL},
    {"section": HUGE, "department": "-1", "plan_node": "abc"},
    {"plan_node": HUGE, "section": "１", "sort": "password"},
    {"year": ["2023", "2024", "x"], "state": ["draft", "x"], "page": "-1"},
    {"page": HUGE, "sort": "-" * 50, "q": "x" * 10_000},
    {"q": "%_\\'\"<script>", "year": "令和5年度", "page": "0"},
]


@pytest.mark.parametrize("params", GARBAGE_QUERIES)
def test_sheet_list_and_export_with_garbage_params(world, params):
    for name, client in clients(world, superuser=False).items():
        before = fingerprint()
        for url in ("/sheets/", "/sheets/export.xlsx", "/"):
            response = client.get(url, params)
            expected = {
                "anonymous": {302},
                "planning": {200},
                "viewer": {200},
                "planning_other": {200},
            }.get(name, {200, 403} if url.endswith(".xlsx") else {200})
            assert response.status_code in expected, (name, url, response.status_code)
        assert fingerprint() == before


@pytest.mark.parametrize("params", GARBAGE_QUERIES)
def test_public_filters_with_garbage_params(demo_data, params):
    client = logged_in(None)
    before = fingerprint()
    for url in ("/public/432067/2023/", "/public/432067/2023/sheets.csv"):
        assert client.get(url, params).status_code == 200, url
    for url in ("/public/", "/public/432067/", "/public/regions/"):
        assert client.get(url, params).status_code == 200, url
    assert fingerprint() == before


# ------------------------------------------------------------------ login


@pytest.mark.parametrize(
    "data",
    [
        {"username": NUL, "password": NUL},
        {"username": "staff_a", "password": f"pw-staff_a{NUL}"},
        {"username": "x" * 10_000, "password": "y" * 10_000},
        {"username": ["staff_a", "planning"], "password": "pw-staff_a"},
        {"username": "' OR 1=1 --", "password": "' OR 1=1 --"},
        {"username": "staff_a"},
        {},
    ],
    ids=["nul", "nul-password", "huge", "list", "sql", "no-password", "empty"],
)
def test_login_with_garbage_logs_nobody_in(world, data):
    client = logged_in(None)
    before = fingerprint()
    response = client.post("/login/", data)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert fingerprint() == before
    assert client.get("/").status_code == 302


# ------------------------------------------------------------------ every URL, every role


# Garbage for each converter of a route: absent pks, out-of-range numbers, odd strings.
GARBAGE_ARGS = {
    "int": ["999999", "99999", "0", "9" * 25],
    "lgcode": ["999999", "000000"],
    "str": ["xx", "%00", "..%2F..", "9" * 25],
    "path": ["xx", "999999", "-1", "9" * 25, "%00"],
    "<id>": ["xx"],
}


def garbage_urls(route: str) -> list[str]:
    """The route with every argument replaced by each garbage value (one URL per value)."""
    import re

    if route.startswith("admin/^") or route.endswith("(?P<url>.*)$"):
        # Regex catch-alls of the admin: a garbage app label and a garbage path.
        return ["/admin/nosuchapp/", "/admin/nosuchapp/nosuchmodel/xx/change/"]
    parts = re.split(r"(<[^>]+>)", route)
    converters = [p[1:-1].split(":")[0] if ":" in p else "<id>" for p in parts[1::2]]
    if not converters:
        return ["/" + route]
    urls = []
    width = max(len(GARBAGE_ARGS[c]) for c in converters)
    for i in range(width):
        built = []
        for n, part in enumerate(parts):
            if n % 2:
                values = GARBAGE_ARGS[converters[n // 2]]
                built.append(values[i % len(values)])
            else:
                built.append(part)
        urls.append("/" + "".join(built))
    return urls


def test_walk_covers_the_project_routes():
    routes = all_routes()
    for route in ("sheets/<int:pk>/edit/", "years/new/", "public/<lgcode:code>/<int:year>/"):
        assert route in routes
    urls = garbage_urls("public/<lgcode:code>/<int:year>/<str:project_code>/")
    assert "/public/999999/999999/xx/" in urls


def test_every_url_with_garbage_arguments_is_a_4xx_for_every_role(world):
    """GET every route with absent or impossible arguments: 404/403 (or the login page for
    anonymous users and the admin), never a 500, never a 200 for a page of nothing."""
    publish(world["sheets"]["a"])  # so that the public pages of 玉名 exist at all
    everyone = clients(world)
    before = fingerprint()
    checked = 0
    for route in all_routes():
        has_args = "<" in route or route.startswith("admin/^") or "(?P<url>" in route
        if not has_args:
            continue
        for url in garbage_urls(route):
            for name, client in everyone.items():
                response = client.get(url)
                status = response.status_code
                if route.startswith("admin/"):
                    # The admin sends non-staff users to its login page and answers a
                    # superuser's missing object by going back to the list with a message.
                    ok = status == 302 or 400 <= status < 500
                elif name == "anonymous" and not route.startswith("public/"):
                    ok = status in (302, 404, 405)
                else:
                    ok = 400 <= status < 500
                assert ok, (url, name, status)
                checked += 1
    assert checked > 1000
    assert fingerprint() == before


def test_every_url_without_arguments_ignores_garbage_params(world):
    everyone = clients(world)
    before = fingerprint()
    params = {"year": "9" * 25, "pk": "xx", "page": "-1", "q": NUL, "o": "xx", "e": "1", "p": "x"}
    for route in all_routes():
        if "<" in route or "(?P<" in route or "^" in route:
            continue
        if route in ("logout/", "admin/logout/"):
            continue  # GET is not allowed (405) and would not log out anyway
        for name, client in everyone.items():
            response = client.get("/" + route, params)
            assert response.status_code < 500, (route, name, response.status_code)
    assert fingerprint() == before


def test_every_post_endpoint_with_garbage_pk_is_404_for_every_role(world):
    everyone = clients(world, superuser=False)
    before = fingerprint()
    for action in ("submit", "return", "approve", "confirm", "publish", "reopen", "edit"):
        for pk in ("999999", "9" * 25):
            for name, client in everyone.items():
                response = client.post(f"/sheets/{pk}/{action}/", {"reason": "x", "version": "1"})
                expected = 302 if name == "anonymous" else 404
                assert response.status_code == expected, (action, pk, name)
    assert fingerprint() == before
