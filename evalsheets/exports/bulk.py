"""Bulk export for the 企画課: a ZIP of the stored PDFs, or booklets.

Both run as a background job (``ExportJob`` + ``tasks.run_export_job``) and from the
command line (``export_pdfs``); both read the sheets in batches with the prefetches of
``with_children`` (a few queries per batch instead of per sheet). The steps live in
their own modules:

* ``selection``: which sheets (year, 部, 施策, state), grouped by 施策, loaded in batches;
* ``zip``: one stored PDF per sheet in a ZIP;
* ``booklet``: the stored PDFs joined with one font subset per face, front matter
  (目次, cover lists, drawn by ``front``), page numbers;
* ``jobs``: an ``ExportJob`` created, run, its progress and its file.

This module only names the entry points for the callers that import ``bulk``.
"""

from evalsheets.exports.booklet import (
    ExportError,
    booklet_title,
    write_booklet,
    write_policy_booklets,
)
from evalsheets.exports.jobs import Progress, create_job, produce, result_name, run_job
from evalsheets.exports.selection import Entry, Group, plan_groups, select_sheets, stored_pdfs
from evalsheets.exports.zip import write_zip

__all__ = [
    "Entry",
    "ExportError",
    "Group",
    "Progress",
    "booklet_title",
    "create_job",
    "plan_groups",
    "produce",
    "result_name",
    "run_job",
    "select_sheets",
    "stored_pdfs",
    "write_booklet",
    "write_policy_booklets",
    "write_zip",
]
