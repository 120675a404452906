from django.apps import AppConfig


class InferenceConfig(AppConfig):
    name = "published_api.inference"
    label = "inference"
    verbose_name = "Inference (providers and usage)"

    def ready(self):
        from published_api import bridge
        from published_api.inference.bridge_ops import OPERATIONS

        bridge.OPERATIONS.update(OPERATIONS)
