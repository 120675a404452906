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
        from stage.queue import requeue_on_broker_connect

        requeue_on_broker_connect()


app.steps["consumer"].add(RequeueStuckOnConnect)
