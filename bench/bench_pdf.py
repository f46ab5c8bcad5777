"""Cold PDF render time per sheet, in one process.

    python bench/bench_pdf.py [--n 100] [--form tamana_furikaeri|isehara_hyoka|hitoyoshi_plan]
                              [--ua lean|stock]

Builds a throw-away SQLite database under /tmp, loads the demo data, generates N
sheets by cloning a seed sheet (741-2, 40-106 or 6-1-1) with its children and a
different text each, then renders each once: load from the database → template →
WeasyPrint layout → PDF bytes (evalsheets.pdf.render.layout_pdf; nothing is stored). The
fonts are loaded once per process, as in a worker. Prints median / p90 / max
seconds per sheet (wall clock and CPU time of this process: the CPU figure is
the one-core cost even when other processes share the machine), pages per sheet
and the peak RSS.

``--ua stock`` lays out with WeasyPrint's own user-agent stylesheet instead of the lean
copy of evalsheets.pdf.ua, to measure what that saves (run both, alternately: this
machine's speed drifts by ±10 % within an hour).
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {"tamana_furikaeri": "741-2", "isehara_hyoka": "40-106", "hitoyoshi_plan": "6-1-1"}


def setup_django(db_path: Path):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalsheets.settings")
    os.environ.setdefault("EVALSHEETS_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def clone_sheet(seed, index: int):
    """A new project and sheet with the seed's children and its own text."""
    from evalsheets.models import EvaluationSheet, Project

    children = {
        "sub_projects": [(s, list(s.indicators.all())) for s in seed.sub_projects.all()],
        "outcomes": list(seed.outcome_indicators.all()),
        "cost_rows": list(seed.cost_rows.all()),
        "efforts": list(seed.efforts.all()),
        "assessments": list(seed.assessments.all()),
        "schedule": list(seed.schedule_items.all()),
    }
    project = Project.objects.get(pk=seed.project_id)
    project.pk = None
    project.code = f"B{index:04d}"
    project.name = f"{project.name}（ベンチ{index}）"
    project.save()
    sheet = EvaluationSheet.objects.get(pk=seed.pk)
    sheet.pk = None
    sheet.project = project
    for name in ("background", "content", "results", "issues", "improvement"):
        setattr(sheet, name, f"{getattr(sheet, name)}（第{index}版の記述）")
    sheet.save()
    for sub, indicators in children["sub_projects"]:
        sub_values = {i.pk: list(i.values.all()) for i in indicators}
        sub.pk, sub.sheet = None, sheet
        sub.save()
        for indicator in indicators:
            values = sub_values[indicator.pk]
            indicator.pk, indicator.sub_project = None, sub
            indicator.save()
            for value in values:
                value.pk, value.indicator = None, indicator
                value.save()
    for indicator in children["outcomes"]:
        values = list(indicator.values.all())
        indicator.pk, indicator.sheet = None, sheet
        indicator.save()
        for value in values:
            value.pk, value.indicator = None, indicator
            value.save()
    for item in children["schedule"]:
        entries = list(item.entries.all())
        item.pk, item.sheet = None, sheet
        item.save()
        for entry in entries:
            entry.pk, entry.item = None, item
            entry.save()
    for obj in children["cost_rows"] + children["efforts"] + children["assessments"]:
        obj.pk, obj.sheet = None, sheet
        obj.save()
    return sheet


def timed_renders(ids):
    """Render each sheet once (load → template → PDF bytes, nothing stored): lists of
    wall seconds, CPU seconds, pages and PDF bytes per sheet."""
    from evalsheets.pdf.render import layout_pdf, load_sheet, render_html

    wall, cpu, pages, sizes = [], [], [], []
    for pk in ids:
        start, start_cpu = time.perf_counter(), time.process_time()
        data, page_count = layout_pdf(render_html(load_sheet(pk)))
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        pages.append(page_count)
        sizes.append(len(data))
    return wall, cpu, pages, sizes


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--form", choices=sorted(SEEDS), default="tamana_furikaeri")
    parser.add_argument("--ua", choices=("lean", "stock"), default="lean")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from evalsheets import demo
        from evalsheets.models import EvaluationSheet
        from evalsheets.pdf.render import layout_pdf, load_sheet, render_html

        if args.ua == "stock":
            from weasyprint import HTML

            from evalsheets.pdf import render as pdf

            pdf.SheetHTML = HTML
        demo.load_all(with_superuser=False)
        seed = EvaluationSheet.objects.get(project__code=SEEDS[args.form])
        ids = [clone_sheet(seed, i).pk for i in range(args.n)]

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        layout_pdf(render_html(load_sheet(seed.pk)))  # the first render loads the fonts
        first = time.perf_counter() - start

        times, cpu, pages, sizes = timed_renders(ids)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"form                 {args.form} (seed {SEEDS[args.form]}), n = {args.n}, {args.ua} UA")
    print(f"first render         {first:.3f} s (includes loading the IPAex fonts)")
    print(f"per sheet median     {statistics.median(times):.3f} s")
    print(f"per sheet p90        {percentile(times, 0.9):.3f} s")
    print(f"per sheet max        {max(times):.3f} s")
    print(f"CPU per sheet median {statistics.median(cpu):.3f} s (p90 {percentile(cpu, 0.9):.3f} s)")
    print(f"load average         {os.getloadavg()[0]:.2f} (other processes share the cores)")
    per_page = statistics.median(t / p for t, p in zip(times, pages, strict=True))
    print(f"per page median      {per_page:.3f} s")
    print(f"pages per sheet      {min(pages)}–{max(pages)} (median {statistics.median(pages)})")
    print(f"PDF size median      {statistics.median(sizes) / 1024:.0f} KiB")
    print(
        f"peak RSS             {peak / 1024:.0f} MiB (before rendering {rss_before / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
