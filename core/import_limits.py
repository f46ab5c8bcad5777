"""How large a file the admin's import accepts, checked before the file is read.

An import of master data is a few thousand rows; a file over ``import_max_bytes()``
(10 MB) or ``import_max_rows()`` (50,000 rows, the header not counted) is refused with a
Japanese message next to the file field, before django-import-export reads it into
memory and runs its dry run (a 3-million-row file once ran for 20 minutes at 12 GB).

* ``LimitedUploadHandler`` (first of ``FILE_UPLOAD_HANDLERS``) stops keeping any
  uploaded file once it passes the byte limit, while it arrives: nothing over the limit
  reaches the disk or a view, which only learns which field was too large
  (``oversized_uploads``).
* ``LimitedImportForm`` says so, and counts rows by streaming: CSV and TSV with the
  ``csv`` module (a line break inside a quoted cell is one row), Excel with openpyxl's
  read-only reader, after checking how large the workbook's parts are once unpacked (a
  small .xlsx can unpack to gigabytes).

The limits are settings (``EVALSHEETS_IMPORT_MAX_BYTES``, ``EVALSHEETS_IMPORT_MAX_ROWS``,
from the environment of the same names).
"""

import codecs
import csv
import zipfile

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from import_export.forms import ImportForm

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
# An .xlsx is a ZIP of XML: refuse one whose parts unpack to more than this many times
# the byte limit (real master data unpacks to about 5 times its size).
UNPACKED_FACTOR = 20

_OVERSIZED = "_evalsheets_oversized_uploads"


def import_max_bytes() -> int:
    return getattr(settings, "EVALSHEETS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def import_max_rows() -> int:
    return getattr(settings, "EVALSHEETS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def limits_text() -> str:
    return _("取り込めるファイルは%(mb)s MB、%(rows)s行（見出しの行を除く）までです。") % {
        "mb": _megabytes(import_max_bytes()),
        "rows": f"{import_max_rows():,}",
    }


def oversized_uploads(request) -> set[str]:
    """Names of the file fields whose upload was dropped for being over the limit."""
    return getattr(request, _OVERSIZED, set())


class LimitedUploadHandler(FileUploadHandler):
    """Drops an uploaded file once it passes ``import_max_bytes()`` (while it arrives)."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.limit = import_max_bytes()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            if self.request is not None:
                if not hasattr(self.request, _OVERSIZED):
                    setattr(self.request, _OVERSIZED, set())
                getattr(self.request, _OVERSIZED).add(self.field_name)
            raise SkipFile  # the parser reads past the rest of this file, keeping nothing
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file


def _too_large_message(size: int | None = None) -> str:
    return _(
        "ファイルが大きすぎます。取り込めるのは%(mb)s MBまでです。ファイルを分けてください。"
    ) % {"mb": _megabytes(import_max_bytes())}


def _too_many_rows_message() -> str:
    return _(
        "行が多すぎます。一度に取り込めるのは%(rows)s行（見出しの行を除く）までです。"
        "ファイルを分けてください。"
    ) % {"rows": f"{import_max_rows():,}"}


def _count_delimited_rows(upload, delimiter: str, stop: int) -> int:
    """Rows after the header, counted as the csv module reads them; stops at ``stop``."""
    upload.seek(0)
    lines = codecs.iterdecode(upload, "utf-8-sig", errors="replace")
    count = -1  # the header
    for _row in csv.reader(lines, delimiter=delimiter):
        count += 1
        if count >= stop:
            break
    upload.seek(0)
    return max(count, 0)


def _xlsx_unpacked_size(upload) -> int | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return None  # not an .xlsx: the format's own reading says so
    finally:
        upload.seek(0)


def _count_xlsx_rows(upload, stop: int) -> int:
    from openpyxl import load_workbook

    upload.seek(0)
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # not a workbook: the format's own reading says so
        return 0
    try:
        count = -1
        for _row in book.active.iter_rows(values_only=True):
            count += 1
            if count >= stop:
                break
    finally:
        book.close()
        upload.seek(0)
    return max(count, 0)


class LimitedImportForm(ImportForm):
    """The import form with the size and row limits (stated under the file field)."""

    def __init__(self, formats, resources, *, oversized=(), **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats
        self.oversized = set(oversized)
        self.fields["import_file"].help_text = limits_text()
        self.fields["import_file"].error_messages["required"] = _(
            "取り込むファイルを選んでください。"
        )

    def clean(self):
        if "import_file" in self.oversized:
            self.errors.pop("import_file", None)  # not "required": it was too large
            self.add_error("import_file", _too_large_message())
            return self.cleaned_data
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        index = cleaned.get("format")
        if upload is None or index in (None, ""):
            return cleaned
        if upload.size > import_max_bytes():
            self.add_error("import_file", _too_large_message(upload.size))
            return cleaned
        title = self.import_formats[int(index)]().get_title()
        stop = import_max_rows() + 1
        if title in ("csv", "tsv"):
            rows = _count_delimited_rows(upload, "," if title == "csv" else "\t", stop)
        elif title == "xlsx":
            unpacked = _xlsx_unpacked_size(upload)
            if unpacked is not None and unpacked > UNPACKED_FACTOR * import_max_bytes():
                self.add_error(
                    "import_file",
                    _(
                        "このExcelファイルは展開すると大きすぎます（%(mb)s MB）。"
                        "ファイルを分けてください。"
                    )
                    % {"mb": _megabytes(unpacked)},
                )
                return cleaned
            rows = _count_xlsx_rows(upload, stop)
        else:  # a format without a streaming count: not offered for import
            self.add_error("import_file", _("この形式のファイルは取り込めません。"))
            return cleaned
        if rows > import_max_rows():
            self.add_error("import_file", _too_many_rows_message())
        return cleaned
