"""Model fields whose values are encrypted at rest (core.crypto); the database only ever holds Fernet tokens.

A value that no key opens any more (SECRET_KEY changed with no fallback) reads as None, so callers can say the
secret must be entered again rather than fail. Plain values written before a field was encrypted still read, so
a migration can load and re-save them.
"""

import json

from django import forms
from django.db import models

from core import crypto

PURPOSE = "stage-secret-field"


class EncryptedTextField(models.TextField):
    description = "Text, encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "" or not crypto.is_token(value):
            return value
        return crypto.decrypt(value, purpose=PURPOSE)

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        return crypto.encrypt(self._serialize(value), purpose=PURPOSE)

    def _serialize(self, value) -> str:
        return str(value)


class EncryptedJSONField(EncryptedTextField):
    """JSON (an object of secrets, a service account key), encrypted at rest; edited as JSON in forms."""

    description = "JSON, encrypted at rest"

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return None if text is None or text == "" else json.loads(text)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) and value else value

    def _serialize(self, value) -> str:
        return json.dumps(value)

    def value_to_string(self, obj):
        return self._serialize(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super(models.TextField, self).formfield(**{"form_class": forms.JSONField, **kwargs})
