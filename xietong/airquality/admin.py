from django.contrib import admin

from .models import Forecast, IngestBatch, JointWarning, Station, WarningRuleSet


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "latitude", "longitude", "active"]
    list_filter = ["city", "active"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["region"]


@admin.register(WarningRuleSet)
class WarningRuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "effective_from", "lift_after_hours"]


@admin.register(Forecast)
class ForecastAdmin(admin.ModelAdmin):
    list_display = ["city", "day", "aqi", "aqi_low", "primary", "updated_at"]
    list_filter = ["city"]
    date_hierarchy = "day"


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source", "created_by", "filename", "rows_received", "rows_flagged"]
    list_filter = ["source"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JointWarning)
class JointWarningAdmin(admin.ModelAdmin):
    """Read-only: warnings change through their pages, which record the timeline and notify the cities."""

    list_display = ["code", "level", "state", "starts_at", "issued_at", "lifted_at"]
    list_filter = ["level", "state"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
