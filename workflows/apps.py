from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self):
        from core.admin.dashboard import failures_figure, register_dashboard_figure
        from core.outbox import register_queued_work
        from stage.admin.app_panels import register_app_panel
        from stage.services.deploy_documents import register_deploy_document
        from stage.services.preview_operations import register_preview_operation
        from workflows import blocks  # noqa: F401  (registers every block in the step registry)
        from workflows.admin.app_activity import PANELS
        from workflows.definition import WORKFLOWS_PATH, workflows_parse
        from workflows.models import Delivery, Run
        from workflows.preview_operations import LEDGER_FIELDS, preview_ledger_audit, preview_pulse_track
        from workflows.selectors import stuck_deliveries, stuck_runs
        from workflows.tasks import deliver_message, run_workflow

        register_queued_work("runs", task=run_workflow, stuck=stuck_runs)
        register_queued_work("deliveries", task=deliver_message, stuck=stuck_deliveries)
        # a deploy refuses a workflows file that does not hold, and keeps the parsed document on the version
        register_deploy_document(WORKFLOWS_PATH, parse=lambda text: workflows_parse(text=text), field="workflows")
        # a session's preview: the browser @stage/pulse and @stage/ledger record for the app published from it
        register_preview_operation("pulse.track", preview_pulse_track, params=("events",))
        register_preview_operation("ledger.audit", preview_ledger_audit, params=LEDGER_FIELDS)
        for panel in PANELS:  # an app's admin page shows its recent runs and messages
            register_app_panel(panel)
        for label, model, since_field in (("Workflow runs", Run, "created_at"), ("Deliveries", Delivery, "updated_at")):
            changelist = f"admin:workflows_{model._meta.model_name}_changelist"
            register_dashboard_figure(failures_figure(label, model, since_field=since_field, changelist=changelist))
