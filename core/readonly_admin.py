"""The admin of rows only the application writes (audit trails, stored files, jobs, rounds,
installed definitions): every field shown, nothing added or changed by hand."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppendOnlyAdmin(ReadOnlyAdmin):
    """An audit trail: not even deleted from the admin."""

    def has_delete_permission(self, request, obj=None):
        return False
