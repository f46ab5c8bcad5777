"""Concurrent saves on SQLite while the admin imports 20,000 projects (a script, not a test).

    python bench/bench_concurrency.py [--clients 20] [--rows 20000] [--workers N] [--threads T]
                                      [--no-worker] [--regenerate] [--max-seconds 600]

Builds (once; --regenerate to start again) a throw-away SQLite file under $TMPDIR with
the demo data and one draft sheet per client (741-2 cloned with its children, so the
entry form is the full 玉名 form) and a 担当者 per client; every run starts from a copy
of it. Then it starts a real server — gunicorn with the production gunicorn.conf.py (sync
workers, 2 × CPUs + 1) but a timeout of 1,800 s, on 127.0.0.1 with DEBUG=0 and the
production settings (``--threads`` for gthread workers instead) — and the task worker
(``manage.py db_worker``, as ``make run`` starts it), and runs at the same time:

* ``--clients`` client threads, each logging in (POST /login/ with the CSRF token) and
  saving its own sheet again and again: GET the entry form once after each login, then
  change 改善内容 to a value of its own and POST the whole form with the CSRF token and
  the version (the next version after each save), expecting the redirect; every 5th
  save it logs out and in again, so logins happen during saves;
* the admin importing ``--rows`` new projects of 玉名市 from a CSV through the real
  admin import endpoints (upload and dry run, then confirm).

The clients start a few seconds before the import and stop when it is done (or after
``--max-seconds``; at most 2,000 saves each). It prints the import time, saves per
second, save latency p50/p90/max (the POST, as a user waits for it), the number of 5xx
and of other unexpected answers, whether the worker is still alive, and the number of
lost saves: afterwards each sheet must hold its client's last acknowledged value, and
its audit trail one entry per acknowledged save with that save's value. Exit status 1
if any save was lost, any 5xx was answered or the worker died.

Only 127.0.0.1, only a database file of its own (refused otherwise).
"""

import argparse
import csv
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

PASSWORD = "evalsheets-demo"
SEED_CODE = "741-2"
TOWN = "432067"
MARKER = ".bench-concurrency"
RELOGIN_EVERY = 5
MAX_SAVES = 2000
TEXT = "improvement"  # 今後の方向性・改善内容
FIELD = f"sheet-{TEXT}"


def server_env(db_path: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_SETTINGS_MODULE="evalsheets.settings",
        DEBUG="0",
        SECRET_KEY="evalsheets-bench-only",
        HTTPS="0",  # plain HTTP on 127.0.0.1
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(db_path.parent / "bench-concurrency-media"),
        STATIC_ROOT=str(db_path.parent / "bench-concurrency-static"),
    )
    return env


def setup_django(db_path: Path):
    os.environ.update(server_env(db_path))
    import django

    django.setup()


def refuse_foreign(path: Path):
    if path.exists() and not Path(str(path) + MARKER).exists():
        print(f"refusing to run: {path} exists and was not made by this benchmark", file=sys.stderr)
        sys.exit(2)


def remove_db(path: Path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_template(template: Path, clients: int):
    """Migrate, load the demo data, clone 741-2 once per client, one 担当者 each."""
    from bench_pdf import clone_sheet
    from django.core.management import call_command
    from django.db import connection

    from evalsheets import demo
    from evalsheets.models import EvaluationSheet
    from municipalities.choices import Role
    from municipalities.models import StaffProfile

    call_command("migrate", verbosity=0, interactive=False)
    demo.load_all()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    seed = EvaluationSheet.objects.filter(project__code=SEED_CODE).order_by("-fiscal_year").first()
    section = seed.project.section
    for i in range(1, clients + 1):
        sheet = clone_sheet(seed, 9000 + i)
        EvaluationSheet.objects.filter(pk=sheet.pk).update(
            state="draft", approved_at=None, approved_by=None, published_at=None
        )
        user = User.objects.create_user(f"bench-staff-{i:02d}", password=PASSWORD)
        StaffProfile.objects.create(
            user=user, municipality=section.municipality, role=Role.STAFF, section=section
        )
    connection.close()
    Path(str(template) + MARKER).touch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60):
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(session, base: str, username: str):
    page = session.get(f"{base}/login/", timeout=120)
    response = session.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf(page.text)},
        allow_redirects=False,
        timeout=120,
    )
    return response


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.save_latency = []
        self.statuses = {}
        self.errors = []

    def status(self, kind: str, code: int, detail: str = ""):
        with self.lock:
            key = f"{kind} {code}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if code >= 500 or code == 0:
                self.errors.append(f"{kind} {code} {detail[:200]}")


def client_loop(
    index: int, base: str, sheet_pk: int, stop: threading.Event, stats: Stats, acked: dict
):
    import requests

    from tests.support.entry import post_data, read_form

    username = f"bench-staff-{index:02d}"
    session = requests.Session()
    url = f"{base}/sheets/{sheet_pk}/edit/"
    saves = 0
    logged_in, data = False, None
    while not stop.is_set() and saves < MAX_SAVES:
        try:
            if not logged_in:
                response = login(session, base, username)
                stats.status("login", response.status_code, response.text)
                logged_in = response.status_code == 302
                if not logged_in:
                    time.sleep(0.5)
                    continue
            if data is None:  # the form as the browser shows it (again after each login)
                page = session.get(url, timeout=120)
                stats.status("form", page.status_code, page.text)
                if page.status_code != 200:
                    time.sleep(0.5)
                    continue
                data, _kinds, _options = read_form(page.text)
            value = f"ベンチ{index:02d} 保存{saves + 1:04d}"
            data[FIELD] = [value]
            started = time.perf_counter()
            response = session.post(url, data=post_data(data), allow_redirects=False, timeout=120)
            elapsed = time.perf_counter() - started
            stats.status("save", response.status_code, response.text)
            if response.status_code != 302:
                data = None  # read the form again (a conflict page, an error)
                continue
            saves += 1
            with stats.lock:
                stats.save_latency.append(elapsed)
            acked.setdefault(index, []).append(value)
            # The next save is made on the version this one created, as a browser that
            # followed the redirect back to the form would.
            data["version"] = [str(int(data["version"][0]) + 1)]
            if saves % RELOGIN_EVERY == 0:
                token = session.cookies.get("csrftoken")
                session.post(
                    f"{base}/logout/",
                    data={"csrfmiddlewaretoken": token},
                    allow_redirects=False,
                    timeout=120,
                )
                session.cookies.clear()
                logged_in, data = False, None
        except requests.RequestException as exc:
            stats.status("connection", 0, repr(exc))
            time.sleep(0.5)


def import_csv(rows: int, section_code: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["municipality", "code", "name", "section", "active"])
    for i in range(rows):
        writer.writerow([TOWN, f"IMP-{i:05d}", f"取込事業{i:05d} 地域振興", section_code, "1"])
    return out.getvalue().encode("utf-8")


def admin_import(base: str, payload: bytes, result: dict):
    import requests

    session = requests.Session()
    response = login(session, base, "admin")
    assert response.status_code == 302, response.status_code
    url = f"{base}/admin/evalsheets/project/import/"
    page = session.get(url, timeout=600)
    formats = re.findall(r'<option value="(\d+)"[^>]*>\s*csv\s*<', page.text)
    started = time.perf_counter()
    response = session.post(
        url,
        data={
            "csrfmiddlewaretoken": csrf(page.text),
            "format": formats[0] if formats else "0",
            "resource": "0",
        },
        files={"import_file": ("projects.csv", payload, "text/csv")},
        timeout=1800,
    )
    result["dry_run_s"] = time.perf_counter() - started
    result["dry_run_status"] = response.status_code
    fields = dict(
        re.findall(
            r'<input type="hidden" name="(import_file_name|original_file_name|format|resource)"'
            r' value="([^"]*)"',
            response.text,
        )
    )
    if response.status_code != 200 or "import_file_name" not in fields:
        result["error"] = f"no confirm form (status {response.status_code})"
        result["import_s"] = result["dry_run_s"]
        return
    fields["csrfmiddlewaretoken"] = csrf(response.text)
    started_confirm = time.perf_counter()
    response = session.post(
        f"{base}/admin/evalsheets/project/process_import/",
        data=fields,
        allow_redirects=False,
        timeout=1800,
    )
    result["confirm_s"] = time.perf_counter() - started_confirm
    result["confirm_status"] = response.status_code
    result["import_s"] = time.perf_counter() - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def verify(sheets: dict, acked: dict, rows: int) -> tuple[int, int]:
    """(lost saves, imported projects)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from evalsheets.models import AuditEntry, EvaluationSheet, Project

    connection.close()
    lost = 0
    sheet_type = ContentType.objects.get_for_model(EvaluationSheet)
    for index, pk in sheets.items():
        values = acked.get(index, [])
        sheet = EvaluationSheet.objects.get(pk=pk)
        if values and getattr(sheet, TEXT) != values[-1]:
            lost += 1
            print(
                f"  client {index}: sheet holds {getattr(sheet, TEXT)!r}, "
                f"last save was {values[-1]!r}"
            )
        entries = AuditEntry.objects.filter(content_type=sheet_type, object_id=pk).exclude(
            changes={}
        )
        recorded = set()
        for entry in entries:
            change = (entry.changes or {}).get(TEXT)
            text = change[-1] if isinstance(change, list) and change else change
            if isinstance(change, dict):
                text = change.get("new")
            recorded.add(str(text))
        missing = [v for v in values if v not in recorded]
        if missing:
            lost += len(missing)
            print(
                f"  client {index}: {len(missing)} acknowledged saves not in the audit trail, "
                f"e.g. {missing[:2]}"
            )
    imported = Project.objects.filter(municipality__code=TOWN, code__startswith="IMP-").count()
    return lost, imported


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument(
        "--workers", type=int, default=0, help="default: gunicorn.conf.py's (2 × CPUs + 1)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="gthread workers with this many threads each"
    )
    parser.add_argument("--no-worker", action="store_true", help="do not run db_worker")
    parser.add_argument("--no-import", action="store_true", help="clients only, for --max-seconds")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    args.max_seconds = min(args.max_seconds, 3600)

    workdir = Path(args.dir)
    template = workdir / f"evalsheets-bench-concurrency-{args.clients}.template.sqlite3"
    db_path = workdir / "evalsheets-bench-concurrency.sqlite3"
    refuse_foreign(template)
    refuse_foreign(db_path)
    if args.regenerate or not template.exists():
        remove_db(template)
        started = time.perf_counter()
        build = subprocess.run(
            [sys.executable, __file__, "--build-template", str(template), str(args.clients)],
            check=False,
        )
        if build.returncode:
            raise SystemExit("building the template database failed")
        print(f"template database built in {time.perf_counter() - started:.0f} s")
    remove_db(db_path)
    shutil.copyfile(template, db_path)
    Path(str(db_path) + MARKER).touch()
    setup_django(db_path)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # the tree may have moved on
    # DEBUG=0 serves hashed static names from STATIC_ROOT's manifest: collect them there.
    call_command("collectstatic", verbosity=0, interactive=False)

    from evalsheets.models import EvaluationSheet

    sheets = {
        int(s.project.code[1:]) - 9000: s.pk
        for s in EvaluationSheet.objects.filter(project__code__startswith="B9").select_related(
            "project"
        )
    }
    section_code = EvaluationSheet.objects.get(pk=sheets[1]).project.section.code
    from django.db import connection

    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(db_path)
    log = open(workdir / "evalsheets-bench-concurrency-server.log", "w")
    command = [str(ROOT / ".venv/bin/gunicorn"), "evalsheets.wsgi", "--bind", f"127.0.0.1:{port}"]
    if args.threads:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    else:
        command += ["--worker-class", "sync"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    # The import's two requests take longer than the production default of 60 s.
    command += ["--timeout", "1800", "--graceful-timeout", "5"]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["--config", str(ROOT / "gunicorn.conf.py")]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    workers = args.workers or "the configuration's"
    kind = f"gthread, {workers} × {args.threads} threads" if args.threads else f"sync, {workers}"
    worker = None
    if not args.no_worker:
        worker_log = open(workdir / "evalsheets-bench-concurrency-worker.log", "w")
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
                "--no-startup-delay",
            ],
            cwd=ROOT,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"{base}/login/")
        print(
            f"gunicorn ({kind} workers) on {base}, "
            f"{args.clients} clients, import of {args.rows:,} rows, "
            f"worker {'off' if worker is None else 'on'}"
        )
        stats, acked, stop = Stats(), {}, threading.Event()
        threads = [
            threading.Thread(
                target=client_loop, args=(i, base, sheets[i], stop, stats, acked), daemon=True
            )
            for i in range(1, args.clients + 1)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        imported = {}
        if args.no_import:
            time.sleep(args.max_seconds)
        else:
            time.sleep(args.warmup)
            importer = threading.Thread(
                target=admin_import,
                args=(base, import_csv(args.rows, section_code), imported),
                daemon=True,
            )
            importer.start()
            importer.join(args.max_seconds)
            time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join(150)
        wall = time.perf_counter() - started
        worker_alive = worker is None or worker.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()

    lost, imported_rows = verify(sheets, acked, args.rows)
    saves = stats.save_latency
    server_errors = sum(n for key, n in stats.statuses.items() if key.split()[1].startswith("5"))
    print(
        f"import: {imported.get('import_s', float('nan')):.1f} s "
        f"(dry run {imported.get('dry_run_s', float('nan')):.1f} s → "
        f"{imported.get('dry_run_status')}, confirm {imported.get('confirm_s', float('nan')):.1f}"
        f" s → {imported.get('confirm_status')}), {imported_rows:,} of {args.rows:,} "
        f"projects stored{' — ' + imported['error'] if 'error' in imported else ''}"
    )
    if saves:
        print(
            f"saves: {len(saves)} in {wall:.1f} s = {len(saves) / wall:.1f}/s; latency "
            f"p50 {statistics.median(saves) * 1000:.0f} ms, p90 "
            f"{percentile(saves, 0.9) * 1000:.0f} ms, max {max(saves) * 1000:.0f} ms"
        )
    print("answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items())))
    print(f"5xx: {server_errors}; lost saves: {lost}; worker {'alive' if worker_alive else 'DIED'}")
    for line in stats.errors[:10]:
        print("  " + line.replace("\n", " "))
    if worker is not None:
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        counts = DBTaskResult.objects.values_list("status").annotate(n=Count("id"))
        print("tasks: " + ", ".join(f"{s}: {n}" for s, n in counts.order_by("status")))
    failed = lost or server_errors or not worker_alive or imported_rows != args.rows
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--build-template":
        path = Path(sys.argv[2])
        setup_django(path)
        build_template(path, int(sys.argv[3]))
    else:
        main()
