#!/usr/bin/env python3
"""The deployed application checked over HTTP only, as a user's browser and a load
balancer see it. Standard library only (urllib, http.cookiejar, html.parser): no Django,
no test client. Started by .ci/smoke once gunicorn and a db_worker are running.

    smoke.py BASE_URL [--pids PID ...]

It prints each check and exits 1 on the first failure. To know that the background
worker rendered the PDF (and not the web process on demand), it reads the worker's task
result with ``psql "$DATABASE_URL"``: the ``render_sheet_pdf_task`` enqueued by the save
must be SUCCESSFUL, and the PDF downloaded afterwards must be the file it stored (same
SHA-256).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

SHEET_CODE = "741-2"  # 定住自立圏構想事業 of 玉名市 (README: "After make run ...")
STAFF, PLANNING, PASSWORD = "tamana-staff", "tamana-planning", "evalsheets-demo"
WORKER_WAIT = 120  # seconds for the worker to render the changed sheet
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")  # ManifestStaticFilesStorage names
YEAR = 365 * 24 * 3600
FONT_TYPES = ("font/ttf", "font/sfnt", "application/x-font-ttf", "application/font-sfnt")


class SmokeFailure(Exception):
    pass


def ok(message: str) -> None:
    print(f"  ok  {message}", flush=True)


def check(condition, message: str, detail: str = "") -> None:
    if not condition:
        raise SmokeFailure(message + (f"\n      {detail}" if detail else ""))
    ok(message)


# ------------------------------------------------------------------------------ HTTP


class Response:
    def __init__(self, status, headers, body: bytes, url: str):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "") or ""

    def snippet(self) -> str:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.text)).strip()
        return f"HTTP {self.status} {self.url}: {text[:300]}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # redirects are followed (and checked) by Client.request


class Client:
    """A browser without JavaScript: cookies, redirects checked one by one."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base + "/", path)

    def request(self, path, *, data=None, headers=None, follow=True, referer=None) -> Response:
        url = self.url(path)
        if isinstance(data, list):
            data = [tuple(pair) for pair in data]
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        for _ in range(6):
            request = urllib.request.Request(url, data=body, headers=dict(headers or {}))
            if referer:
                request.add_header("Referer", referer)
            try:
                with self.opener.open(request, timeout=60) as raw:
                    response = Response(raw.status, raw.headers, raw.read(), url)
            except urllib.error.HTTPError as error:
                response = Response(error.code, error.headers, error.read(), url)
            if not (follow and response.status in (301, 302, 303, 307, 308)):
                return response
            location = urllib.parse.urljoin(url, response.header("Location"))
            if not location.startswith(self.base + "/"):
                raise SmokeFailure(
                    f"{url} redirects to {location}, outside {self.base} "
                    "(an HTTPS redirect on a plain-HTTP server?)"
                )
            url, body = location, None  # the browser follows with a GET
        raise SmokeFailure(f"too many redirects from {path}")

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def wait_until_up(client: Client, pids: list[int], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                raise SmokeFailure(f"process {pid} (web or worker) exited at start") from None
        try:
            client.opener.open(client.url("/login/"), timeout=5).close()
            break
        except urllib.error.HTTPError:
            break  # it answers: that is all we wait for here
        except OSError:
            if time.monotonic() > deadline:
                raise SmokeFailure(f"nothing answers on {client.base} after {seconds} s") from None
            time.sleep(0.3)
    ok(f"the server answers on {client.base}")


# ------------------------------------------------------------------------------ HTML


class Page(HTMLParser):
    """Forms (every input, select and textarea), table rows, stylesheets and scripts."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.rows: list[dict] = []
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self._form = self._select = self._textarea = self._row = self._cell = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "link" and "stylesheet" in a.get("rel", "").split():
            self.stylesheets.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "form":
            self._form = {"attrs": a, "fields": [], "buttons": [], "texts": [], "areas": []}
            self.forms.append(self._form)
        elif tag == "tr":
            self._row = {"cells": [], "links": []}
            self.rows.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row["cells"].append(self._cell)
        elif tag == "a" and self._row is not None and a.get("href"):
            self._row["links"].append(a["href"])
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button"):
                if name:
                    self._form["buttons"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if name and "checked" in a:
                    self._form["fields"].append([name, a.get("value", "on")])
            elif name and kind not in ("file", "reset"):
                self._form["fields"].append([name, a.get("value", "")])
                if kind in ("text", "search", ""):
                    self._form["texts"].append(len(self._form["fields"]) - 1)
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit" and name:
                self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value"), "selected" in a, []))
        elif tag == "textarea" and name:
            self._textarea = [name, []]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._select is not None and self._select["options"]:
            self._select["options"][-1][2].append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = self._cell = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # A browser drops one newline right after <textarea>.
            text = text[1:] if text.startswith("\n") else text
            self._form["fields"].append([name, text])
            self._form["texts"].append(len(self._form["fields"]) - 1)
            self._form["areas"].append(len(self._form["fields"]) - 1)
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            options = [
                (value if value is not None else "".join(label).strip(), selected)
                for value, selected, label in self._select["options"]
            ]
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not self._select["multiple"]:
                chosen = [options[0][0]]
            for value in chosen:
                self._form["fields"].append([self._select["name"], value])
            self._select = None
        elif tag == "form":
            self._form = None


def cell_text(cell) -> str:
    return re.sub(r"\s+", " ", "".join(cell)).strip()


def visible_text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


# ----------------------------------------------------------------------------- steps


def log_in(client: Client, user: str) -> None:
    page = client.request("/login/")
    check(page.status == 200, "GET /login/ → 200", page.snippet())
    forms = Page(page.text).forms
    form = next((f for f in forms if f["attrs"].get("method", "").lower() == "post"), None)
    check(form is not None, "the login page has a POST form")
    fields = dict(form["fields"])
    check(fields.get("csrfmiddlewaretoken"), "the login form carries a CSRF token")
    check(client.cookie("csrftoken"), "the csrftoken cookie is kept on plain HTTP (not Secure)")
    fields.update(username=user, password=PASSWORD)
    home = client.request("/login/", data=fields, referer=client.url("/login/"))
    check(home.status == 200, f"POST /login/ as {user} → a page", home.snippet())
    check(client.cookie("sessionid"), "a session cookie was set and kept on plain HTTP")
    check("ログアウト" in home.text, f"logged in as {user} (ログアウト offered)", home.snippet())


def find_sheet(client: Client) -> tuple[str, str]:
    listing = client.request("/sheets/")
    check(listing.status == 200, "GET /sheets/ → 200", listing.snippet())
    rows = [
        r for r in Page(listing.text).rows if r["cells"] and cell_text(r["cells"][0]) == SHEET_CODE
    ]
    check(rows and rows[0]["links"], f"the list shows {SHEET_CODE} with a link")
    # The list is sorted by year, newest first: the first row is the current demo year.
    row = rows[0]
    year = cell_text(row["cells"][4]) if len(row["cells"]) > 4 else "?"
    sheet_url = urllib.parse.urlsplit(client.url(row["links"][0])).path
    ok(f"{SHEET_CODE} {cell_text(row['cells'][1])} {year}: {sheet_url}")
    sheet = client.request(sheet_url)
    check(
        sheet.status == 200 and SHEET_CODE in sheet.text,
        f"GET {sheet_url} → the sheet",
        sheet.snippet(),
    )
    return sheet_url, sheet.text


def reopen(client: Client, sheet_url: str) -> None:
    """The demo sheets are published: the 企画課 reopens one (a draft again) for editing."""
    sheet = client.request(sheet_url)
    form = next(
        (f for f in Page(sheet.text).forms if f["attrs"].get("action", "").endswith("/reopen/")),
        None,
    )
    check(form is not None, f"{sheet_url} offers 再開 to {PLANNING}", sheet.snippet())
    fields = [
        [name, "スモーク試験のため再開" if i in form["texts"] else value]
        for i, (name, value) in enumerate(form["fields"])
    ]
    action = urllib.parse.urlsplit(client.url(form["attrs"]["action"])).path
    done = client.request(action, data=fields, referer=client.url(sheet_url))
    check(
        done.status == 200 and "を行いました" in done.text,
        f"POST {action} → the sheet is a draft again",
        done.snippet(),
    )


def edit_and_save(client: Client, sheet_url: str) -> tuple[str, float]:
    edit_url = sheet_url + "edit/"
    edit = client.request(edit_url)
    check(edit.status == 200, f"GET {edit_url} → 200 (the edit form)", edit.snippet())
    page = Page(edit.text)
    form = next((f for f in page.forms if f["attrs"].get("id") == "entry-form"), None)
    check(form is not None, "the edit page has the entry form")
    fields = form["fields"]
    # One text field changed: the first textarea of the sheet itself (not of a row of a
    # yearly grid or table, whose names carry a row number), else the first text input.
    texts = [i for i in form["areas"] if not re.search(r"-\d+-", fields[i][0])] or form["texts"]
    check(texts, "the form has a text field to change")
    index = texts[0]
    marker = f"スモーク試験{int(time.time())}"
    name, before = fields[index]
    fields[index] = [name, (before.rstrip() + "\n" if before.strip() else "") + marker]
    data = [tuple(field) for field in fields] + list(form["buttons"][:1])
    ok(f"posting {len(data)} fields back, {name!r} + {marker!r}")
    enqueued_after = time.time() - 2
    saved = client.request(edit_url, data=data, referer=client.url(edit_url))
    check(saved.status == 200, f"POST {edit_url} → a page", saved.snippet())
    check("入力内容に誤りがあります" not in saved.text, "saved without errors", saved.snippet())
    sheet = client.request(sheet_url)
    check(marker in visible_text(sheet.text), f"the change is on {sheet_url}", sheet.snippet())
    return marker, enqueued_after


def psql(sql: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SmokeFailure("DATABASE_URL (PostgreSQL) is needed to read the worker's task result")
    done = subprocess.run(
        ["psql", url, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True
    )
    if done.returncode:
        raise SmokeFailure(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def wait_for_worker(sheet_id: int, enqueued_after: float) -> dict:
    sql = (
        "SELECT status, coalesce(return_value::text, ''), worker_ids::text, traceback"
        " FROM django_tasks_database_dbtaskresult"
        " WHERE task_path = 'evalsheets.pdf.tasks.render_sheet_pdf_task'"
        f" AND args_kwargs->'args'->>0 = '{sheet_id}'"
        f" AND enqueued_at >= to_timestamp({enqueued_after:.3f})"
        " ORDER BY enqueued_at DESC LIMIT 1"
    )
    started = time.monotonic()
    status = ""
    while time.monotonic() - started < WORKER_WAIT:
        row = psql(sql)
        if row:
            status, value, workers, traceback = row.split("|", 3)
            if status == "SUCCESSFUL":
                result = json.loads(value)
                ok(
                    f"the worker {workers} rendered the changed sheet in the background "
                    f"({time.monotonic() - started:.1f} s after the save; "
                    f"{result['pages']} pages, sha256 {result['sha256'][:12]}…)"
                )
                return result
            if status == "FAILED":
                raise SmokeFailure(f"the render task failed in the worker:\n{traceback}")
        time.sleep(0.5)
    raise SmokeFailure(
        f"no finished render task for sheet {sheet_id} after {WORKER_WAIT} s "
        f"(last status: {status or 'not enqueued'})"
    )


def download_pdf(client: Client, sheet_url: str, result: dict, marker: str) -> None:
    pdf = client.request(sheet_url + "pdf/")
    check(pdf.status == 200, f"GET {sheet_url}pdf/ → 200", pdf.snippet())
    check(
        pdf.header("Content-Type").startswith("application/pdf"),
        "Content-Type: application/pdf",
        pdf.header("Content-Type"),
    )
    check(pdf.body.startswith(b"%PDF-"), f"the body is a PDF ({len(pdf.body):,} bytes)")
    digest = hashlib.sha256(pdf.body).hexdigest()
    check(digest == result["sha256"], "it is the file the worker stored (same SHA-256)", digest)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.body, capture_output=True, check=True
        ).stdout.decode("utf-8", "replace")
        check(marker in re.sub(r"\s+", "", text), "the PDF shows the change (pdftotext)")


def static_files(client: Client, edit_html: str) -> None:
    page = Page(edit_html)
    assets = [(url, "css") for url in page.stylesheets] + [(url, "js") for url in page.scripts]
    check(
        any(kind == "css" for _, kind in assets) and any(kind == "js" for _, kind in assets),
        f"the edit page links its CSS and JavaScript: {', '.join(url for url, _ in assets)}",
    )
    for url, kind in assets:
        path = urllib.parse.urlsplit(client.url(url)).path
        check(path.startswith("/static/") and HASHED.search(path), f"{path} is a hashed name")
        response = client.request(path)
        expected = ("text/css",) if kind == "css" else ("text/javascript", "application/javascript")
        content_type = response.header("Content-Type")
        check(
            response.status == 200 and content_type.split(";")[0] in expected and response.body,
            f"GET {path} → 200 {content_type}",
            response.snippet(),
        )
        max_age = re.search(r"max-age=(\d+)", response.header("Cache-Control"))
        check(
            max_age and int(max_age.group(1)) >= YEAR,
            f"  cached for a long time: {response.header('Cache-Control')}",
        )
        packed = client.request(path, headers={"Accept-Encoding": "gzip"})
        check(
            packed.header("Content-Encoding") == "gzip"
            and gzip.decompress(packed.body) == response.body,
            f"  served gzipped on request ({len(packed.body):,} of {len(response.body):,} bytes)",
        )
    font = client.request("/static/fonts/ipaexg.ttf")
    content_type = font.header("Content-Type").split(";")[0]
    check(
        font.status == 200 and content_type in FONT_TYPES and font.body[:4] == b"\x00\x01\x00\x00",
        f"GET /static/fonts/ipaexg.ttf → 200 {content_type}, a TrueType font "
        f"({len(font.body):,} bytes)",
        font.snippet() if font.status != 200 else content_type,
    )


def health(base: str) -> None:
    client = Client(base)  # no session: a load balancer does not log in
    response = client.request("/health/")
    check(response.status == 200, "GET /health/ (not logged in) → 200", response.snippet())
    check(
        response.header("Content-Type").startswith("application/json"),
        f"  JSON: {response.text.strip()[:300]}",
    )
    body = json.loads(response.text)
    check(body.get("status") == "ok", "  status ok")
    for name in ("database", "storage", "tasks"):
        check(body.get("checks", {}).get(name, {}).get("ok") is True, f"  {name} ok")


def security_headers(client: Client, sheet_url: str) -> None:
    failures = []
    for path in (sheet_url, "/login/"):
        response = client.request(path)
        h = response.header
        csp = h("Content-Security-Policy")
        frame_ancestors = re.search(r"frame-ancestors\s+'none'", csp)
        expectations = [
            (h("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options: nosniff"),
            (h("Referrer-Policy") != "", f"Referrer-Policy: {h('Referrer-Policy') or '(none)'}"),
            (
                h("X-Frame-Options").upper() in ("DENY", "SAMEORIGIN") or frame_ancestors,
                f"no framing: X-Frame-Options {h('X-Frame-Options') or '(none)'}"
                f"{', CSP frame-ancestors none' if frame_ancestors else ''}",
            ),
            ("default-src" in csp, f"Content-Security-Policy: {csp[:120] or '(none)'}"),
            (
                h("Permissions-Policy") != "",
                f"Permissions-Policy: {h('Permissions-Policy')[:80] or '(none)'}",
            ),
        ]
        for passed, message in expectations:
            print(f"  {'ok' if passed else 'FAIL'}  {path}: {message}", flush=True)
            if not passed:
                failures.append(f"{path}: {message}")
    if failures:
        raise SmokeFailure("security headers missing:\n      " + "\n      ".join(failures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="http://127.0.0.1:PORT")
    parser.add_argument("--pids", nargs="*", type=int, default=[], help="web and worker")
    args = parser.parse_args()
    client = Client(args.base)
    try:
        wait_until_up(client, args.pids)
        print(f"{PLANNING} reopens {SHEET_CODE}", flush=True)
        planning = Client(args.base)
        log_in(planning, PLANNING)
        sheet_url, _ = find_sheet(planning)
        reopen(planning, sheet_url)
        print(f"{STAFF} logs in, opens {SHEET_CODE} and changes it", flush=True)
        log_in(client, STAFF)
        check(find_sheet(client)[0] == sheet_url, f"{STAFF} finds the same sheet")
        marker, enqueued_after = edit_and_save(client, sheet_url)
        print("the worker renders the PDF", flush=True)
        sheet_id = int(sheet_url.strip("/").split("/")[-1])
        result = wait_for_worker(sheet_id, enqueued_after)
        download_pdf(client, sheet_url, result, marker)
        print("static files (WhiteNoise)", flush=True)
        static_files(client, client.request(sheet_url + "edit/").text)
        print("health endpoint", flush=True)
        health(args.base)
        print("security headers", flush=True)
        security_headers(client, sheet_url)
    except SmokeFailure as failure:
        print(f"  FAIL {failure}", flush=True)
        return 1
    print("all smoke checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
