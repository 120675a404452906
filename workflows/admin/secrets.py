"""Admin forms whose secret fields are write-only: shown empty, and left unchanged when submitted empty."""

from django import forms

from workflows.models import CommunicationChannel, GoogleCredential


class WriteOnlySecretsForm(forms.ModelForm):
    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.required = False
            field.help_text = "Write-only: stored but never shown. Leave empty to keep the current value."
            field.widget = (
                forms.PasswordInput(render_value=False) if isinstance(field, forms.CharField) else field.widget
            )
            self.initial[name] = None

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if cleaned.get(name) in (None, "", {}) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class ChannelForm(WriteOnlySecretsForm):
    secret_fields = ("secrets",)

    class Meta:
        model = CommunicationChannel
        fields = ["owner", "name", "kind", "config", "secrets"]


class GoogleCredentialForm(WriteOnlySecretsForm):
    secret_fields = ("client_secret", "refresh_token", "service_account_info")

    class Meta:
        model = GoogleCredential
        fields = ["app", "kind", "client_id", "client_secret", "refresh_token", "service_account_info"]
