from django.contrib import admin

from core.import_admin import ImportExportAdmin
from core.readonly_admin import AppendOnlyAdmin, ReadOnlyAdmin
from evalsheets.models import (
    ActivityIndicator,
    ActivityValue,
    AssessmentAnswer,
    AuditEntry,
    AverageSalary,
    CostRow,
    EvaluationSheet,
    ExportJob,
    OutcomeIndicator,
    OutcomeValue,
    Project,
    Review,
    ScheduleEntry,
    ScheduleItem,
    SheetLayoutDefinition,
    SheetPDF,
    StaffEffort,
    SubProject,
)
from evalsheets.resources import ProjectResource

admin.site.site_header = "evalsheets 管理画面"
admin.site.site_title = "evalsheets"
admin.site.index_title = "マスタデータ・評価シートの管理"


@admin.register(Project)
class ProjectAdmin(ImportExportAdmin):
    resource_classes = [ProjectResource]
    list_display = ("code", "name", "municipality", "section", "plan_node", "active")
    list_filter = ("municipality", "active")
    search_fields = ("code", "name")
    list_select_related = ("municipality", "section", "plan_node")


@admin.register(AverageSalary)
class AverageSalaryAdmin(admin.ModelAdmin):
    list_display = ("municipality", "fiscal_year", "staff_kind", "amount")
    list_filter = ("municipality", "fiscal_year")


class CostRowInline(admin.TabularInline):
    model = CostRow
    extra = 0


class StaffEffortInline(admin.TabularInline):
    model = StaffEffort
    extra = 0


class OutcomeIndicatorInline(admin.TabularInline):
    model = OutcomeIndicator
    extra = 0
    show_change_link = True


class SubProjectInline(admin.TabularInline):
    model = SubProject
    extra = 0
    show_change_link = True


class AssessmentInline(admin.TabularInline):
    model = AssessmentAnswer
    extra = 0


class ReviewInline(admin.StackedInline):
    model = Review
    extra = 0


@admin.register(EvaluationSheet)
class EvaluationSheetAdmin(admin.ModelAdmin):
    list_display = ("project", "fiscal_year", "state", "version", "updated_at")
    list_filter = ("project__municipality", "fiscal_year", "state")
    search_fields = ("project__code", "project__name")
    list_select_related = ("project",)
    # Workflow fields change only through the services (issue: browser workflow).
    readonly_fields = ("state", "version", "approved_by", "approved_at", "published_at")
    inlines = [
        SubProjectInline,
        OutcomeIndicatorInline,
        CostRowInline,
        StaffEffortInline,
        AssessmentInline,
        ReviewInline,
    ]


class ActivityValueInline(admin.TabularInline):
    model = ActivityValue
    extra = 0


@admin.register(ActivityIndicator)
class ActivityIndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "sub_project", "unit")
    inlines = [ActivityValueInline]


class ActivityIndicatorInline(admin.TabularInline):
    model = ActivityIndicator
    extra = 0
    show_change_link = True


@admin.register(SubProject)
class SubProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "sheet", "is_new")
    inlines = [ActivityIndicatorInline]


class OutcomeValueInline(admin.TabularInline):
    model = OutcomeValue
    extra = 0


@admin.register(OutcomeIndicator)
class OutcomeIndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "sheet", "unit")
    inlines = [OutcomeValueInline]


class ScheduleEntryInline(admin.TabularInline):
    model = ScheduleEntry
    extra = 0


@admin.register(ScheduleItem)
class ScheduleItemAdmin(admin.ModelAdmin):
    list_display = ("name", "sheet")
    inlines = [ScheduleEntryInline]


for model in (
    ActivityValue,
    OutcomeValue,
    CostRow,
    StaffEffort,
    AssessmentAnswer,
    Review,
    ScheduleEntry,
):
    admin.site.register(model)


@admin.register(AuditEntry)
class AuditEntryAdmin(AppendOnlyAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "from_state", "to_state")
    list_filter = ("action", "municipality")


@admin.register(SheetPDF)
class SheetPDFAdmin(ReadOnlyAdmin):
    """Stored PDFs are produced by the renderer only; the admin shows them."""

    list_display = ("sheet", "sheet_version", "frozen", "pages", "size", "created_at")
    list_filter = ("frozen",)
    list_select_related = ("sheet__project",)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    """Bulk exports are made by the 企画課's export page; the admin shows them."""

    list_display = ("created_at", "municipality", "kind", "status", "done", "total", "requested_by")
    list_filter = ("status", "kind", "municipality")
    list_select_related = ("municipality", "requested_by")


@admin.register(SheetLayoutDefinition)
class SheetLayoutDefinitionAdmin(ReadOnlyAdmin):
    """様式 definitions are installed with ``manage.py load_sheet_form`` (which checks them
    and refuses one that would lose data); the admin shows them."""

    list_display = ("key", "version", "valid_from", "installed_at", "installed_by")
    list_filter = ("key",)
