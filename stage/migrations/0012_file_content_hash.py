import hashlib

from django.db import migrations, models

BATCH = 1000


def hash_existing_versions(apps, schema_editor):
    FileVersion = apps.get_model("stage", "FileVersion")
    batch = []
    for version in FileVersion.objects.only("pk", "content").iterator(chunk_size=BATCH):
        version.sha256 = hashlib.sha256(version.content.encode()).hexdigest()
        batch.append(version)
        if len(batch) >= BATCH:
            FileVersion.objects.bulk_update(batch, ["sha256"])
            batch = []
    FileVersion.objects.bulk_update(batch, ["sha256"])


class Migration(migrations.Migration):
    dependencies = [("stage", "0011_artifact_source_map")]

    operations = [
        migrations.AddField(
            model_name="fileversion",
            name="sha256",
            field=models.CharField(
                default="",
                help_text="Of the UTF-8 content: a push of the same content is no change.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(hash_existing_versions, migrations.RunPython.noop),
    ]
