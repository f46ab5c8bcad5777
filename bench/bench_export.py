"""Benchmark of render-once PDFs and the bulk export (a script that prints figures).

    python bench/bench_export.py [--n 500] [--export-n 1000] [--postgres]
                                 [--parts render,workers,export,booklet]

Builds a throw-away SQLite database (a file, WAL: shared by real worker processes) — or,
with ``--postgres``, a fresh ``evalsheets_bench`` database on the local PostgreSQL server,
as with several workers in production — and a media directory under /tmp, loads the
demo data and generates ``max(n, export-n)`` sheets by cloning 741-2 (2 pages) with a
different text each (bench/bench_pdf.py's generator). Then:

1. cold render per sheet in one process (``layout_pdf(render_html(load_sheet(pk)))``, fonts loaded
   once beforehand): median and p90, wall and CPU, over ``n`` sheets;
2. sheets/s with 2 workers: the render task (``render_sheet_pdf_task`` → ``ensure_pdf``,
   stored) enqueued for every sheet through the Django tasks API and run by two real
   ``manage.py db_worker --batch`` processes; first 100 sheets, then the rest. The peak
   RSS of each worker (``os.wait4``) for ~50 and ~n/2 sheets each shows whether memory
   stays flat;
3. export of ``export-n`` sheets to a directory (``export_pdfs``) once, then with 10 %
   changed since: (a) after the background workers re-rendered them — the normal flow,
   the save schedules the render — and (b) when the export must render them itself;
4. booklets of 100, n and export-n sheets (``write_booklet``, the code path of the job
   and of ``export_pdfs --booklet``), each in a fresh subprocess: size, pages, time
   (and how much of it comes after the last sheet, with the progress bar full), and
   the peak RSS of the process (``ru_maxrss``), which must not grow with the number
   of sheets; and, in the same kind of subprocess, the ZIP of the same sheets
   (``write_zip``), to compare the booklet's time with (target: ≤ 3×; wall and CPU
   time, the CPU time being what another busy process on the machine changes least).
   The booklet is made of the stored PDFs: run it after ``workers`` (or ``export``),
   which store them; otherwise it renders every sheet itself.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))


PARTS = ("render", "workers", "export", "booklet")
PG_URL = "postgres://postgres@127.0.0.1:5432/evalsheets_bench"


def fresh_postgres():
    """An empty evalsheets_bench database on the local PostgreSQL server."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS evalsheets_bench WITH (FORCE)")
        db.execute("CREATE DATABASE evalsheets_bench")


def configure(tmp: Path):
    if os.environ.get("BENCH_DATABASE") == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "evalsheets.settings"
    os.environ["EVALSHEETS_INSECURE_DEV_KEY"] = "1"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ.pop("TASKS_BACKEND", None)  # the database backend, as in production
    import django

    django.setup()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_workers(count: int, tmp: Path) -> tuple[float, list[int], float]:
    """Run ``count`` db_worker processes until the queue is empty: (seconds, peak KiB each,
    CPU seconds of the busiest worker: what the wall time would be on unshared cores)."""
    start = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--batch",
                "--interval",
                "0.1",
                "--queue-name",
                "*",
                "--worker-id",
                f"bench-{i}",
            ],
            stdout=(tmp / f"worker-{i}.log").open("a"),
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
        for i in range(count)
    ]
    peaks, cpu = [], []
    for worker in workers:
        _pid, status, usage = os.wait4(worker.pid, 0)
        if status:
            raise SystemExit(f"worker failed, see {tmp}/worker-*.log")
        peaks.append(usage.ru_maxrss)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return time.perf_counter() - start, peaks, max(cpu)


def enqueue(ids):
    from evalsheets.pdf.tasks import render_sheet_pdf_task

    for pk in ids:
        render_sheet_pdf_task.enqueue(pk)


def change(ids, label):
    """What a save does: new content, version + 1, the render scheduled (here: enqueued)."""
    from django.db.models import F

    from evalsheets.models import EvaluationSheet

    for pk in ids:
        EvaluationSheet.objects.filter(pk=pk).update(
            background=f"変更後の背景（{label} {pk}）", version=F("version") + 1
        )


def timed_export(out: Path, *extra) -> float:
    from io import StringIO

    from django.core.management import call_command

    start = time.perf_counter()
    call_command(
        "export_pdfs", "--municipality", "432067", "--year", "2023", "--out", str(out), *extra,
        stdout=StringIO(),
    )  # fmt: skip
    return time.perf_counter() - start


def booklet_child(count: int, target: str):
    """Subprocess: write the booklet of the first ``count`` bench sheets; print peak RSS."""
    configure(Path(os.environ["BENCH_TMP"]))
    from evalsheets.exports import bulk as bulk_export
    from evalsheets.models import EvaluationSheet

    sheets = EvaluationSheet.objects.filter(project__code__startswith="B").order_by("pk")
    ids = list(sheets.values_list("pk", flat=True)[:count])
    groups = bulk_export.plan_groups(EvaluationSheet.objects.filter(pk__in=ids))
    sheets_done = []  # when the progress bar is full: cover lists, 目次 and joining follow

    def progress(done):
        if done >= len(ids) and not sheets_done:
            sheets_done.append(time.perf_counter())

    start, cpu = time.perf_counter(), time.process_time()
    pages = bulk_export.write_booklet("ベンチ", groups, Path(target), progress=progress)
    end, cpu = time.perf_counter(), time.process_time() - cpu
    elapsed, tail = end - start, end - (sheets_done or [start])[0]
    # The worker's own peak, and that of its largest child process.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{pages} {elapsed:.2f} {tail:.2f} {peak} {child} {cpu:.2f}")


def zip_child(count: int, target: str):
    """Subprocess: write the ZIP of the first ``count`` bench sheets; print its time."""
    configure(Path(os.environ["BENCH_TMP"]))
    from evalsheets.exports.zip import write_zip
    from evalsheets.models import EvaluationSheet

    sheets = EvaluationSheet.objects.filter(project__code__startswith="B").order_by("pk")
    ids = list(sheets.values_list("pk", flat=True)[:count])
    start, cpu = time.perf_counter(), time.process_time()
    write_zip(ids, Path(target))
    print(f"{time.perf_counter() - start:.2f} {time.process_time() - cpu:.2f}")


def zip_time(count: int, tmp: Path) -> tuple[float, float, int]:
    target = tmp / f"export-{count}.zip"
    env = {**os.environ, "BENCH_TMP": str(tmp)}
    result = subprocess.run(
        [sys.executable, __file__, "--zip-child", str(count), str(target)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"ZIP of {count} failed:\n{result.stderr}")
    wall, cpu = result.stdout.split()[-2:]
    return float(wall), float(cpu), target.stat().st_size


def booklet(count: int, tmp: Path) -> tuple[int, float, float, int, int, int, float]:
    target = tmp / f"booklet-{count}.pdf"
    env = {**os.environ, "BENCH_TMP": str(tmp)}
    result = subprocess.run(
        [sys.executable, __file__, "--booklet-child", str(count), str(target)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"booklet of {count} failed:\n{result.stderr}")
    pages, elapsed, tail, peak, child, cpu = result.stdout.split()[-6:]
    size = target.stat().st_size
    return int(pages), float(elapsed), float(tail), int(peak), int(child), size, float(cpu)


def cold_render(ids):
    from bench_pdf import timed_renders

    wall, cpu, pages, _sizes = timed_renders(ids)
    print(f"cold render / sheet  median {statistics.median(wall):.3f} s, "
          f"p90 {percentile(wall, 0.9):.3f} s (CPU median {statistics.median(cpu):.3f} s, "
          f"p90 {percentile(cpu, 0.9):.3f} s; {statistics.median(pages):.0f} pages; "
          f"n = {len(ids)}; target ≤ 0.35 s)")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--export-n", type=int, default=1000)
    parser.add_argument(
        "--postgres", action="store_true",
        help=f"use {PG_URL} (dropped and created) instead of a SQLite file",
    )  # fmt: skip
    parser.add_argument(
        "--parts", default=",".join(PARTS),
        help="comma-separated subset of %(default)s (the numbered sections above)",
    )  # fmt: skip
    parser.add_argument("--booklet-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--zip-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    if args.postgres:
        os.environ["BENCH_DATABASE"] = "postgres"
        fresh_postgres()
    if args.booklet_child:
        booklet_child(int(args.booklet_child[0]), args.booklet_child[1])
        return
    if args.zip_child:
        zip_child(int(args.zip_child[0]), args.zip_child[1])
        return

    with tempfile.TemporaryDirectory(prefix="bench-export-") as name:
        tmp = Path(name)
        configure(tmp)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from bench_pdf import clone_sheet

        from evalsheets import demo
        from evalsheets.models import EvaluationSheet
        from evalsheets.pdf.render import layout_pdf, load_sheet, render_html

        demo.load_all(with_superuser=False)
        seed = EvaluationSheet.objects.get(project__code="741-2")
        total = max(args.n, args.export_n)
        start = time.perf_counter()
        ids = [clone_sheet(seed, i).pk for i in range(total)]
        print(f"generated            {total} sheets (clones of 741-2) in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip

        # 1. Cold render in one process.
        layout_pdf(render_html(load_sheet(seed.pk)))  # loads the fonts (once per worker process)
        if "render" in parts:
            cold_render(ids[: args.n])

        # 2. Two real workers through the tasks API.
        if "workers" in parts:
            first = min(100, len(ids) // 2)
            enqueue(ids[:first])
            small_time, small_peaks, _cpu = run_workers(2, tmp)
            enqueue(ids[first:])
            big_time, big_peaks, big_cpu = run_workers(2, tmp)
            rest = len(ids) - first
            print(f"2 workers            {first / small_time:.1f} sheets/s for {first} "
                  f"({small_time:.1f} s incl. start-up), {rest / big_time:.1f} sheets/s for {rest} "
                  f"({big_time:.1f} s); {rest / big_cpu:.1f} sheets/s by the busiest worker's CPU "
                  f"time (cores not shared); target ≥ 6")  # fmt: skip
            small_mib = ", ".join(f"{p / 1024:.0f}" for p in small_peaks)
            big_mib = ", ".join(f"{p / 1024:.0f}" for p in big_peaks)
            print(f"peak RSS per worker  {small_mib} MiB (~{first // 2} sheets each) vs "
                  f"{big_mib} MiB (~{rest // 2} each); target ≤ 300, flat")  # fmt: skip

        # 3. Export of export-n sheets, then with 10 % changed.
        if "export" in parts:
            out = tmp / "out"
            export_ids = ids[: args.export_n]
            others = EvaluationSheet.objects.filter(
                project__municipality__code="432067", fiscal_year=2023
            ).exclude(pk__in=export_ids)
            others.filter(project__code__startswith="B").delete()  # export exactly export-n (+2)
            full = timed_export(out)
            tenth = max(1, len(export_ids) // 10)
            changed = export_ids[:tenth]
            change(changed, "a")
            enqueue(changed)
            render_time, _peaks, _cpu = run_workers(2, tmp)
            after_background = timed_export(out, "--changed-only")
            change(export_ids[tenth : 2 * tenth], "b")
            export_renders = timed_export(out, "--changed-only")
            print(f"export {len(export_ids)} sheets    first {full:.1f} s; 10 % changed: "
                  f"{after_background:.1f} s once the workers re-rendered them (their render "
                  f"{render_time:.1f} s in the background), {export_renders:.1f} s when the export "
                  f"renders them itself; target ≤ 10 s")  # fmt: skip

        # 4. Booklets: size for 100, peak memory for 100, n and export-n sheets.
        if "booklet" in parts:
            sizes = sorted({100, args.n, args.export_n})
            results, zips = {}, {}
            for count in sizes:  # ZIP and booklet of the same sheets, one after the other
                zips[count] = zip_time(count, tmp)
                results[count] = booklet(count, tmp)
            for count, (pages, elapsed, tail, peak, child, size, cpu) in results.items():
                zip_seconds, zip_cpu, zip_size = zips[count]
                print(f"booklet of {count:<9} {size / 1024 / 1024:.2f} MB, {pages} pages, "
                      f"{elapsed:.2f} s (CPU {cpu:.2f} s; {tail:.2f} s of it after the last "
                      f"sheet: cover lists, 目次, fonts), peak RSS {peak / 1024:.0f} MiB "
                      f"(worker), {child / 1024:.0f} MiB (largest child); ZIP of the same "
                      f"sheets {zip_seconds:.2f} s (CPU {zip_cpu:.2f} s), "
                      f"{zip_size / 1024 / 1024:.1f} MB: booklet {elapsed / zip_seconds:.1f}× "
                      f"the ZIP's time ({cpu / zip_cpu:.1f}× its CPU)")  # fmt: skip
            peaks = ", ".join(f"{max(results[c][3:5]) / 1024:.0f}" for c in sizes)
            print(f"booklet peak RSS     {peaks} MiB for {', '.join(map(str, sizes))} sheets "
                  f"(worker or child, the larger); target ≤ 300, flat (within 10 %); "
                  f"booklet of 100 ≤ 2.5 MB, of 1,000 ≤ 25 MB and ≤ 3× the ZIP's time")  # fmt: skip
        print(f"load average         {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
