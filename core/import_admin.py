"""django-import-export's admin with the project's fixes, for every admin that imports or exports.

* A bad filter in the export URL is a 400. The export view builds the changelist's
  queryset from the URL's filters; a filter that names no field (a stale bookmark, a
  typo) raises ``IncorrectLookupParameters``, which the changelist itself turns into a
  redirect but the export view lets through as a 500.
* The import refuses a file over the size or row limits before reading it
  (``import_limits``), with a message next to the file field.
* Every export format applies ``spreadsheet_safety``'s rule (a text is never written as
  a formula); numbers, dates and booleans reach the formats that write them typed
  (``native_types``) as such, so that only texts are escaped.
* A confirmed import that failed says so (the library reports success whatever
  happened): nothing imported, or — for a large file imported in batches
  (core.batched_import) — which rows were imported and that re-importing the
  same file is safe.
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import BINARY_FORMATS

from core.import_limits import LimitedImportForm, oversized_uploads
from core.spreadsheet_safety import EXPORT_FORMATS, IMPORT_FORMATS


class ImportExportAdmin(ImportExportModelAdmin):
    export_formats = EXPORT_FORMATS
    import_formats = IMPORT_FORMATS
    import_form_class = LimitedImportForm

    def get_import_form_kwargs(self, request):
        kwargs = super().get_import_form_kwargs(request)
        if request.method == "POST":
            kwargs["oversized"] = oversized_uploads(request)
        return kwargs

    def get_export_queryset(self, request):
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as exc:
            raise BadRequest(_("絞り込みの条件が正しくありません。")) from exc

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # As the library's own, but the format says whether it takes native values.
        if not self.has_export_permission(request):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        native = getattr(file_format, "native_types", type(file_format) in BINARY_FORMATS)
        data = self.get_data_for_export(request, queryset, force_native_type=native, **kwargs)
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data

    def process_result(self, result, request):
        # The confirmed import failed (a batch with an error: core.batched_import):
        # say what was imported and what was not, instead of the library's success message.
        stopped = getattr(result, "stopped_at_row", None)
        if stopped is None and not result.has_errors():
            return super().process_result(result, request)
        self.generate_log_entries(result, request)  # the rows that were imported, if any
        number, error = _first_error(result)
        if stopped and stopped > 1:
            message = _(
                "%(number)s行目に誤りがあったため、取り込みを%(stopped)s行目で止めました。"
                "1〜%(done)s行目は取り込み済み、%(stopped)s行目以降は取り込んでいません"
                "（誤り：%(error)s）。直したファイルをもう一度取り込んでください。"
                "取り込み済みの行はコードで照合されるので、二重には登録されません。"
            ) % {"number": number, "stopped": stopped, "done": stopped - 1, "error": error}
        else:
            message = _(
                "%(number)s行目に誤りがあったため、何も取り込んでいません（誤り：%(error)s）。"
                "直したファイルをもう一度取り込んでください。"
            ) % {"number": number, "error": error}
        messages.error(request, message)
        app_label, model_name = self.get_model_info()
        url = reverse(
            f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name
        )
        return HttpResponseRedirect(url)


def _first_error(result) -> tuple[str, str]:
    """(row number, message) of the first error of an import result."""
    for error in result.base_errors:
        return "—", str(error.error)
    for row in result.error_rows:
        for error in row.errors:
            return str(row.number), str(error.error)
    for invalid in result.invalid_rows:
        return str(invalid.number), "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in invalid.error_dict.items()
        )
    return "—", "—"
