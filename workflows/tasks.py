"""Thin Celery tasks: load by id, call a service. Both are safe to run twice (acks_late)."""

import contextlib

from celery import shared_task
from django.conf import settings

from core.errors import StageError
from workflows.errors import TemporaryDeliveryError
from workflows.models import Run
from workflows.services.delivery import delivery_perform
from workflows.services.runs import run_execute


@shared_task(acks_late=True)
def run_workflow(run_id: int) -> None:
    run = Run.objects.select_related("app", "version", "caller").filter(pk=run_id).first()
    if run is None:
        return
    with contextlib.suppress(StageError):  # a failure is recorded on the run and its failing step
        run_execute(run=run)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_message(self, delivery_id: int) -> None:
    if self.request.is_eager:
        _deliver_inline(delivery_id)
        return
    final = self.request.retries >= settings.STAGE_DELIVERY_MAX_RETRIES
    try:
        delivery_perform(delivery_id=delivery_id, final_attempt=final)
    except TemporaryDeliveryError as exc:
        if final:
            return
        countdown = settings.STAGE_DELIVERY_RETRY_BACKOFF_SECONDS * (2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from None


def _deliver_inline(delivery_id: int) -> None:
    """Embedded mode has no broker to schedule a retry with: try again at once, up to the same limit."""
    limit = settings.STAGE_DELIVERY_MAX_RETRIES
    for attempt in range(limit + 1):
        try:
            delivery_perform(delivery_id=delivery_id, final_attempt=attempt == limit)
            return
        except TemporaryDeliveryError:
            continue
