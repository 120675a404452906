"""How many tasks wait in each Celery queue, read from the broker when /metrics is scraped.

A worker that is down or too slow shows here first: renders and runs queue up. The count is the broker's own
(a passive queue declaration), so it is the same whichever process is scraped.
"""

from celery import current_app
from django.conf import settings
from kombu.exceptions import ChannelError
from prometheus_client.core import GaugeMetricFamily


def _queues() -> list[str]:
    declared = current_app.conf.task_queues or ()
    names = [queue.name for queue in declared] or [current_app.conf.task_default_queue]
    return sorted(set(names))


def _waiting(channel, name: str) -> int:
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except ChannelError:  # a queue nothing was ever sent to is not there yet
        return 0


class QueueDepthCollector:
    def collect(self):
        depth = GaugeMetricFamily("stage_celery_queue_depth", "Tasks waiting in each Celery queue.", labels=["queue"])
        if settings.REDIS_URL:  # the embedded profile runs tasks in the process that sends them: no queue
            with current_app.connection_for_read() as connection:
                channel = connection.default_channel
                for name in _queues():
                    depth.add_metric([name], _waiting(channel, name))
        yield depth
