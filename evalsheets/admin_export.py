"""django-import-export's admin with one fix: a bad filter in the export URL is a 400.

The export view builds the changelist's queryset from the URL's filters; a filter that
names no field (a stale bookmark, a typo) raises ``IncorrectLookupParameters``, which the
changelist itself turns into a redirect but the export view lets through as a 500.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin


class ImportExportAdmin(ImportExportModelAdmin):
    def get_export_queryset(self, request):
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as exc:
            raise BadRequest(_("絞り込みの条件が正しくありません。")) from exc
