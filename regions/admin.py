from django.contrib import admin

from regions.models import (
    Initiative,
    InitiativeCost,
    Membership,
    PolicyArea,
    Region,
    RegionKPI,
    RegionKPIValue,
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
