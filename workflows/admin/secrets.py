"""Admin forms for channels and Google credentials: secret fields are write-only (shown empty, left unchanged
when submitted empty), and what is saved is checked and written by the same services the API uses."""

from django import forms
from django.utils.html import escape

from core.admin.json_field import JSONEditorField
from core.errors import ValidationFailed
from workflows.models import CommunicationChannel, GoogleCredential
from workflows.services.communication import KIND_FIELDS, channel_config_clean
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


# What each key of a channel's config and secrets is (the keys per kind are the service's KIND_FIELDS).
KEY_MEANINGS = {
    "from": "the sender, e.g. Shift Bot <bot@example.com>",
    "replyTo": "where replies go",
    "url": "the http(s) URL each message is POSTed to as JSON",
    "webhookUrl": "the Slack incoming-webhook URL, https://hooks.slack.com/services/...",
    "secret": "the key that signs each body: X-Stage-Signature: sha256=<HMAC-SHA256 of the body>",
}
PUBLIC, SECRET = 0, 1


def keys_help(part: int, kinds) -> str:
    """What a channel's config (PUBLIC) or secrets (SECRET) object holds, for each of `kinds` (escaped: the admin
    shows help text as HTML)."""
    described = []
    for kind in kinds:
        keys, required = KIND_FIELDS[kind][part], KIND_FIELDS[kind][2]
        named = ", ".join(
            f'"{key}" ({"required" if key in required else "optional"}: {KEY_MEANINGS[key]})' for key in sorted(keys)
        )
        described.append(f"{CommunicationChannel.Kind(kind).label}: {named or 'nothing, leave it empty'}.")
    return escape("A JSON object. " + " ".join(described))


class ChannelForm(WriteOnlySecretsForm):
    secret_fields = ("secrets",)
    config = JSONEditorField(shape=dict, label="Config")
    secrets = JSONEditorField(shape=dict, label="Secrets")

    class Meta:
        model = CommunicationChannel
        fields = ["owner", "name", "kind", "config", "secrets"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [self.instance.kind] if self.instance.pk else list(KIND_FIELDS)
        self.fields["config"].help_text = keys_help(PUBLIC, kinds)
        self.fields["secrets"].help_text += keys_help(SECRET, kinds)

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
