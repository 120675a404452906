"""Sending Celery tasks so that a broker outage never loses work or turns into a 500.

Every task we send is idempotent and its row records that it is queued, so a send that fails (Redis down) only
delays the work: the row stays queued, the failure is logged and the send is kept in an outbox (UnsentTask).
Workers send the outbox every `STAGE_UNSENT_SWEEP_SECONDS` (they may reach Redis when the web process cannot),
and whenever one connects to the broker (at start, and when Redis comes back, perhaps empty) it also runs
`requeue_stuck`, which sends every queued row again; operators have the command.

The kernel knows no app's work: each app registers its kinds of queued work from its AppConfig.ready()
(`register_queued_work`): the task, and which of its rows are stuck.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Workers connecting together (a deploy, Redis returning) sweep once between them.
SWEEP_LOCK_SECONDS = 10


@dataclass(frozen=True)
class QueuedWork:
    """One kind of queued work: rows that record they are queued, and the idempotent task that does one by pk."""

    name: str
    task: object  # a Celery task taking the row's pk
    # (queued_before, building_before) -> the rows queued since before `queued_before`, or (for work that records
    # it) building since before `building_before`, whose worker was lost: their task must be sent again
    stuck: Callable[[datetime, datetime], object]


_queued_work: dict[str, QueuedWork] = {}


def register_queued_work(name: str, *, task, stuck: Callable[[datetime, datetime], object]) -> None:
    _queued_work[name] = QueuedWork(name=name, task=task, stuck=stuck)


def send_task(task, *args) -> bool:
    """Send now; on a broker failure log it and keep it in the outbox for a worker. Returns whether it was sent."""
    try:
        task.delay(*args)
    except OperationalError:
        logger.exception("Broker unreachable: %s%r stays queued; a worker will send it", task.name, args)
        _keep_unsent(task.name, list(args))
        return False
    return True


def _keep_unsent(name: str, args: list) -> None:
    from core.models import UnsentTask

    try:
        UnsentTask.objects.get_or_create(task=name, args=args)
    except DatabaseError:  # the row itself stays queued: requeue_stuck still finds it
        logger.exception("Could not record the unsent task %s%r", name, args)


def send_unsent(*, batch: int = 500) -> int:
    """Send what a web process could not (UnsentTask rows); every worker runs this periodically.

    Rows are taken FOR UPDATE SKIP LOCKED, so workers share the outbox without sending a row twice, and a row is
    deleted only once its send succeeded.
    """
    from core.models import UnsentTask

    tasks = {work.task.name: work.task for work in _queued_work.values()}
    sent = []
    with transaction.atomic():
        for row in UnsentTask.objects.select_for_update(skip_locked=True)[:batch]:
            task = tasks.get(row.task)
            if task is None:
                logger.error("Unsent task %s is not a task any more; dropped", row.task)
            elif not _sent(task, row.args):
                break
            sent.append(row.pk)
        UnsentTask.objects.filter(pk__in=sent).delete()
    return len(sent)


def sweep_outbox() -> int:
    """The worker's periodic call: send the outbox; never raises (the next period tries again)."""
    from django.db import close_old_connections

    close_old_connections()  # this runs outside any task, so Django's per-task connection care does not apply
    try:
        sent = send_unsent()
    except Exception:
        logger.exception("Sending the outbox failed; the next sweep tries again")
        return 0
    if sent:
        logger.info("Sent %d task(s) from the outbox", sent)
    return sent


def _sent(task, args: list) -> bool:
    try:
        task.delay(*args)
    except OperationalError:
        logger.warning("Broker still unreachable; %s%r stays in the outbox", task.name, args)
        return False
    return True


def send_task_on_commit(task, *args) -> None:
    """Send once the current transaction commits (the worker must find the committed row)."""
    transaction.on_commit(lambda: send_task(task, *args))


def requeue_stuck(*, older_than: timedelta = timedelta(minutes=1), building_older_than: timedelta | None = None):
    """Send again every task whose row has stayed queued longer than `older_than`. Safe: the tasks are idempotent.

    A render still `building` after the task's hard time limit lost its worker mid-build (SIGKILL, OOM): no task
    is running it any more, so it is sent again too.
    """
    from django.conf import settings

    now = timezone.now()
    if building_older_than is None:
        building_older_than = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    sent = {}
    for name, work in _queued_work.items():
        rows = work.stuck(now - older_than, now - building_older_than)
        sent[name] = sum(send_task(work.task, pk) for pk in rows.values_list("pk", flat=True))
    return sent


def requeue_on_broker_connect() -> dict | None:
    """A worker has just (re)connected to the broker: send every queued row again, however young.

    A send may have failed a moment ago, while the broker was away, so no age is safe to wait for; a row whose
    message did reach the queue is sent twice, which the idempotent tasks absorb. Never raises: a failed sweep
    must not stop the worker (the command, or the next connection, sweeps again).
    """
    try:
        if not cache.add("stage:requeue-stuck:sweep", 1, timeout=SWEEP_LOCK_SECONDS):
            return None
    except Exception:
        logger.warning("Cache unavailable for the sweep lock; sweeping anyway", exc_info=True)
    try:
        sent = requeue_stuck(older_than=timedelta(0))
    except Exception:
        logger.exception("requeue_stuck failed as the worker connected; run `manage.py requeue_stuck` later")
        return None
    logger.info("Broker connected: sent again %s", sent)
    return sent
