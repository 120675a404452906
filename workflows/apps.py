from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self):
        from workflows import blocks  # noqa: F401  (registers every block in the step registry)
