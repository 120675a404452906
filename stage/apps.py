from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Stage"

    def ready(self):
        from django.db.models import Q

        from core.admin.dashboard import Figure, register_dashboard_figure
        from core.outbox import register_queued_work
        from stage.models import Render
        from stage.origins import checks  # noqa: F401  (registers the apps-domain system check)
        from stage.renders.selectors import stuck_renders, stuck_ui_builds
        from stage.renders.tasks import render_build, version_ui_build

        register_queued_work("renders", task=render_build, stuck=stuck_renders)
        register_queued_work("uis", task=version_ui_build, stuck=stuck_ui_builds)
        register_dashboard_figure(
            Figure(
                "Renders",
                lambda since: Render.objects.filter(created_at__gte=since),
                Q(status=Render.Status.FAILED),
                "admin:stage_render_changelist",
                "created_at__gte",
                "status__exact=failed",
            )
        )
