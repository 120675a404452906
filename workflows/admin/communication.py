from django.contrib import admin, messages

from core.admin.display import badge
from workflows.admin.readonly import ReadOnlyAdminMixin
from workflows.admin.secrets import ChannelForm
from workflows.models import CommunicationChannel, Delivery, Message, Registration
from workflows.services.communication import channel_create, channel_update, delivery_retry


@admin.register(CommunicationChannel)
class CommunicationChannelAdmin(admin.ModelAdmin):
    list_display = ["public_id", "name", "kind", "owner", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["public_id", "name", "owner__email"]
    raw_id_fields = ["owner"]
    form = ChannelForm

    def get_readonly_fields(self, request, obj=None):
        return ["public_id", "created_at", "kind"] if obj else ["public_id", "created_at"]

    def save_model(self, request, obj, form, change):
        """Written by the services the API uses (the form has already checked the config with them)."""
        data = form.cleaned_data
        config = {**data["config"], **data["secrets"]}
        if change:
            channel_update(channel=obj, name=data["name"], config=config)
        else:
            obj.pk = channel_create(owner=data["owner"], name=data["name"], kind=data["kind"], config=config).pk
            obj.refresh_from_db()


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["app", "channel", "active", "created_at"]
    list_filter = ["active", "created_at"]
    search_fields = ["app__sid", "channel__public_id", "channel__name"]
    raw_id_fields = ["app", "channel"]
    list_select_related = ["app", "channel"]


class DeliveryInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Delivery
    fields = ["status", "attempts", "last_error", "provider_response", "claimed_at", "delivered_at", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


def _retry(modeladmin, request, deliveries):
    count = 0
    for delivery in deliveries:
        if delivery.status != Delivery.Status.DELIVERED:
            delivery_retry(delivery=delivery)
            count += 1
    modeladmin.message_user(request, f"Queued {count} delivery(ies) again.", messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["public_id", "app", "channel", "to", "subject", "delivery_status", "created_at"]
    list_filter = ["channel__kind", "delivery__status", "created_at"]
    search_fields = ["public_id", "app__sid", "to", "subject"]
    list_select_related = ["app", "channel", "delivery"]
    inlines = [DeliveryInline]
    actions = ["retry_delivery"]

    @admin.display(description="Delivery")
    def delivery_status(self, obj):
        return badge(obj.delivery.status)

    @admin.action(description="Retry delivery")
    def retry_delivery(self, request, queryset):
        _retry(self, request, Delivery.objects.filter(message__in=queryset))


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["message", "state", "attempts", "last_error", "delivered_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["message__public_id", "last_error"]
    list_select_related = ["message"]
    actions = ["retry_delivery"]

    @admin.display(description="Status", ordering="status")
    def state(self, delivery):
        return badge(delivery.status)

    @admin.action(description="Retry delivery")
    def retry_delivery(self, request, queryset):
        _retry(self, request, queryset)
