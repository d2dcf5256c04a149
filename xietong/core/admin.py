from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .actions import do_create_api_token
from .health import background_work
from .models import ApiToken, Membership, Notification, OutboxTask, TimelineEvent, Unit


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


def broker_in_words(state):
    """The broker's state as /readyz reports it to monitors (a code), said for the operator reading the page."""
    if state == "ok":
        return _("Reachable")
    if state.startswith("unavailable"):
        return _("Unreachable: background work waits in the outbox and is sent when the broker is back")
    return _("Not configured: background work runs in the web process after each write")


class PendingFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("1", _("pending")), ("0", _("sent"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(sent_at__isnull=self.value() == "1")
        return queryset


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Background work and the broker's health: the list opens with reachability, queue length and what waits."""

    list_display = ["task", "created_at", "attempts", "last_error", "sent_at"]
    list_filter = [PendingFilter, "task"]
    actions = ["send_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        work = background_work()
        context = {**(extra_context or {}), "work": work, "broker_words": broker_in_words(work["broker"])}
        return super().changelist_view(request, context)

    @admin.action(description=_("Send the selected pending tasks to the broker now"))
    def send_now(self, request, queryset):
        sent = refused = 0
        for row in queryset.filter(sent_at__isnull=True).order_by("created_at", "id"):
            if outbox.send(row):
                sent += 1
            else:
                refused += 1
                break
        if refused:
            self.message_user(request, _("The broker refused the task; it stays pending."), messages.ERROR)
        self.message_user(request, ngettext("%(count)d task sent.", "%(count)d tasks sent.", sent) % {"count": sent})
