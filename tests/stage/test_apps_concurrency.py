"""Racing pointer moves and deploys on real PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection

from stage.models import AppVersion, Channel, ChannelMove
from stage.services.files import files_push
from stage.services.published_apps import app_deploy, app_publish, channel_promote
from stage.services.sessions import session_create
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Start every call at the same moment on its own thread and connection; return their errors."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.fixture
def app_with_three_versions():
    user = UserFactory(username="racer")
    session = session_create(owner=user)
    files_push(session=session, files=[("/app/App.tsx", "v1")])
    app = app_publish(session=session, name="race", author=user)
    app_deploy(app=app, actor=user)
    app_deploy(app=app, actor=user)
    return app, user


@pytest.mark.parametrize("attempt", range(5))
def test_two_racing_promotes_leave_a_consistent_pointer_and_two_history_rows(app_with_three_versions, attempt):
    # given production on v1 and versions 2 and 3
    app, user = app_with_three_versions
    v2, v3 = (AppVersion.objects.get(app=app, number=n).sid for n in (2, 3))
    before = ChannelMove.objects.filter(app=app).count()
    # when two promotes race
    errors = race(
        lambda: channel_promote(app=app, actor=user, version_sid=v2),
        lambda: channel_promote(app=app, actor=user, version_sid=v3),
    )
    # then both succeed, one after the other
    assert errors == []
    moves = list(ChannelMove.objects.filter(app=app, channel="production").order_by("id"))[-2:]
    assert ChannelMove.objects.filter(app=app).count() == before + 2
    first, second = moves
    assert first.from_version.number == 1
    assert second.from_version_id == first.to_version_id  # the second saw the first's move
    assert {first.to_version.sid, second.to_version.sid} == {v2, v3}
    production = Channel.objects.get(app=app, name="production")
    assert production.version_id == second.to_version_id


def test_racing_deploys_get_distinct_consecutive_numbers(app_with_three_versions):
    app, user = app_with_three_versions
    errors = race(*[lambda: app_deploy(app=app, actor=user, promote=True) for _ in range(4)])
    assert errors == []
    assert sorted(AppVersion.objects.filter(app=app).values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    newest = AppVersion.objects.get(app=app, number=7)
    assert Channel.objects.get(app=app, name="preview").version == newest
    assert Channel.objects.get(app=app, name="production").version == newest


def test_racing_publishes_of_one_session_make_one_app():
    user = UserFactory(username="twin")
    session = session_create(owner=user)
    errors = race(*[lambda: app_publish(session=session, name="twin", author=user) for _ in range(3)])
    assert len(errors) == 2 and all(getattr(exc, "code", None) == "CONFLICT" for exc in errors)
    assert session.apps.count() == 1
