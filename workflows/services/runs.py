"""Start and execute workflow runs. Each step is recorded; a finished step is never run again."""

import logging
import re
import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, NotFound, StageError
from stage.models import App, AppVersion, AppVersionFile, Channel
from stage.selectors import channel_version
from workflows.definition import WORKFLOWS_PATH, step_block, workflows_parse, workflows_validate_cached
from workflows.errors import StepFailed
from workflows.models import Run, StepRun
from workflows.registry import StepContext, get_block
from workflows.services.records import insert_once
from workflows.templating import render_value

logger = logging.getLogger(__name__)

_SECRET_KEY = re.compile(r"secret|password|token|api[-_]?key|authorization|credential", re.IGNORECASE)
REDACTED = "[redacted]"


class InternalStepError(StageError):
    status_code = 500
    code = "INTERNAL"
    default_message = "Internal error."


def redact(value):
    """The configuration as recorded: values under secret-looking keys are replaced."""
    if isinstance(value, dict):
        return {key: REDACTED if _SECRET_KEY.search(str(key)) else redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def version_workflows(*, version: AppVersion) -> dict:
    """The version's workflows file, validated. The deploy stores it parsed; older versions are parsed here."""
    if version.workflows is not None:
        workflows_validate_cached(document=version.workflows)
        return version.workflows
    row = AppVersionFile.objects.filter(version=version, path=WORKFLOWS_PATH).select_related("file_version").first()
    if row is None:
        raise NotFound(f"This app has no workflows ({WORKFLOWS_PATH} is not in its production version)")
    return workflows_parse(text=row.file_version.content)


def workflow_steps(*, version: AppVersion, workflow: str) -> list[dict]:
    workflows = version_workflows(version=version)["workflows"]
    if workflow not in workflows:
        raise NotFound(f"Workflow not found: {workflow[:200]}")
    return workflows[workflow]["steps"]


def run_start(
    *,
    app: App,
    caller,
    workflow: str,
    input: dict,
    dry_run: bool = False,
    is_async: bool = False,
    idempotency_key: str | None = None,
) -> tuple[Run, bool]:
    """Create a run pinned to the production version, or return the run an Idempotency-Key already made.
    A dry run is always synchronous."""
    is_async = is_async and not dry_run
    if idempotency_key and not dry_run:
        existing = Run.objects.filter(caller=caller, app=app, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    version = channel_version(app=app, channel=Channel.Name.PRODUCTION)
    workflow_steps(version=version, workflow=workflow)
    now = timezone.now()
    fields = {
        "app": app,
        "version": version,
        "workflow": workflow,
        "input": input,
        "caller": caller,
        "dry_run": dry_run,
        "is_async": is_async,
        "idempotency_key": None if dry_run else idempotency_key,
        # A synchronous run is executed by the request that created it, so it starts out claimed.
        "status": Run.Status.QUEUED if is_async else Run.Status.RUNNING,
        "started_at": None if is_async else now,
    }
    try:
        run = insert_once(Run, **fields)
    except IntegrityError:
        return Run.objects.get(caller=caller, app=app, idempotency_key=idempotency_key), False
    return run, True


def _claim(run: Run) -> bool:
    """Mark the run running; False when it already finished (a task delivered twice does nothing)."""
    with transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        if locked.status in (Run.Status.SUCCEEDED, Run.Status.FAILED):
            return False
        locked.status = Run.Status.RUNNING
        locked.started_at = locked.started_at or timezone.now()
        locked.save(update_fields=["status", "started_at"])
    run.status, run.started_at = locked.status, locked.started_at
    return True


def _finish(run: Run, records: list[StepRun], *, status: str, response=None, error=None) -> None:
    """Store the steps' records and the run's outcome: two statements, whatever the number of steps."""
    run.status, run.response, run.error = status, response, error
    run.finished_at = timezone.now()
    run.duration_ms = (run.finished_at - run.started_at).total_seconds() * 1000
    StepRun.objects.bulk_create(records, ignore_conflicts=True)
    run.save(update_fields=["status", "response", "error", "finished_at", "duration_ms"])


def _record(run, index, step_id, block, *, status, config, output, error, started_at, began) -> StepRun:
    return StepRun(
        run=run,
        index=index,
        step_id=step_id,
        block=block,
        status=status,
        config=redact(config) if config is not None else None,
        output=redact(output),
        error=error,
        started_at=started_at,
        duration_ms=(time.perf_counter() - began) * 1000,
    )


def _context(run: Run, outputs: dict) -> dict:
    app = run.app
    return {
        "input": run.input,
        "auth": {"email": run.caller.email, "userId": str(run.caller.pk)},
        "config": app.config or {},
        "app": {"sid": app.sid, "name": app.name},
        "steps": outputs,
    }


def run_execute(*, run: Run) -> Run:
    """Run the steps in order. A failing step stops the run and raises StepFailed naming it.

    Every side effect is keyed by (run, step), so a run executed again after its worker died repeats no
    billing item, pulse or ledger event, or message; the step records are written when the run ends.
    """
    fresh = run.status == Run.Status.RUNNING and not run.is_async
    if not fresh and not _claim(run):
        return run
    steps = workflow_steps(version=run.version, workflow=run.workflow)
    outputs, answer, records = {}, None, []
    for index, step in enumerate(steps):
        name, config = step_block(step)
        step_id = step.get("id", "")
        block = get_block(name)
        ctx = StepContext(run, run.app, run.version, run.caller, index, step_id, name, dry_run=run.dry_run, fresh=fresh)
        started_at, began = timezone.now(), time.perf_counter()
        rendered = None
        try:
            # paths inside the step (`properties.name`): the failure names the step itself, once
            rendered = render_value(config, _context(run, outputs), path="")
            output = (block.preview if run.dry_run else block.run)(ctx, rendered)
        except Exception as exc:
            if not isinstance(exc, StageError):
                logger.exception("Workflow step crashed: run %s step %s", run.public_id, index)
                exc = InternalStepError()
            error = {"code": exc.code, "message": exc.message}
            records.append(
                _record(
                    run, index, step_id, name, status=StepRun.Status.FAILED, config=rendered, output=None,
                    error=error, started_at=started_at, began=began,
                )
            )  # fmt: skip
            failure = StepFailed(cause=exc, index=index, step_id=step_id, block=name, run_id=run.public_id)
            failed = {
                "status": int(failure.status_code),
                "code": failure.code,
                "message": failure.message,
                "details": failure.details,
            }
            _finish(run, records, status=Run.Status.FAILED, error=failed)
            raise failure from None
        records.append(
            _record(
                run, index, step_id, name, status=StepRun.Status.SUCCEEDED, config=rendered, output=output,
                error=None, started_at=started_at, began=began,
            )
        )  # fmt: skip
        outputs[step_id or f"step{index}"] = output
        if name == "response":
            answer = output
    if answer is None:
        answer = {
            "status": 200,
            "headers": {},
            "body": {"runId": run.public_id, "status": Run.Status.SUCCEEDED, "outputs": outputs},
        }
    _finish(run, records, status=Run.Status.SUCCEEDED, response=answer)
    return run


class RecordedFailure(StageError):
    """A finished run's failure, answered again for a repeated Idempotency-Key."""

    def __init__(self, error: dict):
        self.status_code = error.get("status", 400)
        self.code = error.get("code", "BAD_REQUEST")
        super().__init__(error.get("message"), details=error.get("details"))


def run_answer(*, run: Run) -> dict:
    """The HTTP answer of a finished run; a failed run raises its recorded error again."""
    if run.status == Run.Status.FAILED:
        raise RecordedFailure(run.error or {})
    if run.status != Run.Status.SUCCEEDED:
        raise Conflict(f"Run {run.public_id} is still {run.status}", details={"runId": run.public_id})
    return run.response
