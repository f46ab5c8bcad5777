"""The official sheet as PDF: template → HTML → WeasyPrint, in one module.

* ``render_html(sheet)`` fills ``templates/pdf/<form>.html`` (Django autoescape:
  user text is never markup) from ``display.sheet_context``.
* ``document_from_html(html)`` lays the HTML out into a ``weasyprint.Document`` (with
  the lean user-agent stylesheet of ``pdf_ua``); a booklet joins chunks of them with
  ``join_documents`` (``Document.copy``) and writes once, so the font subset is shared.
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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import calculations
from .choices import Allocation, SheetState
from .display import sheet_context, sheet_prefetches
from .models import EvaluationSheet, SheetPDF
from .pdf_ua import SheetHTML

logger = logging.getLogger(__name__)

# Bump when the printed layout changes in a way the HTML does not show (CSS is
# hashed in automatically, see layout_version()).
LAYOUT_VERSION = "1"
PDF_STATIC_ROOT = Path(getattr(settings, "PDF_STATIC_ROOT", settings.BASE_DIR / "static"))
STYLESHEET = PDF_STATIC_ROOT / "pdf" / "sheet.css"
TEMPLATES = {
    "tamana_furikaeri": "pdf/tamana_furikaeri.html",
    "isehara_hyoka": "pdf/isehara_hyoka.html",
    "hitoyoshi_plan": "pdf/hitoyoshi_plan.html",
}
# States in which the sheet is final: no 下書き watermark.
FINAL_STATES = (SheetState.APPROVED, SheetState.CONFIRMED, SheetState.PUBLISHED)
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
        # them during every render (bench/bench_pdf.py: about −20 % CPU per sheet).
        gc.freeze()
    return _local.font_config, _local.css


def layout_version() -> str:
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    digest.update(STYLESHEET.read_bytes())
    return digest.hexdigest()


# -------------------------------------------------------------------------- HTML


def load_sheet(pk) -> EvaluationSheet:
    return (
        EvaluationSheet.objects.with_related()
        .select_related("review", "approved_by")
        .prefetch_related(*sheet_prefetches())
        .get(pk=pk)
    )


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
    template = TEMPLATES.get(sheet.form, TEMPLATES["tamana_furikaeri"])
    return render_to_string(template, pdf_context(sheet))


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


@dataclass
class Rendered:
    html: str
    content_hash: str
    pdf: bytes = b""
    pages: int = 0
    fetcher: StaticOnlyFetcher = field(default_factory=StaticOnlyFetcher)


def _layout_and_write(html: str, fetcher: StaticOnlyFetcher) -> tuple[bytes, int]:
    document = document_from_html(html, fetcher=fetcher)
    return document.write_pdf(), len(document.pages)


def render_pdf(sheet: EvaluationSheet, *, seconds: float | None = None) -> Rendered:
    """Render one sheet to PDF bytes, within the time limit. Stores nothing."""
    html = render_html(sheet)
    result = Rendered(html=html, content_hash=content_hash(html))
    result.pdf, result.pages = with_time_limit(
        _layout_and_write, html, result.fetcher, seconds=seconds
    )
    return result


def join_documents(documents):
    """One Document of all pages, written once: the font subset is shared."""
    documents = list(documents)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages)


# ----------------------------------------------------------------------- storage


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def pdf_filename(sheet: EvaluationSheet) -> str:
    """<code>_<name>.pdf, safe on every file system (the Japanese name is kept)."""
    project = sheet.project
    name = _UNSAFE.sub("_", f"{project.code}_{project.name}").strip(" .")
    return f"{name}.pdf"


def _storage_name(sheet: EvaluationSheet, digest: str) -> str:
    code = _UNSAFE.sub("_", sheet.project.code)
    return f"{sheet.project.municipality.code}/{sheet.fiscal_year}/{code}_{digest[:16]}.pdf"


def _stored_ok(record: SheetPDF) -> bool:
    return bool(record.file) and record.file.storage.exists(record.file.name)


def _freeze(record: SheetPDF) -> SheetPDF:
    record.frozen = True
    record.save(update_fields=["frozen"])
    return record


def ensure_pdf(sheet: EvaluationSheet, *, seconds: float | None = None) -> SheetPDF:
    """The stored PDF of the sheet, rendered now if its content changed.

    A published sheet's PDF is frozen for that sheet version: once it exists it is
    returned as is, whatever happens to the sheet's data afterwards.
    """
    return ensure_loaded_pdf(load_sheet(sheet.pk), seconds=seconds)


def ensure_loaded_pdf(sheet: EvaluationSheet, *, seconds: float | None = None) -> SheetPDF:
    """``ensure_pdf`` for a sheet already loaded with its children (``load_sheet`` or a
    batch with the same prefetches, see evalsheets.bulk_export)."""
    published = sheet.state == SheetState.PUBLISHED
    frozen = SheetPDF.objects.filter(sheet=sheet, sheet_version=sheet.version, frozen=True).first()
    if frozen is not None and _stored_ok(frozen):
        return frozen
    html = render_html(sheet)
    digest = content_hash(html)
    existing = SheetPDF.objects.filter(sheet=sheet, content_hash=digest).first()
    if existing is not None and _stored_ok(existing):
        return _freeze(existing) if published and not existing.frozen else existing
    fetcher = StaticOnlyFetcher()
    data, pages = with_time_limit(_layout_and_write, html, fetcher, seconds=seconds)
    return _store(sheet, digest, data, pages, frozen=published, replace=existing)


def _store(sheet, digest, data, pages, *, frozen, replace=None) -> SheetPDF:
    stale = list(SheetPDF.objects.filter(sheet=sheet, frozen=False).exclude(content_hash=digest))
    if replace is not None:  # the row exists but its file went missing
        stale.append(replace)
    try:
        with transaction.atomic():
            for old in stale:
                old.delete()
            record = SheetPDF(
                sheet=sheet,
                sheet_version=sheet.version,
                content_hash=digest,
                sha256=sha256_of(data),
                size=len(data),
                pages=pages,
                frozen=frozen,
            )
            record.file.save(_storage_name(sheet, digest), ContentFile(data), save=False)
            record.save()
    except IntegrityError:
        # Another worker stored the same content first: use theirs.
        record.file.delete(save=False)
        return SheetPDF.objects.get(sheet=sheet, content_hash=digest)
    for old in stale:
        name, storage = old.file.name, old.file.storage
        transaction.on_commit(lambda n=name, s=storage: n and s.delete(n))
    return record


def schedule_pdf(sheet: EvaluationSheet):
    """Render the sheet's PDF in the background once the current transaction commits."""
    from .tasks import render_sheet_pdf_task

    sheet_id = sheet.pk
    # robust: a queue that is down must not turn a committed save into an error page.
    transaction.on_commit(lambda: render_sheet_pdf_task.enqueue(sheet_id), robust=True)
