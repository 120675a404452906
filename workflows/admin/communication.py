from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin.display import badge, column, ident, when
from workflows.admin.channel_check import test_message_view
from workflows.admin.readonly import RecordAdminMixin
from workflows.admin.secrets import ChannelForm
from workflows.models import CommunicationChannel, Delivery, Message, Registration
from workflows.services.communication import channel_create, channel_update, delivery_retry

REGISTRATION_ROW = '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td><a href="{}">change</a></td></tr>'


def registrations_table(channel: CommunicationChannel) -> str:
    """The apps that may send through the channel, as a small table (a read-only field, so the channel's form posts
    no inline formset)."""
    rows = [
        (
            reverse("admin:stage_app_change", args=[registration.app_id]),
            registration.app.sid,
            badge("active" if registration.active else "inactive"),
            when(registration.created_at),
            reverse("admin:workflows_registration_change", args=[registration.pk]),
        )
        for registration in channel.registrations.select_related("app")
    ]
    if not rows:
        return "None yet: no app may send through this channel."
    return format_html(
        "<table><thead><tr><th>App</th><th>State</th><th>Registered</th><th></th></tr></thead><tbody>{}</tbody></table>",
        format_html_join("", REGISTRATION_ROW, rows),
    )


@admin.register(CommunicationChannel)
class CommunicationChannelAdmin(admin.ModelAdmin):
    list_display = [column("public_id", "Id", ident), "name", "kind", "owner", column("created_at", "Made", when)]
    list_filter = ["kind", "created_at"]
    search_fields = ["public_id", "name", "owner__email"]
    raw_id_fields = ["owner"]
    form = ChannelForm
    change_form_template = "admin/workflows/communicationchannel/change_form.html"

    def get_urls(self):
        send = self.admin_site.admin_view(self.test_message_view)
        name = "workflows_communicationchannel_test_message"
        return [path("<int:pk>/test-message/", send, name=name), *super().get_urls()]

    def test_message_view(self, request, pk):
        return test_message_view(self, request, pk)

    def get_readonly_fields(self, request, obj=None):
        return ["public_id", "created_at", "kind", "registered_apps"] if obj else ["public_id", "created_at"]

    @admin.display(description="Registrations")
    def registered_apps(self, channel):
        return registrations_table(channel)

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
    list_display = [
        column("app", "App", ident),
        column("channel", "Channel", ident),
        "active",
        column("created_at", "Made", when),
    ]
    list_filter = ["active", "created_at"]
    search_fields = ["app__sid", "channel__public_id", "channel__name"]
    raw_id_fields = ["app", "channel"]
    list_select_related = ["app", "channel"]


class DeliveryInline(RecordAdminMixin, admin.StackedInline):
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
class MessageAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        column("public_id", "Id", ident),
        column("app", "App", ident),
        column("channel", "Channel", ident),
        "to",
        "delivery_status",
        column("created_at", "Sent", when),
    ]
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
class DeliveryAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        column("message", "Message", ident),
        "state",
        "attempts",
        "last_error",
        column("delivered_at", "Delivered", when),
        column("updated_at", "Updated", when),
    ]
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
