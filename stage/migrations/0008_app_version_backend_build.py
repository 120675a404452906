from django.db import migrations, models
from django.db.models import Q


def mark_earlier_versions_unchecked(apps, schema_editor):
    """Versions deployed before deploys compiled their backend ahead: nobody knows yet whether they compile."""
    AppVersion = apps.get_model("stage", "AppVersion")
    AppVersion.objects.filter(~Q(backend_entrypoint="") | ~Q(compute_modules=[])).update(backend_status="unchecked")


class Migration(migrations.Migration):
    dependencies = [
        ("stage", "0007_kernel_models_to_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="appversion",
            name="backend_error",
            field=models.JSONField(
                blank=True, help_text="{file, line, column, message} of a failed compile.", null=True
            ),
        ),
        migrations.AddField(
            model_name="appversion",
            name="backend_status",
            field=models.CharField(
                choices=[("none", "None"), ("unchecked", "Unchecked"), ("ready", "Ready"), ("failed", "Failed")],
                default="none",
                max_length=16,
            ),
        ),
        migrations.RunPython(mark_earlier_versions_unchecked, migrations.RunPython.noop),
    ]
