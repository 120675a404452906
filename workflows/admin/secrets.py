"""Admin forms for channels and Google credentials: secret fields are write-only (shown empty, left unchanged
when submitted empty), and what is saved is checked and written by the same services the API uses."""

from django import forms

from core.errors import ValidationFailed
from workflows.models import CommunicationChannel, GoogleCredential
from workflows.services.communication import channel_config_clean
from workflows.services.records import google_credential_clean

EMPTY = (None, "", {})
WRITE_ONLY = "Write-only: stored but never shown. Leave empty to keep the current value."


class WriteOnlySecretsForm(forms.ModelForm):
    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.required = False
            field.help_text = f"{WRITE_ONLY} {field.help_text}"
            field.widget = (
                forms.PasswordInput(render_value=False) if isinstance(field, forms.CharField) else field.widget
            )
            self.initial[name] = None

    def given_secrets(self) -> set[str]:
        """The secret fields this submission sets (the others keep their stored values)."""
        return {name for name in self.secret_fields if self.cleaned_data.get(name) not in EMPTY}

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if cleaned.get(name) in EMPTY and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def check(self, service, **arguments):
        try:
            return service(**arguments)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class ChannelForm(WriteOnlySecretsForm):
    secret_fields = ("secrets",)

    class Meta:
        model = CommunicationChannel
        fields = ["owner", "name", "kind", "config", "secrets"]
        help_texts = {
            "config": 'Email: {"from", "replyTo"} (both optional). Webhook: {"url"}. Slack: {}.',
            "secrets": 'Slack: {"webhookUrl": "https://hooks.slack.com/..."}. Webhook: {"secret": "..."}.',
        }

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        if "config" in cleaned and "secrets" in cleaned and kind:
            merged = {**(cleaned["config"] or {}), **(cleaned["secrets"] or {})}
            cleaned["config"], cleaned["secrets"] = self.check(channel_config_clean, kind=kind, config=merged)
        return cleaned


class GoogleCredentialForm(WriteOnlySecretsForm):
    secret_fields = ("client_secret", "refresh_token", "service_account_info")

    class Meta:
        model = GoogleCredential
        fields = ["app", "client_id", "client_secret", "refresh_token", "service_account_info"]
        help_texts = {
            "refresh_token": "An OAuth refresh token (with the client id and secret), or else:",
            "service_account_info": "A service account's whole JSON key (client_email, private_key, ...).",
        }

    def clean(self):
        given = self.given_secrets()
        cleaned = super().clean()
        # Setting one way of signing in replaces the stored other; giving both is refused below.
        ways = given & {"refresh_token", "service_account_info"}
        if ways == {"service_account_info"}:
            cleaned["refresh_token"] = ""
        elif ways == {"refresh_token"}:
            cleaned["service_account_info"] = None
        self.check(
            google_credential_clean,
            refresh_token=cleaned.get("refresh_token") or "",
            service_account_info=cleaned.get("service_account_info") or None,
        )
        return cleaned
