from django.apps import AppConfig


class InferenceConfig(AppConfig):
    name = "published_api.inference"
    label = "inference"
    verbose_name = "Inference (providers and usage)"

    def ready(self):
        from published_api import bridge
        from published_api.inference.app_activity import PANEL
        from published_api.inference.bridge_ops import OPERATIONS
        from published_api.inference.previews import OPERATIONS as PREVIEW_OPERATIONS
        from published_api.inference.previews import preview_operation
        from stage.admin.app_panels import register_app_panel
        from stage.services.preview_operations import register_preview_operation

        bridge.OPERATIONS.update(OPERATIONS)
        # a session's preview: the browser @stage/inference, where the owner allowed it
        for name, (call, params) in PREVIEW_OPERATIONS.items():
            register_preview_operation(name, preview_operation(name, call), params=params)
        register_app_panel(PANEL)  # an app's admin page shows its inference usage
