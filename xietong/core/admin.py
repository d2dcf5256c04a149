from django.contrib import admin, messages
from django.utils import timezone

from .actions import do_create_api_token
from .models import ApiToken, Membership, Notification, TimelineEvent, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en"]
    raw_id_fields = ["region", "parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "title"]
    list_filter = ["role"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["at", "content_type", "object_id", "verb", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Notification)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issue a token by adding one (the key is shown once, only its hash is kept); revoke with the action."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["user", "name"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # a token is issued or revoked, never edited

    def save_model(self, request, obj, form, change):
        token, key = do_create_api_token(user=obj.user, name=obj.name)
        obj.pk = token.pk
        messages.warning(request, f"API key (shown once, copy it now): {key}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
