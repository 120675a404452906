"""A broker outage delays work and never loses it: the row stays queued, and requeue_stuck sends it again."""

from datetime import timedelta

import pytest
from celery import Celery
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from core.models import UnsentTask
from core.outbox import requeue_on_broker_connect, requeue_stuck, send_task, send_unsent
from stage.models import Render
from tests.support.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_broker_task():
    """A task on a Celery app whose broker address has nothing listening: a real refused connection."""
    app = Celery("dead", broker="redis://127.0.0.1:9/0", set_as_current=False)
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry = False

    @app.task(name="tests.noop")
    def noop(value):
        return value

    return noop


def test_a_send_the_broker_refuses_is_logged_and_kept_in_the_outbox_not_raised(dead_broker_task, caplog):
    assert send_task(dead_broker_task, 42) is False
    assert send_task(dead_broker_task, 42) is False  # the same send twice is one outbox row
    assert "Broker unreachable" in caplog.text and "stays queued" in caplog.text
    assert list(UnsentTask.objects.values_list("task", "args")) == [("tests.noop", [42])]


def test_a_worker_sends_the_outbox_and_empties_it():
    render = Render.objects.create(session=SessionFactory(), version=1, entry="/app/App.tsx")
    UnsentTask.objects.create(task="stage.tasks.render_build", args=[render.pk])
    UnsentTask.objects.create(task="stage.tasks.gone_in_a_refactor", args=[1])

    assert send_unsent() == 2  # the unknown task is dropped (logged), not retried forever

    render.refresh_from_db()
    assert render.status != Render.Status.QUEUED, "the render's task ran (tasks are eager in tests)"
    assert UnsentTask.objects.count() == 0


def test_requeue_stuck_sends_old_queued_renders_again():
    session = SessionFactory()
    stuck = Render.objects.create(session=session, version=1, entry="/app/App.tsx")
    Render.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = Render.objects.create(session=session, version=2, entry="/app/App.tsx")

    sent = requeue_stuck(older_than=timedelta(minutes=1))

    assert sent["renders"] == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status != Render.Status.QUEUED, "the stuck render's task ran (tasks are eager in tests)"
    assert fresh.status == Render.Status.QUEUED, "a render queued moments ago is left to its own task"


def test_requeue_stuck_command_reports_what_it_sent(capsys):
    call_command("requeue_stuck", "--older-than", "60")
    assert "0 renders, 0 uis, 0 runs, 0 deliveries sent again" in capsys.readouterr().out


def test_a_worker_connecting_sends_even_a_moments_old_render_and_workers_connecting_together_sweep_once():
    cache.delete("stage:requeue-stuck:sweep")
    render = Render.objects.create(session=SessionFactory(), version=1, entry="/app/App.tsx")

    first, second = requeue_on_broker_connect(), requeue_on_broker_connect()

    assert first == {"renders": 1, "uis": 0, "runs": 0, "deliveries": 0}
    assert second is None, "a second worker connecting within the lock's window leaves the sweep to the first"
    render.refresh_from_db()
    assert render.status != Render.Status.QUEUED
