import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class RequeueStuckOnConnect(bootsteps.StartStopStep):
    """Each time a worker connects to the broker, send again what was left queued.

    Celery starts the consumer's steps when the worker comes up and again after every broker outage it rides out,
    so a render, run or delivery whose send failed while Redis was down is sent as soon as Redis is back.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer):
        from core.outbox import requeue_on_broker_connect

        requeue_on_broker_connect()


class SendOutboxPeriodically(bootsteps.StartStopStep):
    """Every `STAGE_UNSENT_SWEEP_SECONDS`, send the tasks web processes could not (they may not reach Redis while
    this worker does)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, consumer, **kwargs):
        super().__init__(consumer, **kwargs)
        self.timer_entry = None

    def start(self, consumer):
        from django.conf import settings

        from core.outbox import sweep_outbox

        self.timer_entry = consumer.timer.call_repeatedly(settings.STAGE_UNSENT_SWEEP_SECONDS, sweep_outbox)

    def stop(self, consumer):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


app.steps["consumer"].add(RequeueStuckOnConnect)
app.steps["consumer"].add(SendOutboxPeriodically)
