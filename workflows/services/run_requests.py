"""A caller asks for a workflow run: the one entry point the REST view (and so the SDK and CLI) goes through."""

from dataclasses import dataclass

from core.errors import Conflict
from core.limits import app_quota
from core.outbox import send_task_on_commit
from stage.models import App
from workflows.models import Run
from workflows.services.runs import run_answer, run_execute, run_start
from workflows.tasks import run_workflow


@dataclass(frozen=True)
class RunRequested:
    run: Run
    answer: dict | None  # the workflow's HTTP answer {status, headers, body}; None for an async run


def run_request(*, app: App, caller, workflow: str, input: dict, **options) -> RunRequested:
    """Count the run against the app's quota, create it (or find the one the Idempotency-Key made), then run it
    here or hand it to a worker. `options` are run_start's: dry_run, is_async, idempotency_key. Raises what
    run_start does, Conflict when the key was used for another workflow, and a finished run's recorded failure
    when the key is repeated."""
    app_quota(app.sid, "workflow_runs")
    run, created = run_start(app=app, caller=caller, workflow=workflow, input=input, **options)
    if not created and run.workflow != workflow:
        raise Conflict("This Idempotency-Key was used for another workflow", details={"runId": run.public_id})
    if run.is_async:
        if created:
            send_task_on_commit(run_workflow, run.pk)
        return RunRequested(run=run, answer=None)
    if created:
        run_execute(run=run)
    return RunRequested(run=run, answer=run_answer(run=run))
