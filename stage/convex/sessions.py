"""The CLI's session operations. Return values are what the public stage-cli expects of each."""

from rest_framework import serializers

from core.api.serializers import StrictCharField, StrictIntegerField, StrictSerializer
from stage import presenters, selectors
from stage.convex.registry import convex_function
from stage.renders.services import render_report_error, render_trigger
from stage.services.files import file_write
from stage.services.scopes import google_scopes_set
from stage.services.sessions import session_create, session_touch
from stage.services.snapshots import snapshot_create, snapshot_restore


def owned_session(user, session_id):
    """The caller's session (NotFound for anyone else's), its access recorded."""
    session = selectors.session_get(public_id=session_id, owner=user)
    session_touch(session=session)
    return session


class CreateSessionArgs(StrictSerializer):
    name = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200)


class SessionArgs(StrictSerializer):
    sessionId = StrictCharField()


class PathArgs(SessionArgs):
    path = StrictCharField()


class WriteFileArgs(PathArgs):
    content = StrictCharField(allow_blank=True, trim_whitespace=False)


class ReadFileAtVersionArgs(PathArgs):
    version = StrictIntegerField(min_value=1)


class TriggerRenderArgs(SessionArgs):
    entry = StrictCharField(required=False, allow_null=True)


class CreateSnapshotArgs(SessionArgs):
    name = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200)


class RestoreSnapshotArgs(SessionArgs):
    snapshotId = StrictCharField()


class SetGoogleScopesArgs(SessionArgs):
    scopes = serializers.ListField(child=StrictCharField(), allow_empty=True)


class ReportErrorArgs(SessionArgs):
    error = StrictCharField(max_length=20_000)
    version = StrictIntegerField(required=False, allow_null=True, min_value=1)


@convex_function("stage:createSession", "mutation", CreateSessionArgs)
def create_session(user, name=None):
    return session_create(owner=user, name=name).public_id


@convex_function("stage:writeFile", "mutation", WriteFileArgs)
def write_file(user, sessionId, path, content):
    written = file_write(session=owned_session(user, sessionId), path=path, content=content)
    return presenters.FileWrittenOutput.of(written)


@convex_function("stage:readFile", "query", PathArgs)
def read_file(user, sessionId, path):
    found = selectors.file_get(session=owned_session(user, sessionId), path=path)
    return presenters.FileDetailOutput.of(found)


@convex_function("stage:readFileAtVersion", "query", ReadFileAtVersionArgs)
def read_file_at_version(user, sessionId, path, version):
    found = selectors.file_get(session=owned_session(user, sessionId), path=path, version=version)
    return presenters.FileDetailOutput.of(found)


@convex_function("stage:getAllFiles", "query", SessionArgs)
def get_all_files(user, sessionId):
    return selectors.current_files(session=owned_session(user, sessionId), with_content=True)


@convex_function("stage:getFileHistory", "query", PathArgs)
def get_file_history(user, sessionId, path):
    history = selectors.file_history(session=owned_session(user, sessionId), path=path)
    return presenters.FileHistoryOutput.many(history)


@convex_function("stage:triggerRender", "mutation", TriggerRenderArgs)
def trigger_render(user, sessionId, entry=None):
    render = render_trigger(session=owned_session(user, sessionId), entry=entry)
    return {"entry": render.entry, "version": render.version}


@convex_function("stage:getRenderState", "query", SessionArgs)
def get_render_state(user, sessionId):
    return presenters.RenderStateOutput.of(selectors.render_latest(session=owned_session(user, sessionId)))


@convex_function("stage:reportError", "mutation", ReportErrorArgs)
def report_error(user, sessionId, error, version=None):
    render = render_report_error(session=owned_session(user, sessionId), error=error, version=version)
    return presenters.RenderStateOutput.of(render)


@convex_function("stage:getStatus", "query", SessionArgs)
def get_status(user, sessionId):
    return presenters.session_status(owned_session(user, sessionId))


@convex_function("stage:createSnapshot", "mutation", CreateSnapshotArgs)
def create_snapshot(user, sessionId, name=None):
    return snapshot_create(session=owned_session(user, sessionId), name=name).public_id


@convex_function("stage:getSnapshots", "query", SessionArgs)
def get_snapshots(user, sessionId):
    return presenters.snapshots_with_counts(owned_session(user, sessionId))


@convex_function("stage:restoreSnapshot", "mutation", RestoreSnapshotArgs)
def restore_snapshot(user, sessionId, snapshotId):
    snapshot = selectors.snapshot_get(session=owned_session(user, sessionId), public_id=snapshotId)
    return {"restored": snapshot_restore(snapshot=snapshot)}


@convex_function("stage:setGoogleScopes", "mutation", SetGoogleScopesArgs)
def set_google_scopes(user, sessionId, scopes):
    return {"scopes": google_scopes_set(session=owned_session(user, sessionId), scopes=scopes)}


@convex_function("stage:getGoogleScopes", "query", SessionArgs)
def get_google_scopes(user, sessionId):
    return {"scopes": owned_session(user, sessionId).google_scopes}
