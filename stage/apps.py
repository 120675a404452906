from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Stage"

    def ready(self):
        from core.admin.dashboard import failures_figure, register_dashboard_figure
        from core.outbox import register_queued_work
        from stage.models import Render
        from stage.origins import checks  # noqa: F401  (registers the apps-domain system check)
        from stage.renders.selectors import stuck_renders, stuck_ui_builds
        from stage.renders.tasks import render_build, version_ui_build

        register_queued_work("renders", task=render_build, stuck=stuck_renders)
        register_queued_work("uis", task=version_ui_build, stuck=stuck_ui_builds)
        changelist = "admin:stage_render_changelist"
        register_dashboard_figure(failures_figure("Renders", Render, since_field="created_at", changelist=changelist))
