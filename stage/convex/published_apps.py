"""The CLI's app operations, with the same semantics as the REST endpoints under /api/v1/stage/apps."""

from core.api.serializers import StrictCharField, StrictSerializer
from stage import presenters, selectors
from stage.api.app_serializers import SERVER_OWNED, AppListQuery, AppUpdateInput
from stage.convex.registry import convex_function
from stage.services.published_apps import app_update


class AppArgs(StrictSerializer):
    sid = StrictCharField(max_length=64)


class AppBySessionArgs(StrictSerializer):
    sessionId = StrictCharField(max_length=64)


class UpdateAppArgs(AppUpdateInput):
    server_owned = tuple(key for key in SERVER_OWNED if key != "sid")
    sid = StrictCharField(max_length=64)


@convex_function("stage:listApps", "query", AppListQuery)
def list_apps(user, author=None, sessionId=None, status=None):
    return presenters.apps_detail(selectors.app_list(owner=user, author=author, session_id=sessionId, status=status))


@convex_function("stage:getApp", "query", AppArgs)
def get_app(user, sid):
    return presenters.AppOutput.of(selectors.app_get(sid=sid, owner=user))


@convex_function("stage:getAppBySession", "query", AppBySessionArgs)
def get_app_by_session(user, sessionId):
    """The app published from the session, or null when there is none (or the session is not the caller's)."""
    app = selectors.app_get_by_session(session_id=sessionId, owner=user)
    return presenters.AppOutput.of(app)


@convex_function("stage:updateApp", "mutation", UpdateAppArgs)
def update_app(user, sid, **changes):
    app = selectors.app_get(sid=sid, owner=user)
    return presenters.AppOutput.of(app_update(app=app, changes=changes))
