"""Operators keep the dated policy here: sections and their yearly targets, rule sets, agreements.

A target or agreement changed here takes effect at the next recompute (`recompute_water`);
misses already referred stay as they were, with their matters.
"""

from django.contrib import admin

from .models import CompensationAgreement, IngestBatch, River, RuleSet, Section, SectionTarget


class TargetInline(admin.TabularInline):
    model = SectionTarget
    extra = 1


@admin.register(River)
class RiverAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "basin", "sort_order"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "river", "kind", "city", "upstream_city", "downstream_city", "illustrative"]
    list_filter = ["river", "kind", "city", "illustrative"]
    search_fields = ["code", "name", "name_en"]
    inlines = [TargetInline]


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "effective_from", "response_working_days", "escalate_after"]


@admin.register(CompensationAgreement)
class CompensationAgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "section", "effective_from", "effective_to", "compliance_amount", "exceedance_amount"]


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "source",
        "filename",
        "rows_received",
        "rows_created",
        "rows_replaced",
        "rows_flagged",
    ]
    readonly_fields = [f.name for f in IngestBatch._meta.fields]
