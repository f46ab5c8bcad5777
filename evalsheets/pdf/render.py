"""The official sheet as PDF: template → HTML → WeasyPrint, in one module.

* ``render_html(sheet)`` fills ``templates/pdf/<form>.html`` (Django autoescape:
  user text is never markup) from ``display.sheet_context``.
* ``document_from_html(html)`` lays the HTML out into a ``weasyprint.Document`` (with
  the lean user-agent stylesheet of ``pdf_ua``). A booklet does not lay sheets out again:
  it copies their stored PDFs (evalsheets.exports.booklet, pdf.join, pdf.fontmerge).
* ``ensure_pdf(sheet)`` renders once and keeps the result (``SheetPDF``): the key is
  the SHA-256 of the HTML plus ``LAYOUT_VERSION``; a published sheet's PDF is frozen.
* ``schedule_pdf(sheet)`` does the same in the background (Django tasks API).

Resources: the only URLs WeasyPrint may open are files under ``PDF_STATIC_ROOT``
(the project's own ``static/``: the stylesheet and the IPAex fonts). The fonts are
committed under ``static/fonts/`` with the IPA licence rather than read from the
Debian package: every machine and CI then renders byte-for-byte the same glyphs
without an apt step, and the fetcher can confine WeasyPrint to one directory.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import mimetypes
import re
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core import calculations
from core.choices import APPROVED_STATES as FINAL_STATES  # final: no 下書き watermark
from core.choices import Allocation
from evalsheets.models import EvaluationSheet
from evalsheets.pdf.ua import SheetHTML
from evalsheets.sheets.display import sheet_context

logger = logging.getLogger(__name__)

# Bump when the printed layout changes in a way the HTML does not show (CSS is
# hashed in automatically, see layout_version()).
LAYOUT_VERSION = "1"
PDF_STATIC_ROOT = Path(getattr(settings, "PDF_STATIC_ROOT", settings.BASE_DIR / "static"))
STYLESHEET = PDF_STATIC_ROOT / "pdf" / "sheet.css"
RENDER_TIMEOUT = float(getattr(settings, "PDF_RENDER_TIMEOUT", 30))


class RenderTimeout(Exception):
    """The layout of one sheet took longer than the time limit."""


# --------------------------------------------------------------------------- fetcher


class RefusedURL(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Opens ``file:`` URLs inside the static root and nothing else.

    No http/https/ftp, no ``data:`` (user text could carry one into a style
    attribute), no file outside the root (``..`` and symlinks resolved first).
    Every attempt is recorded in ``attempts``; refused ones also in ``refused``.
    """

    def __init__(self, root: Path = PDF_STATIC_ROOT):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = Path(root).resolve()
        self.attempts: list[str] = []
        self.refused: list[str] = []

    def _path_of(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"PDF: refused URL {url!r} (only the project's static files)")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"PDF: refused file {url!r} (outside {self.root})")
        return path

    def fetch(self, url, headers=None):
        self.attempts.append(url)
        try:
            path = self._path_of(url)
        except RefusedURL:
            self.refused.append(url)
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


# ------------------------------------------------------------------ fonts and styles


_local = threading.local()


def _resources():
    """(FontConfiguration, CSS) of this thread, built once: loading the 6 MB font is
    the slow part of a cold render, so a process pays it once per thread."""
    if getattr(_local, "css", None) is None:
        font_config = FontConfiguration()
        _local.css = CSS(
            filename=str(STYLESHEET), url_fetcher=StaticOnlyFetcher(), font_config=font_config
        )
        _local.font_config = font_config
        # The fonts, stylesheet, Django and WeasyPrint live as long as the process:
        # keep them out of the cyclic GC's full collections, which otherwise walk
        # them during every render (what it saves: docs/performance.md).
        gc.freeze()
    return _local.font_config, _local.css


def layout_version() -> str:
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    digest.update(STYLESHEET.read_bytes())
    return digest.hexdigest()


# -------------------------------------------------------------------------- HTML


def load_sheet(pk) -> EvaluationSheet:
    return EvaluationSheet.objects.with_children().get(pk=pk)


def _normal_name(name: str) -> str:
    return re.sub(r"[\sを]", "", name or "")


def pdf_context(sheet: EvaluationSheet) -> dict:
    """sheet_context plus what only the printed forms show."""
    context = sheet_context(sheet)
    for column in context["cost_columns"]:
        effort = column.effort
        column.staff_cost = column.part_time_cost = None
        if effort is not None:
            column.staff_cost = calculations.personnel_cost(
                effort.staff_fte, 0, column.staff_salary, 0
            )
            column.part_time_cost = calculations.personnel_cost(
                0, effort.part_time_fte, 0, column.part_time_salary
            )
    chain = context["plan_chain"]
    kpis = {_normal_name(k.name): k for k in chain[-1].kpis.all()} if chain else {}
    for row in context["outcome_rows"]:
        kpi = kpis.get(_normal_name(row.indicator.name))
        row.kpi = kpi
    fy = sheet.fiscal_year
    context.update(
        draft=sheet.state not in FINAL_STATES,
        past_years=[y for y in context["outcome_years"] if y < fy],
        settled_columns=[c for c in context["year_columns"] if c.fiscal_year < fy],
        current_columns=[c for c in context["year_columns"] if c.fiscal_year == fy],
        result_years=[fy - 1, fy],
        future_years=[fy + 1, fy + 2, fy + 3],
        allocation_choices=Allocation.choices,
        column_by_year={c.fiscal_year: c for c in context["year_columns"]},
        sub_slots=_slots(context["sub_projects"], 3),
    )
    return context


def _slots(items, n):
    """The paper prints ①②③ even when empty: pad to n."""
    items = list(items)
    return items + [None] * max(0, n - len(items))


def render_html(sheet: EvaluationSheet) -> str:
    return render_to_string(sheet.layout.pdf_template, pdf_context(sheet))


def content_hash(html: str) -> str:
    digest = hashlib.sha256(html.encode("utf-8"))
    digest.update(layout_version().encode())
    return digest.hexdigest()


# ----------------------------------------------------------------------- render


def _base_url() -> str:
    return PDF_STATIC_ROOT.resolve().as_uri() + "/"


def document_from_html(html: str, *, fetcher: StaticOnlyFetcher | None = None, stylesheets=()):
    """Lay ``html`` out with the sheet stylesheet, then ``stylesheets`` (CSS objects built
    with this thread's ``_resources()[0]`` font configuration, e.g. a booklet's)."""
    font_config, css = _resources()
    return SheetHTML(
        string=html, base_url=_base_url(), url_fetcher=fetcher or StaticOnlyFetcher()
    ).render(font_config=font_config, stylesheets=[css, *stylesheets])


@contextlib.contextmanager
def _alarm(seconds: float):
    def on_alarm(signum, frame):
        raise RenderTimeout(f"PDF rendering took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _render_thread() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-render")
        return _executor


def with_time_limit(fn, *args, seconds: float | None = None, **kwargs):
    """Run fn with a time limit.

    In the main thread (management commands, ``db_worker``) a SIGALRM interrupts
    the layout itself. Elsewhere (threaded web servers) signals cannot be used: the
    work runs on a dedicated render thread and the caller stops waiting at the
    deadline; that thread is then abandoned (a new one serves the next call), since
    Python cannot kill a thread.
    """
    global _executor
    seconds = RENDER_TIMEOUT if seconds is None else seconds
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            return fn(*args, **kwargs)
    future = _render_thread().submit(fn, *args, **kwargs)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout as exc:
        with _executor_lock:
            if _executor is not None:
                _executor.shutdown(wait=False, cancel_futures=True)
            _executor = None
        raise RenderTimeout(f"PDF rendering took longer than {seconds} s") from exc


def layout_pdf(
    html: str, *, fetcher: StaticOnlyFetcher | None = None, seconds: float | None = None
) -> tuple[bytes, int]:
    """PDF bytes and page count of one sheet's HTML, within the time limit. Stores nothing."""
    return with_time_limit(_layout_and_write, html, fetcher or StaticOnlyFetcher(), seconds=seconds)


def _layout_and_write(html: str, fetcher: StaticOnlyFetcher) -> tuple[bytes, int]:
    document = document_from_html(html, fetcher=fetcher)
    return document.write_pdf(), len(document.pages)
