from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Stage"

    def ready(self):
        from stage.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
