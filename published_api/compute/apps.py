from django.apps import AppConfig


class ComputeConfig(AppConfig):
    name = "published_api.compute"
    label = "compute"
    verbose_name = "Compute (per-app document store)"

    def ready(self):
        from published_api import bridge
        from published_api.compute.bridge_ops import HOLDING, OPERATIONS

        bridge.OPERATIONS.update(OPERATIONS)
        bridge.HOLDING.update(HOLDING)
