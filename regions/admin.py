from django.contrib import admin

from core.readonly_admin import AppendOnlyAdmin, ReadOnlyAdmin
from regions.models import (
    Initiative,
    InitiativeCost,
    MemberReport,
    Membership,
    PolicyArea,
    ProgressRound,
    Region,
    RegionAuditEntry,
    RegionKPI,
    RegionKPIValue,
    ReportJob,
    Vision,
    VisionRevision,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("municipality",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("region", "municipality", "role", "agreement_date")
    list_filter = ("region", "role")
    list_select_related = ("region", "municipality")


class VisionRevisionInline(admin.TabularInline):
    model = VisionRevision
    extra = 0


@admin.register(Vision)
class VisionAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "period_start", "period_end")
    inlines = [VisionRevisionInline]


@admin.register(VisionRevision)
class VisionRevisionAdmin(admin.ModelAdmin):
    list_display = ("vision", "date", "note")


@admin.register(PolicyArea)
class PolicyAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "vision")


class InitiativeCostInline(admin.TabularInline):
    model = InitiativeCost
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "policy_area")
    list_filter = ("policy_area__vision__region",)
    filter_horizontal = ("participants",)
    inlines = [InitiativeCostInline]


@admin.register(InitiativeCost)
class InitiativeCostAdmin(admin.ModelAdmin):
    list_display = ("initiative", "fiscal_year", "amount")


class RegionKPIValueInline(admin.TabularInline):
    model = RegionKPIValue
    extra = 0


@admin.register(RegionKPI)
class RegionKPIAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "baseline_text", "target_text")
    list_filter = ("region",)
    inlines = [RegionKPIValueInline]


@admin.register(RegionKPIValue)
class RegionKPIValueAdmin(admin.ModelAdmin):
    list_display = ("kpi", "fiscal_year", "value")


class MemberReportInline(admin.TabularInline):
    model = MemberReport
    extra = 0
    fields = ("initiative", "municipality", "text", "actual_cost", "share", "is_demo")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressRound)
class ProgressRoundAdmin(ReadOnlyAdmin):
    """Rounds are run on the region pages (regions.services: version check, audit, mails);
    the admin shows them."""

    list_display = ("region", "fiscal_year", "state", "meeting_date", "is_demo")
    list_filter = ("region", "state")
    inlines = [MemberReportInline]


@admin.register(MemberReport)
class MemberReportAdmin(ReadOnlyAdmin):
    list_display = ("round", "initiative", "municipality", "actual_cost", "share", "is_demo")
    list_filter = ("round__region",)
    list_select_related = ("round__region", "initiative", "municipality")


@admin.register(RegionAuditEntry)
class RegionAuditEntryAdmin(AppendOnlyAdmin):
    list_display = ("created_at", "region", "actor", "municipality", "action", "object_repr")
    list_filter = ("action", "region")


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "round", "kind", "status", "result_name")
    list_filter = ("status", "kind")
