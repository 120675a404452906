from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every other app builds on: errors, ids, limits, the task outbox, API keys and the API's plumbing."""

    name = "core"
    verbose_name = "Platform"

    def ready(self):
        from django.urls import register_converter

        from core.api import schema  # noqa: F401  (registers the OpenAPI extensions)
        from core.ids import PublicIdConverter
        from core.observability import connect_celery_signals, register_scrape_collector
        from core.task_metrics import QueueDepthCollector

        # <id:...>: public ids in URLs, in every urlconf (platform and tenant); a malformed one is no route (404)
        register_converter(PublicIdConverter, "id")
        connect_celery_signals()  # request ids into tasks, task outcomes into metrics
        register_scrape_collector(QueueDepthCollector())
