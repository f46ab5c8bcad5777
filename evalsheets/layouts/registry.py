"""Where layouts come from: the built-in definition files, read once per process, and the
versions installed in the database, read through a source the models layer registers
(``set_installed_source``) and kept for ``CACHE_SECONDS`` (so that every worker sees a new
version within that time without a query per page)."""

import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings

from evalsheets.layouts.base import SheetLayout, UnknownLayout
from evalsheets.layouts.definition import parse_file

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
CACHE_SECONDS = float(getattr(settings, "SHEET_LAYOUT_CACHE_SECONDS", 30))

# An installed version: (layout, valid_from) — it applies to sheets of fiscal years from
# valid_from on (None: every year).
Installed = list[tuple[SheetLayout, int | None]]

_source: Callable[[], Installed] | None = None
_lock = threading.Lock()
_cache: dict = {"at": None, "versions": {}}


@cache
def built_in_layouts() -> dict[str, SheetLayout]:
    return {
        layout.key: layout
        for layout in (parse_file(path) for path in sorted(DEFINITIONS.glob("*.yaml")))
    }


def set_installed_source(source: Callable[[], Installed]) -> None:
    global _source
    _source = source
    forget_installed()


def forget_installed() -> None:
    """Read the installed versions again at the next lookup."""
    with _lock:
        _cache["at"] = None


def assume_none_installed() -> None:
    """Take it that no version is installed, without asking the database (the tests, whose
    database starts empty for each test)."""
    with _lock:
        _cache.update(at=time.monotonic(), versions={})


def refresh_installed() -> None:
    """Read the installed versions now (after an install, so that the next page needs no
    query for them)."""
    forget_installed()
    _installed()


def _installed() -> dict[str, list[tuple[SheetLayout, int | None]]]:
    now = time.monotonic()
    with _lock:
        if _cache["at"] is not None and now - _cache["at"] < CACHE_SECONDS:
            return _cache["versions"]
    versions: dict[str, list] = {}
    for layout, valid_from in _source() if _source is not None else []:
        versions.setdefault(layout.key, []).append((layout, valid_from))
    for entries in versions.values():
        entries.sort(key=lambda entry: (entry[1] or 0, entry[0].version))
    with _lock:
        _cache.update(at=now, versions=versions)
    return versions


def get_layout(key: str, fiscal_year: int | None = None) -> SheetLayout:
    """The layout ``key`` as it applies to a sheet of ``fiscal_year``: the latest version
    (built-in file or installed) whose valid_from is not after it; without a year, the
    latest version."""
    versions = list(_installed().get(key, ()))
    built_in = built_in_layouts().get(key)
    if built_in is not None:
        versions.insert(0, (built_in, None))
    if not versions:
        raise UnknownLayout(key)
    applicable = [
        layout
        for layout, valid_from in versions
        if fiscal_year is None or valid_from is None or valid_from <= fiscal_year
    ]
    return (applicable or versions)[-1]


def all_layouts() -> dict[str, SheetLayout]:
    """The latest version of every layout, built-in or installed."""
    layouts = dict(built_in_layouts())
    for key, entries in _installed().items():
        layouts[key] = entries[-1][0]
    return layouts
