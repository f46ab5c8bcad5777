from django.contrib import admin

from core.import_admin import ImportExportAdmin
from municipalities.models import (
    Department,
    Municipality,
    Plan,
    PlanKPI,
    PlanNode,
    Section,
    StaffProfile,
)
from municipalities.resources import (
    DepartmentResource,
    MunicipalityResource,
    PlanNodeResource,
    SectionResource,
)


@admin.register(Municipality)
class MunicipalityAdmin(ImportExportAdmin):
    resource_classes = [MunicipalityResource]
    list_display = ("code", "name", "kind", "prefecture", "population", "sheet_layout")
    list_filter = ("prefecture", "kind", "sheet_layout")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(ImportExportAdmin):
    resource_classes = [DepartmentResource]
    list_display = ("name", "municipality", "head_name", "sort_order")
    list_filter = ("municipality",)
    search_fields = ("name",)


@admin.register(Section)
class SectionAdmin(ImportExportAdmin):
    resource_classes = [SectionResource]
    list_display = ("code", "name", "department", "municipality", "chief_name")
    list_filter = ("municipality",)
    search_fields = ("code", "name")
    list_select_related = ("department", "municipality")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "start_year", "end_year")
    list_filter = ("municipality",)


class PlanKPIInline(admin.TabularInline):
    model = PlanKPI
    extra = 0


@admin.register(PlanNode)
class PlanNodeAdmin(ImportExportAdmin):
    resource_classes = [PlanNodeResource]
    list_display = ("path", "name", "plan", "priority")
    list_filter = ("plan__municipality", "plan")
    search_fields = ("path", "name")
    list_select_related = ("plan",)
    inlines = [PlanKPIInline]


@admin.register(PlanKPI)
class PlanKPIAdmin(admin.ModelAdmin):
    list_display = ("name", "node", "actual", "achievement", "target", "target_year")
    list_select_related = ("node",)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "municipality", "section", "role")
    list_filter = ("municipality", "role")
    list_select_related = ("user", "municipality", "section")
    search_fields = ("user__username", "user__last_name")
