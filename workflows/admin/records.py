from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from core.admin.display import badge, column, ident, when
from stage.models import App
from workflows.admin.readonly import RecordAdminMixin
from workflows.admin.secrets import GoogleCredentialForm
from workflows.models import BillingItem, GoogleCredential, LedgerEvent, LedgerHead, PulseEvent
from workflows.services.ledger import ledger_verify_app
from workflows.services.records import google_credential_set


@admin.register(BillingItem)
class BillingItemAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        column("public_id", "Id", ident),
        column("app", "App", ident),
        "customer_email",
        "amount",
        "description",
        column("created_at", "Made", when),
    ]
    list_filter = ["currency", "created_at"]
    search_fields = ["public_id", "customer_email", "app__sid", "description"]
    list_select_related = ["app"]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, item):
        return f"{item.amount_cents / 100:.2f} {item.currency.upper()}"


@admin.register(PulseEvent)
class PulseEventAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["event", column("app", "App", ident), "distinct_id", column("created_at", "When", when)]
    list_filter = ["created_at"]
    search_fields = ["event", "distinct_id", "app__sid"]
    list_select_related = ["app"]


@admin.register(LedgerEvent)
class LedgerEventAdmin(RecordAdminMixin, admin.ModelAdmin):
    # the hash is on each event's page; "Verify the chains" checks every one of them
    list_display = [
        column("app", "App", ident),
        "seq",
        "operation",
        column("actor", "Actor", ident),
        column("resource", "Resource", ident),
        column("status", "Status", badge),
        column("created_at", "When", when),
    ]
    list_filter = ["operation", "status", "created_at"]
    search_fields = ["app__sid", "actor", "resource", "hash"]
    list_select_related = ["app"]
    change_list_template = "admin/workflows/ledgerevent/change_list.html"

    def get_urls(self):
        verify = self.admin_site.admin_view(self.verify_view)
        return [path("verify/", verify, name="workflows_ledgerevent_verify"), *super().get_urls()]

    def verify_view(self, request):
        """Walk every app's chain and show what is intact and what was tampered with."""
        results = []
        for app in App.objects.filter(pk__in=LedgerHead.objects.values("app_id")).order_by("sid"):
            results.append({"app": app, "problems": ledger_verify_app(app=app)})
        context = {
            **self.admin_site.each_context(request),
            "title": "Ledger verification",
            "results": results,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workflows/ledger_verify.html", context)


@admin.register(GoogleCredential)
class GoogleCredentialAdmin(admin.ModelAdmin):
    list_display = [column("app", "App", ident), "kind", "client_id", column("updated_at", "Updated", when)]
    list_filter = ["kind"]
    search_fields = ["app__sid", "client_id"]
    raw_id_fields = ["app"]
    readonly_fields = ["kind"]
    form = GoogleCredentialForm

    def save_model(self, request, obj, form, change):
        """Written by google_credential_set, which decides the kind from what was given."""
        data = form.cleaned_data
        obj.pk = google_credential_set(
            app=data["app"],
            refresh_token=data["refresh_token"] or "",
            client_id=data["client_id"],
            client_secret=data["client_secret"] or "",
            service_account_info=data["service_account_info"] or None,
        ).pk
        obj.refresh_from_db()
