from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Stage"

    def ready(self):
        from django.urls import register_converter

        from stage.ids import PublicIdConverter

        # <id:...>: public ids in URLs, in every urlconf (platform and tenant); a malformed one is no route (404)
        register_converter(PublicIdConverter, "id")
        from stage.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from stage.observability import connect_celery_signals
        from stage.origins import checks  # noqa: F401  (registers the apps-domain system check)

        connect_celery_signals()  # request ids into tasks, task outcomes into metrics
