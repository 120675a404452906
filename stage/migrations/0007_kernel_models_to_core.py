"""API keys and the task outbox now belong to the kernel app (core): gone from this app's state, tables kept.
Their content types follow, so admin history and permissions keep pointing at them."""

from django.db import migrations

MOVED = ("apikey", "unsenttask")


def content_types_to_core(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="core", model=model).exists():
            ContentType.objects.filter(app_label="stage", model=model).update(app_label="core")


def content_types_to_stage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="stage", model=model).exists():
            ContentType.objects.filter(app_label="core", model=model).update(app_label="stage")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("stage", "0006_app_ui"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="UnsentTask"),
                migrations.DeleteModel(name="ApiKey"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_core, content_types_to_stage),
    ]
