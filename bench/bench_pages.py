"""Benchmark of the main pages on a large municipality (a script, not a test).

    # SQLite: a throwaway file (default: $TMPDIR/evalsheets-bench.sqlite3)
    python bench/bench_pages.py
    # PostgreSQL: a database of its own, never the one you work in
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/evalsheets_bench python bench/bench_pages.py

It migrates the database, generates (once; --regenerate to start again) a
municipality of 1,500 projects × 3 fiscal years with every child row filled —
細事業 with 活動指標 and their values, 成果指標 and values, cost rows, 人工,
assessment answers, 課長所見 — and measures with the Django test client, for a
担当者, a 課長 and a 企画課 user: the home page, a filtered list, the sheet page and
a save. It prints median and p95 server time (ms) and the number of queries of
each page. Targets: list and sheet pages ≤ 50 ms median, save ≤ 150 ms, query
counts that do not depend on the number of rows.

The save is the real one: a POST of the whole entry form to ``/sheets/<pk>/edit/``
through the test client (form validation, ``editing.save_sheet`` with its row lock and
version check, the audit entry, the redirect), each time changing the narrative, a
cost cell, 人工, an indicator value and an assessment reason, at the current version.

Safety: the script only ever works in a database that is empty or holds nothing but
its own data (the municipality 999997 and the bench-* users). It looks before it
migrates, and refuses (exit status 2) a database with any other municipality, any
other user or tables that are not this project's.
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BENCH_CODE = "999997"  # a valid 全国地方公共団体コード not used by any real municipality
PROJECTS = 1500
YEARS = (2022, 2023, 2024)
DEPARTMENTS = 6
SECTIONS_PER_DEPARTMENT = 5


def configure():
    os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'evalsheets-bench.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalsheets.settings")
    os.environ.setdefault("SECRET_KEY", "evalsheets-bench-only")
    os.environ["DEBUG"] = "0"
    os.environ["HTTPS"] = "0"  # the test client speaks plain HTTP
    # DEBUG=0 serves hashed static names from STATIC_ROOT's manifest: collect them there.
    os.environ.setdefault(
        "STATIC_ROOT", str(Path(tempfile.gettempdir()) / "evalsheets-bench-static")
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    refuse_foreign_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def refuse_foreign_database():
    """Exit unless the database is empty or holds only the benchmark's own data.

    Checked with plain SQL before ``migrate``: a database of somebody else's is neither
    migrated, filled nor flushed.
    """
    from django.db import connection

    tables = set(connection.introspection.table_names())
    if not tables:
        return  # a new, empty database
    ours = {"municipalities_municipality", "auth_user", "django_migrations"}
    reason = None
    if not ours <= tables:
        reason = f"it has tables but not this project's ({', '.join(sorted(tables)[:5])} …)"
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT code FROM municipalities_municipality WHERE code <> %s", [BENCH_CODE]
            )
            others = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT username FROM auth_user WHERE username NOT LIKE 'bench-%%'")
            users = [row[0] for row in cursor.fetchall()]
        if others:
            reason = f"it holds other municipalities ({', '.join(others[:5])})"
        elif users:
            reason = f"it holds other users ({', '.join(users[:5])})"
    if reason:
        print(
            f"refusing to run: {reason}. Give the benchmark a database of its own "
            "(DATABASE_URL=… or the default throwaway SQLite file).",
            file=sys.stderr,
        )
        sys.exit(2)


# ------------------------------------------------------------------ data


def generate():
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from core.choices import APPROVED_STATES, CostKind, Direction, SheetState, StaffKind
    from evalsheets.layouts import get_layout
    from evalsheets.models import (
        ActivityIndicator,
        ActivityValue,
        AssessmentAnswer,
        AverageSalary,
        CostRow,
        EvaluationSheet,
        OutcomeIndicator,
        OutcomeValue,
        Project,
        Review,
        StaffEffort,
        SubProject,
    )
    from municipalities.choices import Role
    from municipalities.models import (
        Department,
        Municipality,
        Plan,
        PlanNode,
        Section,
        StaffProfile,
    )

    started = time.perf_counter()
    User = get_user_model()
    with transaction.atomic():
        town = Municipality.objects.create(
            code=BENCH_CODE,
            name="ベンチ市",
            kind="city",
            prefecture="熊本県",
            sheet_layout="tamana_furikaeri",
        )
        sections = []
        for d in range(DEPARTMENTS):
            dept = Department.objects.create(municipality=town, name=f"第{d + 1}部", sort_order=d)
            for s in range(SECTIONS_PER_DEPARTMENT):
                sections.append(
                    Section.objects.create(
                        municipality=town,
                        department=dept,
                        code=f"s{d}{s}",
                        name=f"第{d + 1}部第{s + 1}課",
                        chief_name=f"課長{d}{s}",
                        sort_order=s,
                    )
                )
        plan = Plan.objects.create(
            municipality=town,
            name="ベンチ市総合計画",
            start_year=2020,
            end_year=2029,
            level_labels=["基本目標", "施策", "施策区分"],
        )
        leaves = []
        for a in range(5):
            top = PlanNode.objects.create(plan=plan, code=f"{a + 1}", name=f"基本目標{a + 1}")
            for b in range(4):
                mid = PlanNode.objects.create(
                    plan=plan, parent=top, code=f"({b + 1})", name=f"施策{a + 1}-{b + 1}"
                )
                for c in range(3):
                    leaves.append(
                        PlanNode.objects.create(
                            plan=plan,
                            parent=mid,
                            code=f"[{c + 1}]",
                            name=f"施策区分{a + 1}-{b + 1}-{c + 1}",
                        )
                    )
        for year in (2019, 2020, 2021, *YEARS):
            AverageSalary.objects.create(
                municipality=town, fiscal_year=year, staff_kind=StaffKind.STAFF, amount=5400
            )
            AverageSalary.objects.create(
                municipality=town, fiscal_year=year, staff_kind=StaffKind.PART_TIME, amount=1300
            )
        projects = Project.objects.bulk_create(
            Project(
                municipality=town,
                code=f"{100 + i // 10}-{i % 10 + 1}",
                name=f"ベンチ事業{i + 1:04d} 地域連携推進",
                section=sections[i % len(sections)],
                plan_node=leaves[i % len(leaves)],
                start_year=2016,
                period_kind="repeat",
                project_type="soft",
                account="general",
            )
            for i in range(PROJECTS)
        )
        users = {}
        for name, role, section in (
            ("bench-staff", Role.STAFF, sections[0]),
            ("bench-chief", Role.CHIEF, sections[0]),
            ("bench-planning", Role.PLANNING, None),
        ):
            user = User.objects.create(username=name, last_name="ベンチ", first_name=name)
            StaffProfile.objects.create(user=user, municipality=town, role=role, section=section)
            users[name] = user
        text = (
            "定住促進対策が叫ばれる中、近隣の市町と連携・協力し、圏域全体で様々な事業に取り組む。"
            * 4
        )
        latest_states = (
            SheetState.DRAFT,
            SheetState.SUBMITTED,
            SheetState.APPROVED,
            SheetState.CONFIRMED,
            SheetState.PUBLISHED,
        )
        for year in YEARS:
            stamp = timezone.make_aware(datetime.datetime(year, 8, 31, 17, 0))
            sheets = []
            for i, project in enumerate(projects):
                # Every 課 gets sheets in every state (i // 課数 shifts the cycle per round).
                state = (
                    latest_states[(i + i // len(sections)) % len(latest_states)]
                    if year == YEARS[-1]
                    else SheetState.PUBLISHED
                )
                approved = state in APPROVED_STATES
                sheets.append(
                    EvaluationSheet(
                        project=project,
                        fiscal_year=year,
                        state=state,
                        author_name="担当太郎",
                        background=text,
                        target="市民",
                        intent=text[:60],
                        content=text,
                        work_done=text,
                        results=text,
                        issues=text[:80],
                        improvement=f"{year}年度の改善：{text[:90]}",
                        previous_review=f"{year - 1}年度の改善：{text[:90]}",
                        previous_review_status=text[:100],
                        direction=Direction.MAINTAIN,
                        implementation_methods=["direct"],
                        actors=["city"],
                        approved_at=stamp if approved else None,
                        approved_by=users["bench-chief"] if approved else None,
                        published_at=stamp if state == SheetState.PUBLISHED else None,
                    )
                )
            EvaluationSheet.objects.bulk_create(sheets, batch_size=500)
            years = (year - 3, year - 2, year - 1, year)
            subs = [
                SubProject(sheet=s, sort_order=k, name=f"細事業{k + 1}", means=text[:80])
                for s in sheets
                for k in range(2)
            ]
            SubProject.objects.bulk_create(subs, batch_size=1000)
            activities = [
                ActivityIndicator(sub_project=sub, sort_order=k, name=f"活動指標{k + 1}", unit="回")
                for sub in subs
                for k in range(2)
            ]
            ActivityIndicator.objects.bulk_create(activities, batch_size=1000)
            ActivityValue.objects.bulk_create(
                (
                    ActivityValue(
                        indicator=ind,
                        fiscal_year=y,
                        target=Decimal(10),
                        actual=Decimal(8 + j) if y < year else None,
                    )
                    for ind in activities
                    for j, y in enumerate(years)
                ),
                batch_size=2000,
            )
            outcomes = [
                OutcomeIndicator(
                    sheet=s, sort_order=k, name=f"成果指標{k + 1}", unit="%", method="実績÷目標"
                )
                for s in sheets
                for k in range(2)
            ]
            OutcomeIndicator.objects.bulk_create(outcomes, batch_size=1000)
            OutcomeValue.objects.bulk_create(
                (
                    OutcomeValue(
                        indicator=ind,
                        fiscal_year=y,
                        target=Decimal(100),
                        actual=Decimal("87.5") if y < year else None,
                        actual_na=False,
                    )
                    for ind in outcomes
                    for y in years
                ),
                batch_size=2000,
            )
            CostRow.objects.bulk_create(
                (
                    CostRow(
                        sheet=s,
                        fiscal_year=y if kind != CostKind.OVERALL else None,
                        kind=kind,
                        national_subsidy=100 + k,
                        prefectural_subsidy=50,
                        general_revenue=1200 + k * 10,
                    )
                    for s in sheets
                    for k, (y, kind) in enumerate(
                        [(y, CostKind.SETTLED) for y in years[:3]]
                        + [(year, CostKind.BUDGET), (None, CostKind.OVERALL)]
                    )
                ),
                batch_size=2000,
            )
            StaffEffort.objects.bulk_create(
                (
                    StaffEffort(
                        sheet=s, fiscal_year=y, staff_fte=Decimal("0.75"), part_time_fte="0.10"
                    )
                    for s in sheets
                    for y in years
                ),
                batch_size=2000,
            )
            AssessmentAnswer.objects.bulk_create(
                (
                    AssessmentAnswer(
                        sheet=s, viewpoint=vp.code, choice=vp.choices[0][0], reason=text[:50]
                    )
                    for s in sheets
                    for vp in get_layout("tamana_furikaeri").viewpoints
                ),
                batch_size=2000,
            )
            Review.objects.bulk_create(
                (
                    Review(
                        sheet=s,
                        remarks=text[:120],
                        reviewer_name="課長一郎",
                        reviewer=users["bench-chief"],
                        reviewed_at=stamp,
                    )
                    for s in sheets
                    if s.state in APPROVED_STATES
                ),
                batch_size=2000,
            )
    from django.db import connection

    with connection.cursor() as cursor:
        # The steady state of a database autovacuum looks after: fresh statistics and, on
        # PostgreSQL, a visibility map (index-only scans; without it the list's year query
        # reads the whole wide sheet table: 13 ms instead of 1.3 ms).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"generated {PROJECTS} projects × {len(YEARS)} years in {elapsed:.1f} s")


def ensure_data(regenerate: bool):
    from evalsheets.models import EvaluationSheet
    from municipalities.models import Municipality

    refuse_foreign_database()  # again, after migrate: nothing else came in meanwhile
    existing = Municipality.objects.filter(code=BENCH_CODE).first()
    if existing and regenerate:
        from django.db import connection

        print("dropping the previous benchmark data …")
        # Throwaway database: flush everything rather than unpicking PROTECT chains.
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        connection.close()
        existing = None
    if existing is None:
        generate()
    count = EvaluationSheet.objects.filter(project__municipality__code=BENCH_CODE).count()
    print(f"sheets in the benchmark municipality: {count:,}")


# ------------------------------------------------------------------ measures


def measure(fn, repeat: int, warmup: int = 3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries, statistics.median(cpu)


def get_ok(client, url):
    def fn():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return fn


def save_through_edit_view(client, sheet_pk):
    """POST the whole entry form as a browser would, changing a few inputs each time."""
    from evalsheets.models import EvaluationSheet
    from tests.support.entry import post_data, read_form

    url = f"/sheets/{sheet_pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data, _kinds, _options = read_form(page.content)
    money = sorted(n for n in data if n.startswith("cost-") and n.endswith("general_revenue"))
    fte = sorted(n for n in data if n.startswith("effort-") and n.endswith("staff_fte"))
    indicator = sorted(n for n in data if n.startswith("out-0-target_"))
    reason = sorted(n for n in data if n.startswith("vp-reason_"))
    counter = {"n": 0, "version": EvaluationSheet.objects.get(pk=sheet_pk).version}

    def fn():
        counter["n"] += 1
        n = counter["n"]
        data["version"] = [str(counter["version"])]
        data["sheet-results"] = [f"取組成果 {n}"]
        data[money[0]] = [f"{1000 + n:,}"]
        data[fte[0]] = [f"0.{50 + n % 40}"]
        data[indicator[0]] = [str(100 + n)]
        data[reason[0]] = [f"判断理由 {n}"]
        response = client.post(url, post_data(data))
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        counter["version"] += 1  # every save changes 取組成果, so every save is a new version
        return response

    return fn


def run(repeat: int):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from core.choices import SheetState
    from evalsheets.models import EvaluationSheet
    from municipalities.models import Department, PlanNode, Section

    users = get_user_model().objects
    section = Section.objects.get(municipality__code=BENCH_CODE, code="s00")
    dept = Department.objects.filter(municipality__code=BENCH_CODE).order_by("sort_order")[1]
    mid_node = PlanNode.objects.filter(plan__municipality__code=BENCH_CODE, depth=1).first()
    # The pages are measured on a submitted sheet, the save on a draft: the saves add to the
    # draft's history, which would make the sheet page grow from one run to the next.
    own_sheet = (
        EvaluationSheet.objects.filter(
            project__section=section, fiscal_year=YEARS[-1], state=SheetState.SUBMITTED
        )
        .order_by("project__code")
        .first()
    )
    draft = (
        EvaluationSheet.objects.filter(
            project__section=section, fiscal_year=YEARS[-1], state=SheetState.DRAFT
        )
        .order_by("project__code")
        .first()
    )
    year = YEARS[-1]
    roles = {
        "担当者": (
            "bench-staff",
            f"/sheets/?year={year}&q=地域連携",
            f"/sheets/?year={year}&q=ベンチ事業0001",
        ),
        "課長": (
            "bench-chief",
            f"/sheets/?year={year}&section={section.pk}&sort=state",
            f"/sheets/?year={year}&section={section.pk}&state=submitted",
        ),
        "企画課": (
            "bench-planning",
            f"/sheets/?year={year}&plan_node={mid_node.pk}&sort=-updated",
            f"/sheets/?year={year}&department={dept.pk}&state=draft&q=ベンチ事業00",
        ),
    }
    print()
    print(f"database: {connection.vendor}   repeat: {repeat}   load average: {os.getloadavg()}")
    header = (
        f"{'role':6} {'page':34} {'rows':>5} {'median ms':>10} {'p95 ms':>8} "
        f"{'cpu ms':>7} {'queries':>8}"
    )
    print(header)
    print("-" * len(header))
    results = []

    def report(role, name, rows, fn):
        median, p95, queries, cpu = measure(fn, repeat)
        results.append((role, name, median, p95, queries))
        print(f"{role:6} {name:34} {rows!s:>5} {median:10.1f} {p95:8.1f} {cpu:7.1f} {queries:8d}")

    for role, (username, list_url, narrow_url) in roles.items():
        client = Client()
        client.force_login(users.get(username=username))
        pages = [
            ("home", "/"),
            ("list (filtered, many rows)", list_url),
            ("list (filtered, few rows)", narrow_url),
            ("sheet page", f"/sheets/{own_sheet.pk}/"),
            ("diff since last year", f"/sheets/{own_sheet.pk}/diff/"),
        ]
        for name, url in pages:
            fn = get_ok(client, url)
            rows = ""
            if name.startswith("list"):
                rows = len(re.findall(r'<td><a href="/sheets/\d+/">', fn().content.decode()))
            report(role, name, rows, fn)
    staff = Client()
    staff.force_login(users.get(username="bench-staff"))
    report("担当者", "entry form (GET)", "", get_ok(staff, f"/sheets/{draft.pk}/edit/"))
    report("担当者", "save (POST entry form)", "", save_through_edit_view(staff, draft.pk))
    print()
    print("cpu ms: this process's CPU time (the SQLite engine runs in it; PostgreSQL's does not).")
    failed = [
        (role, name, round(median, 1))
        for role, name, median, _p95, _q in results
        if (name.startswith("save") and median > 150)
        or (name.startswith(("list", "sheet page")) and median > 50)
    ]
    print("targets (list and sheet ≤ 50 ms median, save ≤ 150 ms):", failed or "met")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--regenerate", action="store_true", help="flush and generate again")
    args = parser.parse_args()
    configure()
    ensure_data(args.regenerate)
    run(args.repeat)


if __name__ == "__main__":
    main()
