"""Benchmark of the year workbook: the bulk import and the export (a script that prints figures).

    python bench/bench_excel.py [--projects 1000] [--costs-per-sheet 3]
                                [--export-sizes 500,1500] [--postgres]

Builds a throw-away SQLite database under /tmp (or, with ``--postgres``, a fresh
``evalsheets_bench`` database on the local PostgreSQL server), loads the demo data, then:

1. import: a generated workbook of ``projects`` new 事務事業 of 玉名市, each with its
   令和5年度 sheet (narrative texts, 今後の方向性), ``costs-per-sheet`` cost rows, 人工, a
   成果指標 with two years' values, the 評価視点 answers and the 課長所見 — read, planned
   (the dry run) and written in one transaction (``apply_import``), as the confirm page
   does. Wall time, then the peak of Python's heap (tracemalloc) in a second import of
   the same kind into 令和6年度 (tracemalloc slows the run down, so it is not timed);
2. export: the year workbook of years with each of ``export-sizes`` sheets (made by the
   same import), written to a file: wall time, and the tracemalloc peak in a second run.
   The target is a flat memory: the peak at 1,500 sheets within 10 % of the peak at 500.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = "postgres://postgres@127.0.0.1:5432/evalsheets_bench"


def configure(tmp: Path, postgres: bool):
    if postgres:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as db:
            db.execute("DROP DATABASE IF EXISTS evalsheets_bench WITH (FORCE)")
            db.execute("CREATE DATABASE evalsheets_bench")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "evalsheets.settings"
    os.environ["EVALSHEETS_INSECURE_DEV_KEY"] = "1"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from evalsheets import demo

    demo.load_all()


def workbook(town, year: int, count: int, costs_per_sheet: int, prefix: str) -> bytes:
    """A year workbook of ``count`` new projects with their sheets (write-only)."""
    import io

    from openpyxl import Workbook

    from evalsheets.layouts import get_layout
    from evalsheets.transfer import layout
    from evalsheets.transfer.export import display
    from municipalities.models import Section

    sections = list(Section.objects.filter(municipality=town).values_list("code", flat=True))
    viewpoints = [v for v in get_layout(town.sheet_layout, year).viewpoints][:6]
    book = Workbook(write_only=True)
    sheets = {}
    for table in layout.TABLES:
        ws = sheets[table.name] = book.create_sheet(table.title)
        ws.append([c.header for c in table.columns])

    def put(table, **row):
        sheets[table.name].append([display(c, row.get(c.key)) for c in table.columns])

    for n in range(count):
        code = f"{prefix}{n:05d}"
        key = {"municipality": town.code, "project": code, "fiscal_year": year}
        section = sections[n % len(sections)]
        put(layout.PROJECTS, **key, name=f"事業{n}", section=section, active=True, start_year=2020)
        texts = {
            "purpose": f"目的{n}。" * 20,
            "content": f"内容{n}。" * 30,
            "results": "成果。" * 40,
        }
        put(layout.SHEETS, **key, author_name="担当 太郎", direction="maintain", **texts)
        for i in range(costs_per_sheet):
            kind = "settled" if i < costs_per_sheet - 1 else "budget"
            put(
                layout.COSTS,
                **key,
                year=year - costs_per_sheet + 1 + i,
                kind=kind,
                national_subsidy=100 + i,
                general_revenue=1000 + n,
            )
        put(layout.EFFORTS, **key, year=year - 1, staff_fte="0.50", part_time_fte="0.10")
        for offset in (-1, 0):
            put(
                layout.OUTCOMES,
                **key,
                ind_no=1,
                ind_order=1,
                ind_name="参加者数",
                unit="人",
                year=year + offset,
                target=100,
                actual=90 + offset,
            )
        for viewpoint in viewpoints:
            put(
                layout.ASSESSMENTS,
                **key,
                viewpoint=viewpoint.code,
                choice=viewpoint.choices[0][0],
                reason="判断理由。" * 10,
            )
        put(layout.REVIEWS, **key, remarks="課長の所見。" * 10)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_once(town, content: bytes) -> float:
    from evalsheets.transfer.reading import read_upload
    from evalsheets.transfer.service import apply_import

    start = time.perf_counter()
    plan = apply_import(
        read_upload(content, "bench.xlsx"), town, None, data=content, file_name="bench.xlsx"
    )
    seconds = time.perf_counter() - start
    assert plan.ok, plan.problems[:3]
    return seconds


def traced(function, *args):
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def export_once(town, year: int, out: Path) -> float:
    from evalsheets.transfer.export import write_year_workbook

    start = time.perf_counter()
    with out.open("wb") as handle:
        write_year_workbook(handle, town, year)
    return time.perf_counter() - start


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--costs-per-sheet", type=int, default=3)
    parser.add_argument("--export-sizes", default="500,1500")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-excel-"))
    configure(tmp, args.postgres)
    from municipalities.models import Municipality

    town = Municipality.objects.get(code="432067")
    n, k = args.projects, args.costs_per_sheet
    content = workbook(town, 2023, n, k, "B")
    print(f"import workbook: {n:,} projects, {n * k:,} cost rows, {len(content) / 1e6:.1f} MB")
    seconds = import_once(town, content)
    print(f"  import (read, dry run, write in one transaction): {seconds:.1f} s")
    again = workbook(town, 2024, n, k, "C")
    peak = traced(import_once, town, again)
    print(f"  peak Python heap of the same import (tracemalloc): {mib(peak)}")

    peaks = {}
    for index, size in enumerate(int(s) for s in args.export_sizes.split(",")):
        year = 2030 + index
        import_once(town, workbook(town, year, size, k, f"E{index}"))
        out = tmp / f"export-{size}.xlsx"
        seconds = export_once(town, year, out)
        peaks[size] = traced(export_once, town, year, out)
        print(
            f"export of {size:,} sheets: {seconds:.1f} s, {out.stat().st_size / 1e6:.1f} MB, "
            f"peak Python heap {mib(peaks[size])}"
        )
    sizes = sorted(peaks)
    if len(sizes) >= 2:
        growth = peaks[sizes[-1]] / peaks[sizes[0]] - 1
        print(f"export memory {sizes[0]:,} → {sizes[-1]:,} sheets: {growth:+.1%} (target ≤ +10 %)")


if __name__ == "__main__":
    main()
