"""client.stage.apps against a live server: publish, list, get, update, deploy, channels, promote, rollback."""

import httpx
import pytest
from stage_sdk import StageError

from tests.sdk.conftest import APP_TSX
from tests.support.rest import REPOSITORY


def published(client, name="shiftcal-preview"):
    session_id = client.stage.sessions.create(name=name).id
    client.stage.sessions.push_files(session_id, {"/app/App.tsx": APP_TSX})
    return session_id, client.stage.apps.publish(session_id=session_id, name=name, description="Calendar smoke app")


def test_publish_list_get_update_as_in_the_spec(client):
    # given a published session (sdk-stage.md "Published Apps")
    session_id, app = published(client)

    # when it is listed, resolved by author and by session, and archived
    by_author = client.stage.apps.list(author="alice@example.com")
    by_session = client.stage.apps.list(session_id=session_id)
    current = client.stage.apps.get(app.sid)
    archived = client.stage.apps.update(app.sid, status="archived")

    # then the typed app carries the spec's fields in snake_case
    assert app.sid.startswith("app_")
    assert (app.name, app.description, app.session_id, app.status) == (
        "shiftcal-preview",
        "Calendar smoke app",
        session_id,
        "active",
    )
    assert app.author.email == "alice@example.com"
    assert [a.sid for a in by_author] == [app.sid]
    assert [a.sid for a in by_session] == [app.sid]
    assert current.channels.preview.app_version_sid == current.channels.production.app_version_sid
    assert current.channels.production.version == 1
    assert archived.status == "archived"
    assert [a.sid for a in client.stage.apps.list(status="archived")] == [app.sid]
    assert client.stage.apps.list(status="active") == []


def test_update_sends_snake_case_fields_as_the_specs_camel_case(client):
    _, app = published(client)

    updated = client.stage.apps.update(app.sid, repository=REPOSITORY, config={"slackChannelId": "C1"})

    assert updated.repository["fullName"] == "tom/drive-hasher"
    assert updated.config == {"slackChannelId": "C1"}
    with pytest.raises(StageError) as refused:
        client.stage.apps.update(app.sid, sid="app_mine")
    assert (refused.value.code, refused.value.status) == ("VALIDATION_ERROR", 400)


def test_deploy_promote_rollback_move_the_channels(client):
    # given an app at version 1 and a change deployed to preview only
    session_id, app = published(client)
    client.stage.sessions.write_file(session_id, "/app/App.tsx", APP_TSX.replace("ShiftCal", "ShiftCal 2"))
    deployed = client.stage.apps.deploy(app.sid)

    # then preview moved and production did not
    channels = client.stage.apps.channels(app.sid)
    assert deployed.version.version == 2
    assert [f.path for f in deployed.version.files] == ["/app/App.tsx"]
    assert (channels.preview.version, channels.production.version) == (2, 1)
    assert channels.preview.app_version_sid == deployed.version.sid

    # when production is promoted and rolled back
    promoted = client.stage.apps.promote(app.sid)
    rolled_back = client.stage.apps.rollback(app.sid)

    # then each answer is the channels after the move, and every move is in the history
    assert promoted.production.app_version_sid == deployed.version.sid
    assert rolled_back.production.version == 1
    assert [v.version for v in client.stage.apps.versions(app.sid)] == [2, 1]
    moves = client.stage.apps.history(app.sid)
    assert [(m.channel, m.from_version, m.to_version) for m in moves[:2]] == [
        ("production", 2, 1),
        ("production", 1, 2),
    ]

    # and deploy with promote moves both at once; promote can name a version
    both = client.stage.apps.deploy(app.sid, promote=True)
    assert (both.app.channels.preview.version, both.app.channels.production.version) == (3, 3)
    pinned = client.stage.apps.promote(app.sid, app_version_sid=deployed.version.sid)
    assert pinned.production.version == 2


def test_app_errors_and_ownership(client, mallory, anonymous):
    _, app = published(client)
    client.stage.apps.update(app.sid, status="archived")

    with pytest.raises(StageError) as archived:
        client.stage.apps.deploy(app.sid)
    with pytest.raises(StageError) as unknown_version:
        client.stage.apps.update(app.sid, status="active") and client.stage.apps.promote(app.sid, "ver_nope")
    with pytest.raises(StageError) as theirs:
        mallory.stage.apps.get(app.sid)
    with pytest.raises(StageError) as their_promote:
        mallory.stage.apps.rollback(app.sid)
    with pytest.raises(StageError) as nobody:
        anonymous.stage.apps.list()

    assert (archived.value.code, archived.value.status) == ("CONFLICT", 409)
    assert unknown_version.value.status in (400, 404)
    assert (theirs.value.code, theirs.value.status) == ("NOT_FOUND", 404)
    assert their_promote.value.status == 404
    assert mallory.stage.apps.list() == []
    assert (nobody.value.code, nobody.value.status) == ("UNAUTHORIZED", 401)


def test_apps_and_versions_carry_their_urls_and_a_preview_link_opens_the_preview(client, mallory, settings, stage_url):
    # given an app whose preview runs a version production never served
    settings.STAGE_APPS_PORT = int(stage_url.rsplit(":", 1)[1])
    session_id, app = published(client)
    label = app.sid.replace("_", "-")
    client.stage.sessions.write_file(
        session_id, "/app/src/app.ts", "export default { fetch: () => new Response('v2') };"
    )
    deployed = client.stage.apps.deploy(app.sid)

    # then every URL is part of the answer
    port = settings.STAGE_APPS_PORT
    assert (
        app.url == f"http://{label}.localhost:{port}" and app.preview_url == f"http://{label}--preview.localhost:{port}"
    )
    assert deployed.version.url == f"http://{label}--v2.localhost:{port}"
    assert deployed.app.channels.preview.url == app.preview_url
    assert deployed.app.channels.preview.version_url == deployed.version.url

    # and a preview link opens the preview's API to whoever holds it (Python's resolver knows no *.localhost:
    # connect to loopback and name the origin)
    link = client.stage.apps.preview_link(app.sid, expires_in=300)
    assert link.url.startswith(app.preview_url + "/?stage_preview=") and link.expires_at > 0
    loopback = f"http://127.0.0.1:{port}/api/"
    headers = {"Host": f"{label}--preview.localhost:{port}"}
    assert httpx.get(loopback, headers=headers).status_code == 401
    assert httpx.get(loopback, params={"stage_preview": link.token}, headers=headers).text == "v2"
    with pytest.raises(StageError) as theirs:
        mallory.stage.apps.preview_link(app.sid)
    assert theirs.value.status == 404
