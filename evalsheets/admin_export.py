"""django-import-export's admin with the project's fixes, for every admin that imports or exports.

* A bad filter in the export URL is a 400. The export view builds the changelist's
  queryset from the URL's filters; a filter that names no field (a stale bookmark, a
  typo) raises ``IncorrectLookupParameters``, which the changelist itself turns into a
  redirect but the export view lets through as a 500.
* Every export format applies ``spreadsheet_safety``'s rule (a text is never written as
  a formula); numbers, dates and booleans reach the formats that write them typed
  (``native_types``) as such, so that only texts are escaped.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import BINARY_FORMATS

from .spreadsheet_safety import EXPORT_FORMATS, IMPORT_FORMATS


class ImportExportAdmin(ImportExportModelAdmin):
    export_formats = EXPORT_FORMATS
    import_formats = IMPORT_FORMATS

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
