"""Reads of runs and communication, always scoped to the caller."""

from django.db.models import QuerySet

from core.errors import NotFound
from stage.models import App
from workflows.models import CommunicationChannel, Delivery, Message, Registration, Run


def run_get(*, public_id: str, owner) -> Run:
    """A run of one of the owner's apps (or one the owner started); anything else is 404."""
    run = (
        Run.objects.select_related("app", "version", "caller").filter(public_id=public_id, app__author=owner).first()
        if isinstance(public_id, str)
        else None
    )
    if run is None:
        raise NotFound("Run not found")
    return run


def run_list(*, app: App, workflow: str | None = None, status: str | None = None) -> QuerySet[Run]:
    runs = Run.objects.filter(app=app).select_related("app", "version", "caller")
    if workflow:
        runs = runs.filter(workflow=workflow)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")


def channel_get(*, public_id, owner) -> CommunicationChannel:
    channel = (
        CommunicationChannel.objects.filter(public_id=public_id, owner=owner).first()
        if isinstance(public_id, str)
        else None
    )
    if channel is None:
        raise NotFound("Channel not found")
    return channel


def channel_list(*, owner) -> QuerySet[CommunicationChannel]:
    return CommunicationChannel.objects.filter(owner=owner)


def registration_list(*, owner, app: App | None = None) -> QuerySet[Registration]:
    registrations = Registration.objects.filter(app__author=owner).select_related("app", "channel")
    return registrations.filter(app=app) if app is not None else registrations


def message_list(*, app: App) -> QuerySet[Message]:
    return Message.objects.filter(app=app).select_related("channel", "delivery", "app", "run")


def stuck_runs(queued_before, building_before):
    """Asynchronous runs still queued since before `queued_before` (a run records no building state)."""
    return Run.objects.filter(status=Run.Status.QUEUED, is_async=True, created_at__lt=queued_before)


def stuck_deliveries(queued_before, building_before):
    """Deliveries never attempted since before `queued_before`: one waiting out a retry's backoff is queued too,
    and is not stuck."""
    return Delivery.objects.filter(status=Delivery.Status.QUEUED, attempts=0, updated_at__lt=queued_before)
