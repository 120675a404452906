"""JSON shapes of runs, steps, channels, registrations, messages and deliveries (camelCase, epoch ms)."""

from core.timestamps import epoch_ms
from workflows.models import CommunicationChannel, Delivery, Message, Registration, Run, StepRun


def run_summary(run: Run) -> dict:
    return {
        "runId": run.public_id,
        "appSid": run.app.sid,
        "versionId": run.version.sid,
        "workflow": run.workflow,
        "status": run.status,
        "dryRun": run.dry_run,
        "async": run.is_async,
        "caller": run.caller.email,
        "error": run.error,
        "createdAt": epoch_ms(run.created_at),
        "startedAt": epoch_ms(run.started_at),
        "finishedAt": epoch_ms(run.finished_at),
        "durationMs": run.duration_ms,
    }


def step_detail(step: StepRun) -> dict:
    return {
        "index": step.index,
        "id": step.step_id or None,
        "block": step.block,
        "status": step.status,
        "config": step.config,
        "output": step.output,
        "error": step.error,
        "startedAt": epoch_ms(step.started_at),
        "durationMs": step.duration_ms,
    }


def run_detail(run: Run) -> dict:
    return {
        **run_summary(run),
        "input": run.input,
        "response": run.response,
        "steps": [step_detail(step) for step in run.steps.all()],
    }


def channel_summary(channel: CommunicationChannel) -> dict:
    return {
        "id": channel.public_id,
        "name": channel.name,
        "kind": channel.kind,
        "config": channel.config,
        "secrets": sorted(channel.secrets or {}),  # which secrets are set, never their values
        "createdAt": epoch_ms(channel.created_at),
    }


def registration_summary(registration: Registration) -> dict:
    return {
        "id": str(registration.pk),
        "appSid": registration.app.sid,
        "channelId": registration.channel.public_id,
        "active": registration.active,
        "createdAt": epoch_ms(registration.created_at),
    }


def delivery_summary(delivery: Delivery | None) -> dict | None:
    if delivery is None:
        return None
    return {
        "status": delivery.status,
        "attempts": delivery.attempts,
        "lastError": delivery.last_error or None,
        "providerResponse": delivery.provider_response,
        "deliveredAt": epoch_ms(delivery.delivered_at),
        "updatedAt": epoch_ms(delivery.updated_at),
    }


def message_summary(message: Message) -> dict:
    return {
        "id": message.public_id,
        "appSid": message.app.sid,
        "channelId": message.channel.public_id,
        "runId": message.run.public_id if message.run_id else None,
        "to": message.to,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "metadata": message.metadata,
        "createdAt": epoch_ms(message.created_at),
        "deliveries": [delivery_summary(message.delivery)] if hasattr(message, "delivery") else [],
    }
