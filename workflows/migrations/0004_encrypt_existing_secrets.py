"""Encrypt the channel secrets and Google credentials stored in plain text before 0003."""

import json

from django.db import migrations

import core.fields

SECRET_FIELDS = {
    "CommunicationChannel": ["secrets"],
    "GoogleCredential": ["client_secret", "refresh_token", "service_account_info"],
}


def encrypt_existing(apps, schema_editor):
    """Rows from before hold plain values: the encrypted fields read them as they are, and saving encrypts them."""
    for model_name, fields in SECRET_FIELDS.items():
        for row in apps.get_model("workflows", model_name).objects.all().iterator():
            row.save(update_fields=fields)


def decrypt_existing(apps, schema_editor):
    """Going back: write the plain values again, as the JSON and text columns they return to expect."""
    quote = schema_editor.quote_name
    for model_name, fields in SECRET_FIELDS.items():
        model = apps.get_model("workflows", model_name)
        for row in model.objects.all().iterator():
            for name in fields:
                value = getattr(row, name)
                if isinstance(model._meta.get_field(name), core.fields.EncryptedJSONField):
                    value = None if value is None else json.dumps(value)
                sql = f"UPDATE {quote(model._meta.db_table)} SET {quote(name)} = %s WHERE id = %s"  # noqa: S608
                schema_editor.execute(sql, [value, row.pk])


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_encrypt_secrets")]

    operations = [migrations.RunPython(encrypt_existing, decrypt_existing)]
