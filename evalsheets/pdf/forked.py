"""Run one piece of heavy layout work in a short-lived child process.

A booklet lays out 20 sheets at a time and holds them until their chunk is written.
Freed, that memory does not all go back to the system: the heap keeps fragments, and a
worker grows with every chunk although no Python object survives (measured:
docs/performance.md). A chunk laid out in a forked child
takes its memory with it when the child exits, so the worker stays at its footprint
whatever the number of sheets.

``run(fn, *args)`` calls ``fn(*args)`` in a child forked for that call
(``concurrent.futures.ProcessPoolExecutor`` with the "fork" start method: the child
starts with the fonts and stylesheets already loaded, and exceptions come back with
their traceback). ``tick()``, called in the child, advances the counter that ``run``
hands to its ``progress`` callback in the parent every half second. The child gets its
arguments pickled and never touches the database (its connections are the parent's:
a query there raises).

Where fork is not available, or with the ``EXPORT_FORK = False`` setting, ``fn`` runs
in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait

from django.conf import settings
from django.db import connections

_counter = None  # in a child: the shared count that tick() advances


def enabled() -> bool:
    return getattr(settings, "EXPORT_FORK", True) and hasattr(os, "fork")


def _no_database(execute, sql, params, many, context):
    raise RuntimeError("a layout child process must not use the database")


def _start_child(counter):
    global _counter
    _counter = counter
    # The child shares the parent's database connections (same sockets): a query here
    # would interleave with the parent's. Nothing in a child queries; make sure of it.
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_no_database)


def tick():
    """One more item done (in a child: visible to the parent's progress callback)."""
    if _counter is not None:
        _counter.value += 1


class _Here:
    """The counter when ``fn`` runs in this process: each tick reports at once."""

    def __init__(self, progress):
        self._value, self._progress = 0, progress

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, value: int):
        self._value = value
        if self._progress is not None:
            self._progress(value)


def run(fn: Callable, *args, progress: Callable[[int], None] | None = None, interval=0.5):
    """``fn(*args)`` in a forked child; ``progress(n)`` with the number of ``tick()``s so
    far, in this process, every ``interval`` seconds and at the end."""
    global _counter
    if not enabled():
        previous, _counter = _counter, _Here(progress)
        try:
            return fn(*args)
        finally:
            _counter = previous
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0, lock=False)  # one writer: the child
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=_start_child, initargs=(counter,)
    ) as pool:
        future = pool.submit(fn, *args)
        while True:
            finished, _pending = wait([future], timeout=interval)
            if progress is not None:
                progress(counter.value)
            if finished:
                return future.result()
