import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def requeue_stuck_work(**kwargs):
    """A worker coming up (after a crash or a broker outage) sends again what was left queued."""
    from stage.queue import requeue_stuck

    requeue_stuck()
